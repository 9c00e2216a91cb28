package dev.ember.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.autograd.Autograd;
import dev.ember.nn.functional.Convolutions;
import dev.ember.nn.functional.Pooling;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The convolution, pooling and normalisation layers beyond the PyTorch fixtures: default initialisation,
 * parameter and buffer names, shapes and dtypes, printing with default arguments, mode switching, and the
 * error messages for bad arguments and inputs.
 */
class ConvLayersTest {

    @BeforeEach
    void seed() {
        Ember.manualSeed(1);
    }

    /** kaiming_uniform(a=sqrt(5)) is U(+-1/sqrt(fan_in)); the bias uses the same bound. */
    private static void assertUniformWithin(Tensor t, double bound) {
        double[] v = t.toDoubleArray();
        double max = 0;
        for (double x : v) {
            assertTrue(Math.abs(x) <= bound, "value " + x + " outside +-" + bound);
            max = Math.max(max, Math.abs(x));
        }
        assertTrue(max > 0.7 * bound, "values should spread over +-" + bound + ", largest " + max);
    }

    @Test
    void convolutionsInitialiseAsPyTorch() {
        Conv2d c = new Conv2d(4, 8, 3);
        assertArrayEquals(new long[] {8, 4, 3, 3}, c.weight.shape());
        assertEquals(DType.FLOAT32, c.weight.dtype());
        assertUniformWithin(c.weight, 1 / Math.sqrt(4 * 9));
        assertUniformWithin(c.bias, 1 / Math.sqrt(4 * 9));
        assertEquals(List.of("weight", "bias"), List.copyOf(c.namedParameters().keySet()));

        Conv2d g = new Conv2d(6, 4, 3, 1, 1, 1, 2, false, "zeros");
        assertArrayEquals(new long[] {4, 3, 3, 3}, g.weight.shape());
        assertNull(g.bias);
        assertEquals(List.of("weight"), List.copyOf(g.stateDict().keySet()));

        Conv1d c1 = new Conv1d(3, 5, 4);
        assertArrayEquals(new long[] {5, 3, 4}, c1.weight.shape());
        assertUniformWithin(c1.weight, 1 / Math.sqrt(12));

        // transposed weight (in, out/groups, kH, kW): PyTorch's fan_in is out/groups * kH * kW
        ConvTranspose2d t = new ConvTranspose2d(6, 4, new long[] {3, 2}, new long[] {1, 1}, new long[] {0, 0},
                new long[] {0, 0}, 2, true, new long[] {1, 1}, "zeros");
        assertArrayEquals(new long[] {6, 2, 3, 2}, t.weight.shape());
        assertUniformWithin(t.weight, 1 / Math.sqrt(2 * 6));
        assertUniformWithin(t.bias, 1 / Math.sqrt(2 * 6));
    }

    @Test
    void printsWithDefaultArguments() {
        assertEquals("Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))", new Conv2d(1, 6, 5).toString());
        assertEquals("Conv2d(3, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))",
                new Conv2d(3, 8, 3, 2, 1).toString());
        assertEquals("Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=same)",
                new Conv2d(3, 8, 3, 1, "same").toString());
        assertEquals("Conv1d(2, 4, kernel_size=(3,), stride=(1,))", new Conv1d(2, 4, 3).toString());
        assertEquals("ConvTranspose2d(4, 2, kernel_size=(2, 2), stride=(2, 2))",
                new ConvTranspose2d(4, 2, 2, 2).toString());
        assertEquals("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
                new MaxPool2d(2).toString());
        assertEquals("MaxPool2d(kernel_size=(2, 3), stride=(2, 3), padding=(0, 1), dilation=(1, 1), ceil_mode=True)",
                new MaxPool2d(new long[] {2, 3}, null, new long[] {0, 1}, new long[] {1, 1}, true).toString());
        assertEquals("MaxPool1d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)",
                new MaxPool1d(3).toString());
        assertEquals("AvgPool2d(kernel_size=2, stride=2, padding=0)", new AvgPool2d(2).toString());
        assertEquals("AdaptiveAvgPool2d(output_size=(1, 1))", new AdaptiveAvgPool2d(new long[] {1, 1}).toString());
        assertEquals("BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)",
                new BatchNorm2d(16).toString());
        assertEquals("GroupNorm(4, 8, eps=1e-05, affine=True)", new GroupNorm(4, 8).toString());
        Sequential net = new Sequential(new Conv2d(1, 2, 3), new MaxPool2d(2));
        assertEquals("Sequential(\n  (0): Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1))\n"
                + "  (1): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n)", net.toString());
    }

    @Test
    void batchNormStateAndModes() {
        BatchNorm2d bn = new BatchNorm2d(3);
        Map<String, Tensor> state = bn.stateDict();
        assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
                List.copyOf(state.keySet()));
        assertEquals(DType.INT64, state.get("num_batches_tracked").dtype());
        assertEquals(0, state.get("num_batches_tracked").dim());
        assertArrayEquals(new double[] {1, 1, 1}, bn.runningVar().toDoubleArray());

        bn.to(DType.FLOAT64); // float buffers convert, the counter stays int64
        assertEquals(DType.FLOAT64, bn.runningMean().dtype());
        assertEquals(DType.INT64, bn.numBatchesTracked().dtype());
        Tensor x = Tensor.randn(DType.FLOAT64, 4, 3, 2, 2).mul(2.0).add(1.0);
        Tensor y = bn.forward(x);
        assertEquals(1, bn.numBatchesTracked().item());
        assertEquals(0.0, y.mean(new int[] {0, 2, 3}, false).abs().max().item(), 1e-12);
        double[] mean = x.mean(new int[] {0, 2, 3}, false).mul(0.1).toDoubleArray();
        assertArrayEquals(mean, bn.runningMean().toDoubleArray(), 1e-12);

        bn.eval();
        Tensor e = bn.forward(x);
        assertEquals(1, bn.numBatchesTracked().item(), "eval leaves the statistics alone");
        Tensor expected = x.sub(bn.runningMean().reshape(1, 3, 1, 1))
                .div(bn.runningVar().add(1e-5).sqrt().reshape(1, 3, 1, 1));
        assertArrayEquals(expected.toDoubleArray(), e.toDoubleArray(), 1e-12);

        bn.resetRunningStats();
        assertEquals(0, bn.numBatchesTracked().item());
        assertArrayEquals(new double[] {0, 0, 0}, bn.runningMean().toDoubleArray());

        BatchNorm1d plain = new BatchNorm1d(2, 1e-5, 0.1, false, false);
        assertTrue(plain.stateDict().isEmpty());
        assertTrue(plain.parameters().isEmpty());
        plain.eval(); // no running statistics: batch statistics in eval mode too
        Tensor z = plain.forward(Tensor.of(new double[] {1, 10, 3, 30}, 2, 2));
        assertArrayEquals(new double[] {-1, -1, 1, 1}, z.toDoubleArray(), 1e-4);
    }

    @Test
    void layersRunInFloat32AndKeepShapes() {
        Tensor x = Tensor.randn(2, 1, 12, 12).requiresGrad(true);
        Sequential net = new Sequential(new Conv2d(1, 4, 3, 1, 1), new BatchNorm2d(4), new MaxPool2d(2),
                new Conv2d(4, 6, 3, 1, "same"), new GroupNorm(2, 6), new AvgPool2d(2), new AdaptiveAvgPool2d(1));
        Tensor y = net.forward(x);
        assertArrayEquals(new long[] {2, 6, 1, 1}, y.shape());
        assertEquals(DType.FLOAT32, y.dtype());
        y.sum().backward();
        assertArrayEquals(x.shape(), x.grad().shape());
        for (Tensor p : net.parameters()) {
            assertEquals(DType.FLOAT32, p.grad().dtype());
        }
        ConvTranspose2d up = new ConvTranspose2d(6, 3, 3, 2, 1);
        assertArrayEquals(new long[] {2, 3, 11, 11}, up.forward(Tensor.randn(2, 6, 6, 6)).shape());
        assertArrayEquals(new long[] {2, 3, 12, 12},
                up.forward(Tensor.randn(2, 6, 6, 6), new long[] {12, 12}).shape());
    }

    @Test
    void conv2dMatchesADirectSum() {
        // one output element written out by hand: sum over channels and kernel of x * w, plus bias
        Tensor x = Tensor.randn(DType.FLOAT64, 1, 2, 4, 4);
        Tensor w = Tensor.randn(DType.FLOAT64, 3, 2, 2, 2);
        Tensor b = Tensor.randn(DType.FLOAT64, 3);
        Tensor y;
        try (var ignored = Autograd.noGrad()) {
            y = Convolutions.conv2d(x, w, b, new long[] {2, 1}, new long[] {1, 0}, new long[] {1, 2}, 1);
        }
        assertArrayEquals(new long[] {1, 3, 3, 2}, y.shape());
        double[] xv = x.toDoubleArray();
        double[] wv = w.toDoubleArray();
        int o = 1;
        int i = 2;
        int j = 1;
        double sum = b.toDoubleArray()[o];
        for (int c = 0; c < 2; c++) {
            for (int kh = 0; kh < 2; kh++) {
                for (int kw = 0; kw < 2; kw++) {
                    int r = i * 2 - 1 + kh;
                    int s = j + kw * 2;
                    if (r >= 0 && r < 4 && s < 4) {
                        sum += xv[(c * 4 + r) * 4 + s] * wv[((o * 2 + c) * 2 + kh) * 2 + kw];
                    }
                }
            }
        }
        assertEquals(sum, y.toDoubleArray()[(o * 3 + i) * 2 + j], 1e-12);
    }

    private static void assertMessage(String expected, Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(expected), "message was: " + ex.getMessage());
    }

    @Test
    void badArgumentsAndInputsAreExplained() {
        assertMessage("Conv2d: in_channels must be divisible by groups (in_channels=3, groups=2)",
                () -> new Conv2d(3, 4, 3, 1, 1, 1, 2, true, "zeros"));
        assertMessage("Conv2d: padding='same' is not supported for strided convolutions",
                () -> new Conv2d(3, 4, 3, 2, "same"));
        assertMessage("Conv2d: invalid padding string 'full'", () -> new Conv2d(3, 4, 3, 1, "full"));
        assertMessage("padding_mode must be one of [zeros, reflect, replicate, circular], but got padding_mode='mirror'",
                () -> new Conv2d(3, 4, 3, 1, 1, 1, 1, true, "mirror"));
        assertMessage("ConvTranspose2d: only \"zeros\" padding mode is supported",
                () -> new ConvTranspose2d(2, 2, 3, 1, 0, 0, 1, true, 1, "reflect"));
        assertMessage("GroupNorm: num_channels must be divisible by num_groups",
                () -> new GroupNorm(3, 4));

        Conv2d conv = new Conv2d(3, 4, 3);
        assertMessage("conv2d: given groups=1, weight of size [4, 3, 3, 3], expected input[1, 2, 5, 5] to have 3 "
                + "channels, but got 2 channels instead", () -> conv.forward(Tensor.zeros(1, 2, 5, 5)));
        assertMessage("conv2d: expected 3D (unbatched) or 4D (batched) input, but got input of size [5, 5]",
                () -> conv.forward(Tensor.zeros(5, 5)));
        assertMessage("Kernel size can't be greater than actual input size",
                () -> conv.forward(Tensor.zeros(1, 3, 2, 5)));
        assertMessage("conv2d: input, weight and bias must have the same dtype, got input torch.float64, weight torch.float32",
                () -> conv.forward(Tensor.zeros(DType.FLOAT64, 1, 3, 5, 5)));
        assertMessage("conv1d: expected 2D (unbatched) or 3D (batched) input",
                () -> new Conv1d(1, 1, 2).forward(Tensor.zeros(1, 1, 2, 2)));
        assertMessage("conv_transpose2d: output padding must be smaller than either stride or dilation",
                () -> Convolutions.convTranspose2d(Tensor.zeros(1, 2, 3, 3), Tensor.zeros(2, 2, 3, 3), null,
                        new long[] {1, 1}, new long[] {0, 0}, new long[] {1, 1}, 1, new long[] {1, 1}));
        assertMessage("ConvTranspose2d: requested an output size of [13, 13], but valid sizes range from 11 to 12",
                () -> new ConvTranspose2d(6, 3, 3, 2, 1).forward(Tensor.zeros(1, 6, 6, 6), new long[] {13, 13}));

        assertMessage("max_pool2d: pad should be smaller than or equal to half of kernel size",
                () -> new MaxPool2d(2, 2, 2).forward(Tensor.zeros(1, 1, 4, 4)));
        assertMessage("max_pool2d: given input size: (1x1x1). Calculated output size: (1x0x0). Output size is too small",
                () -> new MaxPool2d(2).forward(Tensor.zeros(1, 1, 1, 1)));
        assertMessage("max_pool2d: expected 3D or 4D (batch mode) tensor for input, but got input of size [4, 4]",
                () -> new MaxPool2d(2).forward(Tensor.zeros(4, 4)));
        assertMessage("avg_pool2d: expected a floating point input, got torch.int64",
                () -> Pooling.avgPool2d(Tensor.zeros(DType.INT64, 1, 2, 2), 2));
        assertMessage("avg_pool2d: divisor must be not zero",
                () -> new AvgPool2d(2, 2, 0, false, true, 0L).forward(Tensor.zeros(1, 1, 4, 4)));

        assertMessage("BatchNorm2d: expected 4D input (got 3D input of shape [2, 3, 4])",
                () -> new BatchNorm2d(3).forward(Tensor.zeros(2, 3, 4)));
        assertMessage("BatchNorm1d: expected input with 3 channels in dim 1, got shape [2, 4]",
                () -> new BatchNorm1d(3).forward(Tensor.zeros(2, 4)));
        assertMessage("batchNorm: expected more than 1 value per channel when training, got input size [1, 3]",
                () -> new BatchNorm1d(3).forward(Tensor.zeros(1, 3)));
        assertMessage("GroupNorm: expected input of shape (N, 4, *), got [2, 3, 5]",
                () -> new GroupNorm(2, 4).forward(Tensor.zeros(2, 3, 5)));
    }
}
