package dev.ember.tensor;

import java.util.Locale;

/**
 * PyTorch's tensor printing: {@code tensor([[1., 2.],\n        [3., 4.]], dtype=torch.float64)}. Floats whose
 * values are all integers print as {@code 1.}; otherwise four decimals, or scientific notation when the
 * magnitudes span more than 1000x or leave [1e-4, 1e8). Tensors over 1000 elements are summarised with
 * {@code ...} (three items at each edge), as torch does.
 */
final class TensorFormat {
    private static final int THRESHOLD = 1000;
    private static final int EDGE = 3;

    private TensorFormat() {
    }

    static String format(Tensor t) {
        double[] values = t.detach().toDoubleArray();
        boolean summarize = values.length > THRESHOLD;
        String[] cells = cellStrings(t.dtype(), values);
        int width = 0;
        for (String c : cells) {
            width = Math.max(width, c.length());
        }
        StringBuilder sb = new StringBuilder("tensor(");
        if (t.dim() == 0) {
            sb.append(cells[0].strip());
        } else if (values.length == 0) {
            sb.append("[]");
        } else {
            block(sb, t.shape, 0, 0, cells, width, summarize, "tensor(".length());
        }
        if (values.length == 0 && t.dim() != 1) {
            sb.append(", size=(");
            for (int i = 0; i < t.dim(); i++) {
                sb.append(i > 0 ? ", " : "").append(t.shape[i]);
            }
            sb.append(t.dim() == 1 ? ",)" : ")");
        }
        if (t.dtype() != DType.FLOAT32 && t.dtype() != DType.INT64 && t.dtype() != DType.BOOL) {
            sb.append(", dtype=").append(t.dtype().torchName());
        }
        if (t.gradFn != null) {
            sb.append(", grad_fn=<").append(t.gradFn.name()).append('>');
        } else if (t.requiresGrad) {
            sb.append(", requires_grad=True");
        }
        return sb.append(')').toString();
    }

    private static void block(StringBuilder sb, int[] shape, int dim, int start, String[] cells, int width,
                              boolean summarize, int indent) {
        int size = shape[dim];
        int stride = 1;
        for (int d = dim + 1; d < shape.length; d++) {
            stride *= shape[d];
        }
        sb.append('[');
        for (int i = 0; i < size; i++) {
            if (summarize && size > 2 * EDGE && i == EDGE) {
                sb.append(dim == shape.length - 1 ? "..., " : "...,\n" + " ".repeat(indent + dim + 1));
                i = size - EDGE - 1;
                continue;
            }
            if (dim == shape.length - 1) {
                String c = cells[start + i];
                sb.append(" ".repeat(width - c.length())).append(c);
                if (i < size - 1) {
                    sb.append(", ");
                }
            } else {
                block(sb, shape, dim + 1, start + i * stride, cells, width, summarize, indent);
                if (i < size - 1) {
                    sb.append(',').append("\n".repeat(shape.length - dim - 1)).append(" ".repeat(indent + dim + 1));
                }
            }
        }
        sb.append(']');
    }

    private static String[] cellStrings(DType dtype, double[] v) {
        String[] out = new String[v.length];
        if (dtype == DType.BOOL) {
            for (int i = 0; i < v.length; i++) {
                out[i] = v[i] != 0 ? "True" : "False";
            }
            return out;
        }
        if (dtype == DType.INT64) {
            for (int i = 0; i < v.length; i++) {
                out[i] = Long.toString((long) v[i]);
            }
            return out;
        }
        boolean allInts = true;
        double maxAbs = 0;
        double minAbs = Double.POSITIVE_INFINITY;
        for (double x : v) {
            if (Double.isFinite(x)) {
                double a = Math.abs(x);
                allInts &= x == Math.rint(x);
                if (a != 0) {
                    maxAbs = Math.max(maxAbs, a);
                    minAbs = Math.min(minAbs, a);
                }
            }
        }
        boolean any = minAbs != Double.POSITIVE_INFINITY;
        boolean sci = any && (allInts ? maxAbs > 1e8 : (maxAbs / minAbs > 1000 || maxAbs > 1e8 || minAbs < 1e-4));
        for (int i = 0; i < v.length; i++) {
            double x = v[i];
            if (Double.isNaN(x)) {
                out[i] = "nan";
            } else if (Double.isInfinite(x)) {
                out[i] = x > 0 ? "inf" : "-inf";
            } else if (sci) {
                out[i] = String.format(Locale.ROOT, "%.4e", x);
            } else if (allInts) {
                out[i] = String.format(Locale.ROOT, "%.0f.", x);
            } else {
                out[i] = String.format(Locale.ROOT, "%.4f", x);
            }
        }
        return out;
    }
}
