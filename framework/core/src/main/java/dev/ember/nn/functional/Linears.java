package dev.ember.nn.functional;

import dev.ember.tensor.Tensor;
import java.util.Arrays;

/** Linear and bilinear maps ({@code F.linear}, {@code F.bilinear}). */
public final class Linears {
    private Linears() {
    }

    /** input (*, in) @ weight (out, in)^T + bias (out) -> (*, out); bias may be null. */
    public static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        if (input.dim() == 0 || input.size(-1) != weight.size(-1)) {
            throw new IllegalArgumentException("linear: input of shape " + Arrays.toString(input.shape())
                    + " does not end in in_features=" + weight.size(-1) + " (weight shape "
                    + Arrays.toString(weight.shape()) + ")");
        }
        if (bias == null || bias.dim() != 1 || input.dim() == 1) {
            Tensor y = input.matmul(weight.t());
            return bias == null ? y : y.add(bias);
        }
        // as PyTorch: addmm over the rows of all leading dims, the bias added in the product's epilogue
        long[] shape = input.shape();
        long rows = 1;
        for (int i = 0; i < shape.length - 1; i++) {
            rows *= shape[i];
        }
        shape[shape.length - 1] = weight.size(0);
        return bias.addmm(input.reshape(rows, input.size(-1)), weight.t()).reshape(shape);
    }

    /**
     * {@code y_k = x1^T A_k x2 + b_k}, as {@code F.bilinear}: input1 (*, in1), input2 (*, in2) with the same leading
     * dims, weight (out, in1, in2), bias (out) or null -> (*, out).
     */
    public static Tensor bilinear(Tensor input1, Tensor input2, Tensor weight, Tensor bias) {
        if (weight.dim() != 3) {
            throw new IllegalArgumentException("bilinear: weight must be 3-D (out, in1, in2), got shape "
                    + Arrays.toString(weight.shape()));
        }
        long out = weight.size(0);
        long in1 = weight.size(1);
        long in2 = weight.size(2);
        long[] s1 = input1.shape();
        long[] s2 = input2.shape();
        if (s1.length == 0 || s2.length == 0 || s1[s1.length - 1] != in1 || s2[s2.length - 1] != in2
                || !Arrays.equals(Arrays.copyOf(s1, s1.length - 1), Arrays.copyOf(s2, s2.length - 1))) {
            throw new IllegalArgumentException("bilinear: inputs of shapes " + Arrays.toString(s1) + " and "
                    + Arrays.toString(s2) + " do not match weight " + Arrays.toString(weight.shape())
                    + " (expected (*, " + in1 + ") and (*, " + in2 + ") with the same leading dims)");
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != out)) {
            throw new IllegalArgumentException("bilinear: bias must have shape [" + out + "], got "
                    + Arrays.toString(bias.shape()));
        }
        Tensor x1 = input1.reshape(-1, in1);
        Tensor x2 = input2.reshape(-1, in2);
        // (B, in1) @ (in1, out * in2) -> (B, out, in2), then contract in2 with x2: einsum("bi,oij,bj->bo")
        Tensor w = weight.permute(1, 0, 2).reshape(in1, out * in2);
        Tensor y = x1.matmul(w).reshape(-1, out, in2).mul(x2.unsqueeze(1)).sum(2, false);
        long[] shape = Arrays.copyOf(s1, s1.length);
        shape[shape.length - 1] = out;
        y = y.reshape(shape);
        return bias == null ? y : y.add(bias);
    }
}
