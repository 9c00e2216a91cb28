package dev.ember.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DatasetsTest {
    private static Dataset<Integer> range(int n) {
        return Dataset.of(IntStream.range(0, n).boxed().toList());
    }

    private static List<Integer> items(Dataset<Integer> d) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            out.add(d.get(i));
        }
        return out;
    }

    @Test
    void randomSplitByLengthsIsADeterministicPartition() {
        List<Subset<Integer>> a = Datasets.randomSplit(range(10), new long[] {3, 7}, 42);
        List<Subset<Integer>> b = Datasets.randomSplit(range(10), new long[] {3, 7}, 42);
        assertEquals(3, a.get(0).size());
        assertEquals(7, a.get(1).size());
        assertEquals(items(a.get(0)), items(b.get(0)));
        assertEquals(items(a.get(1)), items(b.get(1)));
        Set<Integer> all = new HashSet<>(items(a.get(0)));
        all.addAll(items(a.get(1)));
        assertEquals(10, all.size());
        assertNotEquals(items(a.get(1)), items(Datasets.randomSplit(range(10), new long[] {3, 7}, 43).get(1)));
    }

    @Test
    void randomSplitByFractionsDealsTheRemainderLikePyTorch() {
        // torch.utils.data.random_split(range(5), [0.5, 0.5]) -> lengths 3, 2; [0.3, 0.3, 0.4] of 10 -> 3, 3, 4
        assertArrayEquals(new long[] {3, 2}, Datasets.fractionLengths(new double[] {0.5, 0.5}, 5));
        assertArrayEquals(new long[] {3, 3, 4}, Datasets.fractionLengths(new double[] {0.3, 0.3, 0.4}, 10));
        assertArrayEquals(new long[] {1, 1, 0}, Datasets.fractionLengths(new double[] {0.34, 0.33, 0.33}, 2));
        List<Subset<Integer>> s = Datasets.randomSplit(range(11), new double[] {0.8, 0.2}, 0);
        assertEquals(9, s.get(0).size());
        assertEquals(2, s.get(1).size());
    }

    @Test
    void randomSplitRejectsBadLengths() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Datasets.randomSplit(range(10), new long[] {3, 6}, 0));
        assertTrue(e.getMessage().contains("does not equal the length of the input dataset (10)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Datasets.randomSplit(range(10), new long[] {-1, 11}, 0));
        assertThrows(IllegalArgumentException.class, () -> Datasets.randomSplit(range(10), new double[] {0.5, 0.4}, 0));
        assertThrows(IllegalArgumentException.class, () -> Datasets.randomSplit(range(10), new double[] {1.5, -0.5}, 0));
    }

    @Test
    void randpermIsAPermutation() {
        int[] p = Datasets.randperm(50, new dev.ember.tensor.Generator(1));
        assertEquals(50, IntStream.of(p).distinct().count());
        assertTrue(IntStream.of(p).allMatch(i -> i >= 0 && i < 50));
    }

    @Test
    void tensorDatasetRowsAndErrors() {
        TensorDataset ds = new TensorDataset(Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2), Tensor.of(new long[] {7, 8, 9}, 3));
        assertEquals(3, ds.size());
        List<Tensor> row = ds.get(1);
        assertArrayEquals(new double[] {3, 4}, row.get(0).toDoubleArray());
        assertArrayEquals(new long[] {}, row.get(1).shape());
        assertEquals(8, row.get(1).item());
        assertThrows(IndexOutOfBoundsException.class, () -> ds.get(3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TensorDataset(Tensor.zeros(3, 2), Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("size mismatch") && e.getMessage().contains("[4]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TensorDataset(Tensor.scalar(1)));
        assertThrows(IllegalArgumentException.class, TensorDataset::new);
    }

    @Test
    void subsetIndexesIntoItsDataset() {
        Subset<Integer> s = new Subset<>(range(10), new int[] {9, 0, 4});
        assertEquals(List.of(9, 0, 4), items(s));
        assertThrows(IndexOutOfBoundsException.class, () -> s.get(3));
        assertThrows(IndexOutOfBoundsException.class, () -> new Subset<>(range(3), new int[] {3}));
    }
}
