package dev.ember.vision.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.Test;

class RunConfigTest {

    @Test
    void jsonRoundTrip() {
        RunConfig c = RunConfig.of("tiny", TinyData.data(), TinyData.config().seed(7).schedule("cosine").build());
        RunConfig back = RunConfig.fromJson(c.toJson(), "test");
        assertEquals(c.model(), back.model());
        assertEquals(c.classes(), back.classes());
        assertArrayEquals(c.mean(), back.mean());
        assertEquals(c.train(), back.train());
        assertTrue(c.toJson().contains("\"diagonal\""), c.toJson());
    }

    @Test
    void normalizeUsesPerChannelMeanAndStd() {
        RunConfig c = new RunConfig(RunConfig.FORMAT, "m", "d", java.util.List.of("a", "b"), 2, 1, 1,
                new double[] {0.5, 0.25}, new double[] {0.5, 0.25}, TinyData.config().build());
        assertArrayEquals(new double[] {1, 3}, c.normalize(Tensor.of(new double[] {1, 1}, 2, 1, 1)).toDoubleArray(),
                1e-7);
        assertThrows(IllegalArgumentException.class, () -> c.normalize(Tensor.zeros(3, 1, 1)));
    }

    @Test
    void rejectsFilesThatAreNotRunConfigs() {
        for (String bad : new String[] {"{}", "[1, 2]", "not json", "",
                "{\"format\": \"ember.vision.classification/1\", \"model\": \"m\", \"dataset\": \"d\"}",
                "{\"format\": \"other\"}"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RunConfig.fromJson(bad, "cfg.json"), bad);
            assertTrue(e.getMessage().startsWith("cfg.json"), e.getMessage());
        }
    }

    @Test
    void trainConfigValidates() {
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.builder().epochs(0).build());
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.builder().lr(-1).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainConfig.builder().schedule("step").build());
        assertTrue(e.getMessage().contains("onecycle, cosine or constant"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.builder().optimizer("lbfgs").build());
    }
}
