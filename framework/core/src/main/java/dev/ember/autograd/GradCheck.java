package dev.ember.autograd;

import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Compares autograd's gradients with central finite differences, like {@code torch.autograd.gradcheck} and
 * with its defaults: float64 inputs, eps 1e-6, and an element passes when
 * {@code |analytical - numerical| <= atol + rtol * |numerical|} with atol 1e-5, rtol 1e-3. Every output
 * element's row of the Jacobian is checked for every input that requires grad.
 */
public final class GradCheck {
    public static final double EPS = 1e-6;
    public static final double ATOL = 1e-5;
    public static final double RTOL = 1e-3;

    private GradCheck() {
    }

    /** Returns true, or throws {@link AssertionError} describing the first mismatching Jacobian entry. */
    public static boolean gradcheck(Function<Tensor[], Tensor> f, Tensor... inputs) {
        return gradcheck(f, inputs, EPS, ATOL, RTOL);
    }

    public static boolean gradcheck(Function<Tensor[], Tensor> f, Tensor[] inputs, double eps, double atol, double rtol) {
        boolean any = false;
        for (Tensor x : inputs) {
            if (x.requiresGrad()) {
                any = true;
                long[] shape = x.shape();
                long[] stride = x.stride();
                for (int d = 0; d < shape.length; d++) {
                    if (stride[d] == 0 && shape[d] > 1) {
                        throw new IllegalArgumentException("gradcheck: input of shape " + Arrays.toString(shape)
                                + " has overlapping memory (stride 0); expand inside the function instead");
                    }
                }
                if (x.dtype() != DType.FLOAT64) {
                    throw new IllegalArgumentException("gradcheck: inputs that require grad must be float64 for "
                            + "finite differences to be accurate, got " + x.dtype().torchName());
                }
            }
        }
        if (!any) {
            throw new IllegalArgumentException("gradcheck: expected at least one input tensor to require gradient");
        }
        int outCount = (int) f.apply(inputs).numel();
        for (int k = 0; k < inputs.length; k++) {
            Tensor x = inputs[k];
            if (!x.requiresGrad()) {
                continue;
            }
            double[][] numerical = numericalJacobian(f, inputs, x, eps, outCount);
            double[][] analytical = analyticalJacobian(f, inputs, k, outCount);
            for (int i = 0; i < numerical.length; i++) {
                for (int j = 0; j < outCount; j++) {
                    double n = numerical[i][j];
                    double a = analytical[i][j];
                    if (!(Math.abs(a - n) <= atol + rtol * Math.abs(n))) {
                        throw new AssertionError("gradcheck: Jacobian mismatch for output " + j + " with respect to input "
                                + k + " (shape " + Arrays.toString(x.shape()) + "), element " + i + ": numerical " + n
                                + ", analytical " + a + "\nnumerical:  " + Arrays.deepToString(numerical)
                                + "\nanalytical: " + Arrays.deepToString(analytical));
                    }
                }
            }
        }
        return true;
    }

    /** [input element][output element] by central differences, perturbing x in place under noGrad. */
    private static double[][] numericalJacobian(Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor x, double eps,
                                                int outCount) {
        int n = (int) x.numel();
        double[][] jac = new double[n][outCount];
        for (int i = 0; i < n; i++) {
            Tensor cell = element(x, i);
            double orig = cell.item();
            double[] plus;
            double[] minus;
            try (var ignored = Autograd.noGrad()) {
                cell.filli(orig + eps);
                plus = f.apply(inputs).toDoubleArray();
                cell.filli(orig - eps);
                minus = f.apply(inputs).toDoubleArray();
                cell.filli(orig);
            }
            for (int j = 0; j < outCount; j++) {
                jac[i][j] = (plus[j] - minus[j]) / (2 * eps);
            }
        }
        return jac;
    }

    private static double[][] analyticalJacobian(Function<Tensor[], Tensor> f, Tensor[] inputs, int k, int outCount) {
        Tensor x = inputs[k];
        double[][] jac = new double[(int) x.numel()][outCount];
        for (int j = 0; j < outCount; j++) {
            for (Tensor t : inputs) {
                t.setGrad(null);
            }
            Tensor out = f.apply(inputs);
            double[] onehot = new double[outCount];
            onehot[j] = 1;
            if (!out.requiresGrad()) {
                continue; // output independent of the inputs: a zero Jacobian row
            }
            out.backward(Tensor.of(DType.FLOAT64, onehot, out.shape()).to(out.dtype()));
            Tensor g = x.grad();
            if (g == null) {
                continue;
            }
            double[] gv = g.toDoubleArray();
            for (int i = 0; i < gv.length; i++) {
                jac[i][j] = gv[i];
            }
        }
        for (Tensor t : inputs) {
            t.setGrad(null);
        }
        return jac;
    }

    /** A 0-dim view of element i (row-major) of x, whatever its strides. */
    private static Tensor element(Tensor x, int i) {
        Tensor cell = x.detach();
        long[] shape = x.shape();
        int rest = i;
        for (int d = shape.length - 1; d >= 0; d--) {
            long idx = rest % shape[d];
            rest /= (int) shape[d];
            cell = cell.select(d, idx);
            // select removes dim d; dims before it keep their positions, so walk from the back
        }
        return cell;
    }
}
