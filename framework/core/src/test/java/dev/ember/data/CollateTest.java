package dev.ember.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CollateTest {
    record Sample(Tensor image, Tensor label) {
    }

    record Bad(Tensor image, long label) {
    }

    @Test
    void tensorsAreStackedAlongANewFirstDim() {
        Tensor b = (Tensor) Collate.defaultCollate(List.of(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2),
                Tensor.of(new double[] {5, 6, 7, 8}, 2, 2), Tensor.of(new double[] {9, 10, 11, 12}, 2, 2)));
        assertArrayEquals(new long[] {3, 2, 2}, b.shape());
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, b.toDoubleArray());
        // zero-dim samples give a (B) batch; a non-contiguous sample is gathered correctly
        Tensor s = (Tensor) Collate.defaultCollate(List.of(Tensor.scalar(1), Tensor.scalar(2)));
        assertArrayEquals(new long[] {2}, s.shape());
        Tensor t = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2).t();
        Tensor tb = (Tensor) Collate.defaultCollate(List.of(t, t));
        assertArrayEquals(new double[] {1, 3, 2, 4, 1, 3, 2, 4}, tb.toDoubleArray());
    }

    @Test
    void numbersFollowPyTorch() {
        Tensor d = (Tensor) Collate.defaultCollate(List.of(1.5, 2.5));
        assertEquals(DType.FLOAT64, d.dtype()); // Python floats collate to float64
        Tensor f = (Tensor) Collate.defaultCollate(List.of(1.5f, 2.5f));
        assertEquals(DType.FLOAT32, f.dtype());
        Tensor i = (Tensor) Collate.defaultCollate(List.of(3, 4));
        assertEquals(DType.INT64, i.dtype());
        assertArrayEquals(new long[] {3, 4}, i.toLongArray());
        Tensor bo = (Tensor) Collate.defaultCollate(List.of(true, false));
        assertEquals(DType.BOOL, bo.dtype());
        assertEquals(List.of("a", "b"), Collate.defaultCollate(List.of("a", "b")));
    }

    @Test
    void containersAreCollatedFieldByField() {
        Object m = Collate.defaultCollate(List.of(Map.of("x", Tensor.of(new double[] {1, 2}, 2), "y", 1L),
                Map.of("x", Tensor.of(new double[] {3, 4}, 2), "y", 2L)));
        Map<?, ?> batch = (Map<?, ?>) m;
        assertArrayEquals(new long[] {2, 2}, ((Tensor) batch.get("x")).shape());
        assertArrayEquals(new long[] {1, 2}, ((Tensor) batch.get("y")).toLongArray());

        List<?> nested = (List<?>) Collate.defaultCollate(List.of(List.of(1L, List.of(2.0, "a")),
                List.of(3L, List.of(4.0, "b"))));
        assertArrayEquals(new long[] {1, 3}, ((Tensor) nested.get(0)).toLongArray());
        List<?> inner = (List<?>) nested.get(1);
        assertArrayEquals(new double[] {2, 4}, ((Tensor) inner.get(0)).toDoubleArray());
        assertEquals(List.of("a", "b"), inner.get(1));

        Tensor[] arr = (Tensor[]) Collate.defaultCollate(List.of(new Tensor[] {Tensor.scalar(1)},
                new Tensor[] {Tensor.scalar(2)}));
        assertArrayEquals(new double[] {1, 2}, arr[0].toDoubleArray());

        Tensor prim = (Tensor) Collate.defaultCollate(List.of(new float[] {1, 2, 3}, new float[] {4, 5, 6}));
        assertEquals(DType.FLOAT32, prim.dtype());
        assertArrayEquals(new long[] {2, 3}, prim.shape());
    }

    @Test
    void recordsAreRebuilt() {
        Sample s = (Sample) Collate.defaultCollate(List.of(new Sample(Tensor.zeros(3), Tensor.scalar(DType.INT64, 1)),
                new Sample(Tensor.ones(3), Tensor.scalar(DType.INT64, 2))));
        assertArrayEquals(new long[] {2, 3}, s.image().shape());
        assertArrayEquals(new long[] {1, 2}, s.label().toLongArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Collate.defaultCollate(List.of(new Bad(Tensor.zeros(1), 1), new Bad(Tensor.zeros(1), 2))));
        assertTrue(e.getMessage().contains("component 'label'"), e.getMessage());
        // the typed loader path works for records
        var loader = DataLoader.builder(Dataset.of(List.of(new Sample(Tensor.zeros(2), Tensor.scalar(0)),
                new Sample(Tensor.ones(2), Tensor.scalar(1))))).batchSize(2).build();
        Sample batch = loader.iterator().next();
        assertArrayEquals(new long[] {2, 2}, batch.image().shape());
    }

    @Test
    void mismatchesAreClearErrors() {
        IllegalArgumentException shapes = assertThrows(IllegalArgumentException.class,
                () -> Collate.defaultCollate(List.of(Tensor.zeros(3), Tensor.zeros(4))));
        assertTrue(shapes.getMessage().contains("[3] (sample 0) and [4] (sample 1)"), shapes.getMessage());
        IllegalArgumentException nested = assertThrows(IllegalArgumentException.class,
                () -> Collate.defaultCollate(List.of(List.of(Tensor.zeros(2)), List.of(Tensor.zeros(5)))));
        assertTrue(nested.getMessage().contains("at element 0"), nested.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Collate.defaultCollate(List.of(List.of(1L), List.of(1L, 2L))));
        assertThrows(IllegalArgumentException.class, () -> Collate.defaultCollate(List.of(1L, 2.0)));
        assertThrows(IllegalArgumentException.class, () -> Collate.defaultCollate(List.of(Map.of("a", 1L), Map.of("b", 1L))));
        assertThrows(IllegalArgumentException.class, () -> Collate.defaultCollate(List.of()));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> Collate.defaultCollate(List.of(new Object(), new Object())));
        assertTrue(unknown.getMessage().contains("pass a collate function"));
        assertInstanceOf(Tensor.class, Collate.defaultCollate(List.of(Tensor.zeros(1))));
    }
}
