package dev.ember.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.ember.nn.Linear;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Files written by PyTorch / NumPy (tools/make_io_golden.py) read by Ember, and Ember's writes compared byte
 * for byte with them.
 */
class PyTorchInteropTest {
    @Test
    void pytorchStateDictLoadsIntoAnEmberModelAndReproducesItsOutput() throws IOException {
        SafeTensors.Contents c = SafeTensors.loadWithMetadata(Fixtures.path("mlp.safetensors"));
        assertEquals(Map.of("format", "pt"), c.metadata());
        assertEquals(List.of("0.bias", "0.weight", "2.bias", "2.weight"), List.copyOf(c.tensors().keySet()));
        Sequential model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
        model.loadStateDict(c.tensors(), true);
        JsonObject io = Fixtures.json("mlp.json");
        Tensor x = Fixtures.tensor(io.getAsJsonObject("input"));
        Tensor expected = Fixtures.tensor(io.getAsJsonObject("output"));
        Tensor y = model.forward(x);
        assertArrayEquals(expected.shape(), y.shape());
        float[] e = expected.toFloatArray();
        float[] a = y.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], 1e-6 * Math.max(1, Math.abs(e[i])), "output[" + i + "]");
        }
    }

    @Test
    void emberWritesTheSameBytesAsTheReferenceLayout() throws IOException {
        byte[] pytorch = Files.readAllBytes(Fixtures.path("mlp.safetensors"));
        Sequential model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
        model.loadStateDict(SafeTensors.load(Fixtures.path("mlp.safetensors")), true);
        assertArrayEquals(pytorch, SafeTensors.toBytes(model.stateDict(), Map.of("format", "pt")));
    }

    @Test
    void everyDtypeWrittenByPyTorchReadsAsExpected() throws IOException {
        Map<String, Tensor> read = SafeTensors.load(Fixtures.path("dtypes.safetensors"));
        JsonObject expected = Fixtures.json("dtypes.json");
        assertEquals(expected.keySet(), read.keySet());
        for (String name : expected.keySet()) {
            Fixtures.assertSame(Fixtures.tensor(expected.getAsJsonObject(name)), read.get(name), name);
        }
        assertEquals(0, read.get("f32_scalar").dim());
        assertEquals(0, read.get("empty").numel());
        assertTrue(read.get("u8").toLongArray()[1] == 255, "uint8 is unsigned");
    }
}
