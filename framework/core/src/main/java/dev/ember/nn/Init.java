package dev.ember.nn;

import dev.ember.autograd.Autograd;
import dev.ember.tensor.Generator;
import dev.ember.tensor.Tensor;

/**
 * Parameter initialisers, as {@code torch.nn.init}: each fills its tensor in place (outside the graph) and
 * returns it. Fans follow PyTorch: for a weight of shape (out, in, k...) fan_in = in * prod(k) and
 * fan_out = out * prod(k). Random numbers come from the default generator ({@code Ember.manualSeed}).
 */
public final class Init {
    private Init() {
    }

    /** PyTorch's {@code calculate_gain}: the recommended scale for a nonlinearity. */
    public static double calculateGain(String nonlinearity, double param) {
        return switch (nonlinearity) {
            case "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
                 "sigmoid" -> 1.0;
            case "tanh" -> 5.0 / 3;
            case "relu" -> Math.sqrt(2.0);
            case "leaky_relu" -> Math.sqrt(2.0 / (1 + param * param));
            case "selu" -> 3.0 / 4;
            default -> throw new IllegalArgumentException("calculateGain: unsupported nonlinearity '" + nonlinearity + "'");
        };
    }

    public static double calculateGain(String nonlinearity) {
        return calculateGain(nonlinearity, 0.01);
    }

    /** {fan_in, fan_out} of a weight with at least 2 dims. */
    public static long[] fans(Tensor t) {
        if (t.dim() < 2) {
            throw new IllegalArgumentException("init: fan in and fan out can not be computed for a tensor with fewer "
                    + "than 2 dimensions (shape " + java.util.Arrays.toString(t.shape()) + ")");
        }
        long receptive = 1;
        for (int d = 2; d < t.dim(); d++) {
            receptive *= t.size(d);
        }
        return new long[] {t.size(1) * receptive, t.size(0) * receptive};
    }

    public static Tensor uniform(Tensor t, double a, double b) {
        return fill(t, Tensor.rand(t.dtype(), t.shape()).mul(b - a).add(a));
    }

    public static Tensor normal(Tensor t, double mean, double std) {
        return fill(t, Tensor.randn(t.dtype(), t.shape()).mul(std).add(mean));
    }

    public static Tensor constant(Tensor t, double value) {
        return fill(t, Tensor.full(t.dtype(), value, t.shape()));
    }

    public static Tensor zeros(Tensor t) {
        return constant(t, 0);
    }

    public static Tensor ones(Tensor t) {
        return constant(t, 1);
    }

    /** {@link #xavierUniform(Tensor, double)} with gain 1. */
    public static Tensor xavierUniform(Tensor t) {
        return xavierUniform(t, 1.0);
    }

    /** {@link #xavierNormal(Tensor, double)} with gain 1. */
    public static Tensor xavierNormal(Tensor t) {
        return xavierNormal(t, 1.0);
    }

    /** PyTorch's defaults: a = 0, mode "fan_in", nonlinearity "leaky_relu" (so gain sqrt(2)). */
    public static Tensor kaimingUniform(Tensor t) {
        return kaimingUniform(t, 0, "fan_in", "leaky_relu");
    }

    /** PyTorch's defaults: a = 0, mode "fan_in", nonlinearity "leaky_relu". */
    public static Tensor kaimingNormal(Tensor t) {
        return kaimingNormal(t, 0, "fan_in", "leaky_relu");
    }

    /** {@link #orthogonal(Tensor, double)} with gain 1. */
    public static Tensor orthogonal(Tensor t) {
        return orthogonal(t, 1.0);
    }

    /** Glorot: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)). */
    public static Tensor xavierUniform(Tensor t, double gain) {
        long[] f = fans(t);
        double a = gain * Math.sqrt(6.0 / (f[0] + f[1]));
        return uniform(t, -a, a);
    }

    public static Tensor xavierNormal(Tensor t, double gain) {
        long[] f = fans(t);
        return normal(t, 0, gain * Math.sqrt(2.0 / (f[0] + f[1])));
    }

    /**
     * He: U(-b, b) with b = gain * sqrt(3 / fan), gain from {@code nonlinearity} and the negative slope
     * {@code a}; {@code mode} is "fan_in" or "fan_out".
     */
    public static Tensor kaimingUniform(Tensor t, double a, String mode, String nonlinearity) {
        double bound = calculateGain(nonlinearity, a) * Math.sqrt(3.0 / fan(t, mode));
        return uniform(t, -bound, bound);
    }

    public static Tensor kaimingNormal(Tensor t, double a, String mode, String nonlinearity) {
        return normal(t, 0, calculateGain(nonlinearity, a) / Math.sqrt(fan(t, mode)));
    }

    private static long fan(Tensor t, String mode) {
        long[] f = fans(t);
        return switch (mode) {
            case "fan_in" -> f[0];
            case "fan_out" -> f[1];
            default -> throw new IllegalArgumentException("init: mode must be \"fan_in\" or \"fan_out\", got \"" + mode + "\"");
        };
    }

    /**
     * A (semi-)orthogonal matrix scaled by {@code gain}: the Q of a Gaussian matrix's QR decomposition with R's
     * diagonal made positive, as PyTorch does; dims after the first are flattened.
     */
    public static Tensor orthogonal(Tensor t, double gain) {
        if (t.dim() < 2) {
            throw new IllegalArgumentException("orthogonal: only tensors with 2 or more dimensions are supported, got shape "
                    + java.util.Arrays.toString(t.shape()));
        }
        int rows = (int) t.size(0);
        int cols = (int) (t.numel() / rows);
        boolean transpose = rows < cols;
        int n = transpose ? cols : rows; // tall matrix n x m, orthonormal columns
        int m = transpose ? rows : cols;
        double[] g = new double[n * m];
        Generator.defaultGenerator().fillGaussian(g);
        double[][] q = new double[m][n]; // columns of the tall matrix, Gram-Schmidt (= QR with positive diag(R))
        for (int j = 0; j < m; j++) {
            for (int i = 0; i < n; i++) {
                q[j][i] = g[i * m + j];
            }
            for (int k = 0; k < j; k++) {
                double dot = 0;
                for (int i = 0; i < n; i++) {
                    dot += q[k][i] * q[j][i];
                }
                for (int i = 0; i < n; i++) {
                    q[j][i] -= dot * q[k][i];
                }
            }
            double norm = 0;
            for (int i = 0; i < n; i++) {
                norm += q[j][i] * q[j][i];
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < n; i++) {
                q[j][i] /= norm;
            }
        }
        double[] out = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = gain * (transpose ? q[r][c] : q[c][r]);
            }
        }
        return fill(t, Tensor.of(t.dtype(), out, t.shape()));
    }

    private static Tensor fill(Tensor t, Tensor values) {
        try (var ignored = Autograd.noGrad()) {
            return t.copyi(values);
        }
    }
}
