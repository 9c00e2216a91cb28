package dev.ember.apps.tutorial;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class NeuronTest {

    /** The exact output of the PyTorch program (torch 2.x, float64), digit for digit. */
    static final List<String> PYTORCH_OUTPUT = List.of(
            "0.7071066904050358",
            "---",
            "x2 0.5000001283844369",
            "w2 0.0",
            "x1 -1.5000003851533106",
            "w1 1.0000002567688737");

    @Test
    void printsWhatPyTorchPrints() {
        assertEquals(PYTORCH_OUTPUT, Neuron.run());
    }
}
