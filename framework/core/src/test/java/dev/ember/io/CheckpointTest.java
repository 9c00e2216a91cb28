package dev.ember.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.nn.Linear;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir
    Path dir;

    private static Sequential model() {
        return new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
    }

    private static Map<String, Tensor> optimizerState() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("state.0.momentum_buffer", Tensor.randn(4, 3));
        m.put("state.0.step", Tensor.scalar(DType.INT64, 17));
        m.put("param_groups.0.lr", Tensor.scalar(DType.FLOAT64, 0.05));
        return m;
    }

    @Test
    void roundTripRestoresModelOptimizerRngEpochAndStep() throws IOException {
        Ember.manualSeed(123);
        Sequential model = model();
        Map<String, Tensor> opt = optimizerState();
        Path p = dir.resolve("ck.safetensors");
        Checkpoint.save(p, model, opt, 3, 120, Map.of("lr", "0.05", "note", "after epoch 3"));
        double[] afterSave = Tensor.rand(6).toDoubleArray(); // what the original run draws next

        Ember.manualSeed(999); // a fresh process: different weights, different RNG
        Sequential fresh = model();
        Checkpoint ck = Checkpoint.resume(p, fresh);
        assertArrayEquals(afterSave, Tensor.rand(6).toDoubleArray(), "the RNG continues the saved stream");
        model.stateDict().forEach((k, v) -> Fixtures.assertSame(v, fresh.stateDict().get(k), k));
        assertEquals(opt.keySet(), ck.optimizerState().keySet());
        opt.forEach((k, v) -> Fixtures.assertSame(v, ck.optimizerState().get(k), k));
        assertEquals(3, ck.epoch());
        assertEquals(120, ck.step());
        assertEquals(Map.of("lr", "0.05", "note", "after epoch 3"), ck.extra());
        // the forward pass agrees
        Tensor x = Tensor.randn(5, 3);
        Fixtures.assertSame(model.forward(x), fresh.forward(x), "forward");
    }

    @Test
    void partsAreOptional() throws IOException {
        Path p = dir.resolve("ck.safetensors");
        Map<String, Tensor> state = Map.of("w", Tensor.ones(2));
        Checkpoint.save(p, state, null, 0, 0, null, null);
        Checkpoint ck = Checkpoint.load(p);
        assertNull(ck.optimizerState());
        assertNull(ck.rngState());
        assertEquals(Map.of(), ck.extra());
        Checkpoint.save(p, state, Map.of(), -1, Long.MAX_VALUE, new long[] {1, 2, 3, 4}, Map.of());
        ck = Checkpoint.load(p);
        assertEquals(Map.of(), ck.optimizerState());
        assertArrayEquals(new long[] {1, 2, 3, 4}, ck.rngState());
        assertEquals(Long.MAX_VALUE, ck.step());
        assertEquals(-1, ck.epoch());
    }

    @Test
    void itIsPlainSafetensorsWithPrefixedKeys() throws IOException {
        Path p = dir.resolve("ck.safetensors");
        Checkpoint.save(p, Map.of("0.weight", Tensor.ones(1)), Map.of("state.0.step", Tensor.ones(1)), 2, 5,
                new long[] {1, 2, 3, 4}, Map.of("k", "v"));
        SafeTensors.Contents c = SafeTensors.loadWithMetadata(p);
        assertEquals(List.of("model.0.weight", "optimizer.state.0.step"), List.copyOf(c.tensors().keySet()));
        assertEquals(Checkpoint.FORMAT, c.metadata().get("format"));
        assertEquals("2", c.metadata().get("epoch"));
        assertEquals("5", c.metadata().get("step"));
        assertEquals("1,2,3,4", c.metadata().get("rng_state"));
        assertEquals("v", c.metadata().get("extra.k"));
    }

    @Test
    void aFailedSaveLeavesThePreviousCheckpointIntact() throws IOException {
        Path p = dir.resolve("ck.safetensors");
        Checkpoint.save(p, Map.of("w", Tensor.ones(3)), null, 1, 10, null, null);
        byte[] before = Files.readAllBytes(p);
        // a crash half-way through writing the new checkpoint
        assertThrows(IOException.class, () -> AtomicFiles.write(p, out -> {
            out.write(SafeTensors.toBytes(Map.of("w", Tensor.zeros(3)), null), 0, 20);
            throw new IOException("simulated crash");
        }));
        assertArrayEquals(before, Files.readAllBytes(p));
        assertEquals(1, Checkpoint.load(p).epoch());
        // the target cannot be replaced (a non-empty directory): the save fails and nothing changes
        Path blocked = dir.resolve("blocked");
        Files.createDirectories(blocked.resolve("inside"));
        assertThrows(IOException.class, () -> Checkpoint.save(blocked, Map.of("w", Tensor.ones(3)), null, 2, 20,
                null, null));
        assertTrue(Files.isDirectory(blocked.resolve("inside")));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("blocked", "ck.safetensors"),
                    files.map(f -> f.getFileName().toString()).sorted().toList(), "no temporary files remain");
        }
    }

    @Test
    void readOnlyDirectoryFailsCleanly() throws IOException {
        Path ro = Files.createDirectories(dir.resolve("ro"));
        Path p = ro.resolve("ck.safetensors");
        Checkpoint.save(p, Map.of("w", Tensor.ones(3)), null, 1, 10, null, null);
        byte[] before = Files.readAllBytes(p);
        assertTrue(ro.toFile().setWritable(false, false));
        try {
            org.junit.jupiter.api.Assumptions.assumeFalse(Files.isWritable(ro), "running as root: permissions ignored");
            assertThrows(IOException.class, () -> Checkpoint.save(p, Map.of("w", Tensor.zeros(3)), null, 2, 20, null,
                    null));
            assertArrayEquals(before, Files.readAllBytes(p));
        } finally {
            ro.toFile().setWritable(true, false);
        }
    }

    @Test
    void otherFilesAreRejectedClearly() throws IOException {
        Path plain = dir.resolve("plain.safetensors");
        SafeTensors.save(plain, Map.of("w", Tensor.ones(1)));
        IOException e = assertThrows(IOException.class, () -> Checkpoint.load(plain));
        assertTrue(e.getMessage().contains("not an Ember checkpoint"), e.getMessage());

        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", Checkpoint.FORMAT);
        meta.put("format_version", "1");
        meta.put("epoch", "x");
        meta.put("step", "1");
        SafeTensors.save(plain, Map.of("model.w", Tensor.ones(1)), meta);
        e = assertThrows(IOException.class, () -> Checkpoint.load(plain));
        assertTrue(e.getMessage().contains("epoch must be an integer"), e.getMessage());

        meta.put("epoch", "1");
        meta.put("rng_state", "0,0,0,0");
        SafeTensors.save(plain, Map.of("model.w", Tensor.ones(1)), meta);
        e = assertThrows(IOException.class, () -> Checkpoint.load(plain));
        assertTrue(e.getMessage().contains("rng_state"), e.getMessage());

        meta.remove("rng_state");
        SafeTensors.save(plain, Map.of("weird.w", Tensor.ones(1)), meta);
        e = assertThrows(IOException.class, () -> Checkpoint.load(plain));
        assertTrue(e.getMessage().contains("unexpected tensor \"weird.w\""), e.getMessage());

        meta.put("format_version", "7");
        SafeTensors.save(plain, Map.of("model.w", Tensor.ones(1)), meta);
        e = assertThrows(IOException.class, () -> Checkpoint.load(plain));
        assertTrue(e.getMessage().contains("unsupported checkpoint version 7"), e.getMessage());
    }

    @Test
    void resumeIntoAMismatchedModelFails() throws IOException {
        Path p = dir.resolve("ck.safetensors");
        Checkpoint.save(p, model(), null, 0, 0, null);
        Sequential other = new Sequential(new Linear(3, 5), new ReLU(), new Linear(5, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.resume(p, other));
        assertTrue(e.getMessage().contains("size mismatch"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new Checkpoint(Map.of(), null, 0, 0, new long[] {1, 2}, null));
    }
}
