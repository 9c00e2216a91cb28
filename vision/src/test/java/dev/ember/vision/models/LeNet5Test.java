package dev.ember.vision.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeNet5Test {
    @Test
    void parameterCountAndNamesMatchTheClassicLayout() {
        LeNet5 m = new LeNet5();
        assertEquals(61_706, m.numParameters());
        assertEquals(List.of("features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias",
                "classifier.1.weight", "classifier.1.bias", "classifier.3.weight", "classifier.3.bias",
                "classifier.5.weight", "classifier.5.bias"), List.copyOf(m.stateDict().keySet()));
        assertArrayEquals(new long[] {6, 1, 5, 5}, m.stateDict().get("features.0.weight").shape());
        assertArrayEquals(new long[] {120, 400}, m.stateDict().get("classifier.1.weight").shape());
    }

    @Test
    void forwardShapesWithConfigurableChannelsAndClasses() {
        Tensor x = Tensor.randn(2, 1, 28, 28);
        assertArrayEquals(new long[] {2, 10}, new LeNet5().forward(x).shape());
        LeNet5 rgb = new LeNet5(7, 3);
        assertEquals(61_706 - 6 * 25 + 6 * 75 - 84 * 3 - 3, rgb.numParameters());
        assertArrayEquals(new long[] {3, 7}, rgb.forward(Tensor.randn(3, 3, 28, 28)).shape());
    }

    @Test
    void backwardReachesEveryParameter() {
        LeNet5 m = new LeNet5();
        m.forward(Tensor.randn(2, 1, 28, 28)).sum().backward();
        m.parameters().forEach(p -> assertTrue(p.grad() != null));
    }

    @Test
    void wrongInputsAreReportedByTheModel() {
        LeNet5 m = new LeNet5();
        var e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.randn(1, 3, 28, 28)));
        assertTrue(e.getMessage().contains("LeNet5") && e.getMessage().contains("1 input channel"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.randn(1, 1, 32, 32)));
        assertTrue(e.getMessage().contains("28x28"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.randn(1, 28, 28)));
        assertTrue(e.getMessage().contains("4-D"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LeNet5(0, 1));
    }
}
