package dev.ember.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Module base class: names, state dicts, modes, dtype moves, gradients, printing. */
class ModuleTest {

    /** A custom module with a nested Sequential, a direct parameter and a buffer, as a PyTorch user writes. */
    static final class Model extends Module implements Layer {
        final Sequential features = registerModule("features", new Sequential(new Linear(2, 3), new ReLU(), new Dropout(0.5)));
        final Linear head = registerModule("head", new Linear(3, 1));
        final Tensor scale = registerParameter("scale", Tensor.ones(1));
        final Tensor steps = registerBuffer("steps", Tensor.zeros(DType.INT64, 1));
        final Tensor runningMean = registerBuffer("running_mean", Tensor.zeros(3));
        final Tensor cache = registerBuffer("cache", Tensor.zeros(2), false);

        @Override
        public Tensor forward(Tensor input) {
            return head.forward(features.forward(input)).mul(scale);
        }
    }

    @BeforeEach
    void seed() {
        Ember.manualSeed(0);
    }

    @Test
    void dottedNames() {
        Sequential s = new Sequential(new Linear(10, 32), new ReLU(), new Linear(32, 1));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), new ArrayList<>(s.namedParameters().keySet()));
        Model m = new Model();
        assertEquals(List.of("scale", "features.0.weight", "features.0.bias", "head.weight", "head.bias"),
                new ArrayList<>(m.namedParameters().keySet()));
        assertEquals(List.of("steps", "running_mean", "cache"), new ArrayList<>(m.namedBuffers().keySet()));
        // non-persistent buffers are not saved
        assertEquals(List.of("scale", "steps", "running_mean", "features.0.weight", "features.0.bias", "head.weight",
                "head.bias"), new ArrayList<>(m.stateDict().keySet()));
        assertEquals(List.of("", "features", "features.0", "features.1", "features.2", "head"),
                new ArrayList<>(m.namedModules().keySet()));
        assertEquals(3 * 2 + 3 + 3 + 1 + 1, m.numParameters());
    }

    @Test
    void sharedParametersAppearOnce() {
        Linear shared = new Linear(2, 2);
        Sequential s = new Sequential(shared, new ReLU(), shared);
        assertEquals(List.of("0.weight", "0.bias"), new ArrayList<>(s.namedParameters().keySet()));
        assertEquals(3, s.modules().size()); // Sequential, the shared Linear once, ReLU
    }

    @Test
    void stateDictRoundTripAndLiveViews() {
        Model a = new Model();
        Model b = new Model();
        assertFalse(java.util.Arrays.equals(a.head.weight.toDoubleArray(), b.head.weight.toDoubleArray()));
        Module.LoadResult r = b.loadStateDict(a.stateDict(), true);
        assertTrue(r.missingKeys().isEmpty() && r.unexpectedKeys().isEmpty());
        assertArrayEquals(a.head.weight.toDoubleArray(), b.head.weight.toDoubleArray(), 0.0);
        // loading copies values into the existing parameter objects
        assertSame(b.head.weight, b.namedParameters().get("head.weight"));
        // stateDict values are detached but share storage with the parameters
        Tensor w = a.stateDict().get("head.weight");
        assertFalse(w.requiresGrad());
        a.head.weight.detach().filli(3);
        assertEquals(3.0, w.toDoubleArray()[0], 0.0);
    }

    @Test
    void strictLoadListsMissingAndUnexpectedKeys() {
        Sequential s = new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 1));
        Map<String, Tensor> state = new LinkedHashMap<>(s.stateDict());
        state.remove("2.bias");
        state.remove("0.weight");
        state.put("3.weight", Tensor.zeros(1));
        var e = assertThrows(IllegalArgumentException.class, () -> s.loadStateDict(state, true));
        assertEquals("Error(s) in loading state_dict for Sequential:\n"
                + "\tMissing key(s) in state_dict: 0.weight, 2.bias.\n"
                + "\tUnexpected key(s) in state_dict: 3.weight.", e.getMessage());
        Module.LoadResult r = s.loadStateDict(state, false);
        assertEquals(List.of("0.weight", "2.bias"), r.missingKeys());
        assertEquals(List.of("3.weight"), r.unexpectedKeys());
    }

    @Test
    void shapeMismatchIsAnErrorEvenWhenNotStrict() {
        Sequential s = new Sequential(new Linear(2, 3));
        Map<String, Tensor> state = new LinkedHashMap<>(s.stateDict());
        state.put("0.weight", Tensor.zeros(3, 4));
        for (boolean strict : new boolean[] {true, false}) {
            var e = assertThrows(IllegalArgumentException.class, () -> s.loadStateDict(state, strict));
            assertEquals("Error(s) in loading state_dict for Sequential:\n"
                    + "\tsize mismatch for 0.weight: copying a param with shape [3, 4] from checkpoint, the shape in "
                    + "current model is [3, 2].", e.getMessage());
        }
    }

    @Test
    void trainEvalPropagates() {
        Model m = new Model();
        assertTrue(m.isTraining());
        m.eval();
        for (Module sub : m.modules()) {
            assertFalse(sub.isTraining(), sub.toString());
        }
        m.features.train();
        assertFalse(m.isTraining());
        assertTrue(m.features.get(2) instanceof Dropout d && d.isTraining());
        m.train();
        for (Module sub : m.modules()) {
            assertTrue(sub.isTraining());
        }
    }

    @Test
    void toFloat64KeepsParameterIdentity() {
        Model m = new Model();
        List<Tensor> before = m.parameters();
        double[] values = m.head.weight.toDoubleArray();
        m.to(DType.FLOAT64);
        List<Tensor> after = m.parameters();
        for (int i = 0; i < before.size(); i++) {
            assertSame(before.get(i), after.get(i));
            assertEquals(DType.FLOAT64, after.get(i).dtype());
            assertTrue(after.get(i).requiresGrad());
        }
        assertArrayEquals(values, m.head.weight.toDoubleArray(), 0.0); // float32 -> float64 is exact
        assertEquals(DType.FLOAT64, m.namedBuffers().get("running_mean").dtype());
        assertEquals(DType.INT64, m.namedBuffers().get("steps").dtype()); // integer buffers stay
        assertSame(m.runningMean, m.namedBuffers().get("running_mean")); // a field holding a buffer stays valid
        assertEquals(DType.FLOAT64, m.runningMean.dtype());
        Tensor y = m.forward(Tensor.randn(DType.FLOAT64, 4, 2));
        assertEquals(DType.FLOAT64, y.dtype());
        var e = assertThrows(IllegalArgumentException.class, () -> m.to(DType.INT64));
        assertTrue(e.getMessage().contains("torch.int64"), e.getMessage());
    }

    @Test
    void zeroGradClearsGradients() {
        Model m = new Model();
        m.forward(Tensor.randn(4, 2)).sum().backward();
        for (Tensor p : m.parameters()) {
            assertNotNull(p.grad());
        }
        m.zeroGrad();
        for (Tensor p : m.parameters()) {
            assertNull(p.grad());
        }
    }

    @Test
    void registrationErrors() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Module() {
            final Tensor a = registerParameter("w.x", Tensor.ones(1));
        });
        assertTrue(e.getMessage().contains("invalid name 'w.x'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Module() {
            final Tensor a = registerParameter("w", Tensor.ones(1));
            final Tensor b = registerBuffer("w", Tensor.ones(1));
        });
        assertTrue(e.getMessage().contains("attribute 'w' already exists"), e.getMessage());
    }

    @Test
    void sequentialAccess() {
        Sequential s = new Sequential(new Linear(2, 3), new ReLU());
        assertTrue(s.get(-1) instanceof ReLU);
        assertEquals(2, s.size());
        var e = assertThrows(IndexOutOfBoundsException.class, () -> s.get(2));
        assertEquals("Sequential: index 2 is out of range for 2 layers", e.getMessage());
    }
}
