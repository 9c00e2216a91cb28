package dev.ember.tensor;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * PyTorch's tensor printing ({@code torch/_tensor_str.py} with the default print options), rule for rule:
 * {@code tensor([[1., 2.],\n        [3., 4.]], dtype=torch.float64)}. Floats whose non-zero finite values are all
 * integers print as {@code 1.}; otherwise four decimals; scientific notation when those magnitudes span more than
 * 1000x or leave [1e-4, 1e8] (integers: only the span and the 1e8 bound). Numbers are rounded as Python's
 * {@code format} does (the exact binary value, ties to even). Rows wrap at 80 characters; tensors over 1000
 * elements are summarised with {@code ...} (three items at each edge), and the format is then chosen from the
 * printed items only.
 */
final class TensorFormat {
    private static final int PRECISION = 4;
    private static final int THRESHOLD = 1000;
    private static final int EDGE = 3;
    private static final int LINEWIDTH = 80;

    private TensorFormat() {
    }

    static String format(Tensor t) {
        String prefix = "tensor(";
        int indent = prefix.length();
        List<String> suffixes = new ArrayList<>();
        String body;
        boolean defaultDType = t.dtype() == DType.FLOAT32 || t.dtype() == DType.INT64 || t.dtype() == DType.BOOL;
        if (!t.device().equals(Device.CPU)) {
            suffixes.add("device='" + t.device() + "'"); // first, as PyTorch prints it
        }
        if (t.numel() == 0) {
            if (t.dim() != 1) {
                suffixes.add("size=" + tuple(t.shape));
            }
            if (t.dtype() != DType.FLOAT32) { // nothing shows an empty tensor's dtype otherwise
                suffixes.add("dtype=" + t.dtype().torchName());
            }
            body = "[]";
        } else {
            if (!defaultDType) {
                suffixes.add("dtype=" + t.dtype().torchName());
            }
            body = new Printer(t).tensorStr(0, 0, indent);
        }
        if (t.gradFn != null) {
            suffixes.add("grad_fn=<" + t.gradFn.name() + ">");
        } else if (t.requiresGrad) {
            suffixes.add("requires_grad=True");
        }
        return addSuffixes(prefix + body, suffixes, indent);
    }

    /** Suffixes go on the same line while it stays within the line width (PyTorch's {@code _add_suffixes}). */
    private static String addSuffixes(String tensorStr, List<String> suffixes, int indent) {
        StringBuilder sb = new StringBuilder(tensorStr);
        int lastLineLen = tensorStr.length() - tensorStr.lastIndexOf('\n') + 1;
        for (String suffix : suffixes) {
            if (lastLineLen + suffix.length() + 2 > LINEWIDTH) {
                sb.append(",\n").append(" ".repeat(indent)).append(suffix);
                lastLineLen = indent + suffix.length();
            } else {
                sb.append(", ").append(suffix);
                lastLineLen += suffix.length() + 2;
            }
        }
        return sb.append(')').toString();
    }

    private static String tuple(int[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /** The values of one tensor with the formatter PyTorch would choose for them. */
    private static final class Printer {
        private final int[] shape;
        private final DType dtype;
        private final boolean summarize;
        private double[] doubles;
        private long[] longs;
        private boolean[] bools;
        private boolean intMode = true;
        private boolean sciMode;
        private int maxWidth = 1;

        Printer(Tensor t) {
            shape = t.shape;
            dtype = t.dtype();
            summarize = t.numel() > THRESHOLD;
            Tensor d = t.detach();
            switch (dtype) {
                case BOOL -> bools = d.toBooleanArray();
                case INT64 -> longs = d.toLongArray();
                default -> doubles = d.toDoubleArray();
            }
            if (dtype.isFloatingPoint()) {
                chooseFloatFormat();
            } else {
                forEachPrinted(0, 0, i -> maxWidth = Math.max(maxWidth, raw(i).length()));
            }
        }

        /** PyTorch's {@code _Formatter}: decided by the non-zero finite values that get printed. */
        private void chooseFloatFormat() {
            List<Double> vals = new ArrayList<>();
            forEachPrinted(0, 0, i -> {
                double v = doubles[i];
                if (Double.isFinite(v) && v != 0) {
                    vals.add(v);
                }
            });
            if (vals.isEmpty()) {
                return;
            }
            double min = Double.POSITIVE_INFINITY;
            double max = 0;
            for (double v : vals) {
                min = Math.min(min, Math.abs(v));
                max = Math.max(max, Math.abs(v));
                intMode &= v == Math.ceil(v);
            }
            boolean wide = max / min > 1000.0 || max > 1.0e8;
            sciMode = intMode ? wide : wide || min < 1.0e-4;
            for (double v : vals) {
                int len = sciMode ? sci(v).length() : intMode ? fixed(v, 0).length() + 1 : fixed(v, PRECISION).length();
                maxWidth = Math.max(maxWidth, len);
            }
        }

        /** Visits the flat indices that get printed (all, or the edges of every long dim when summarising). */
        private void forEachPrinted(int dim, int start, IntConsumer visit) {
            if (shape.length == 0) {
                visit.accept(0);
                return;
            }
            int stride = strideOf(dim);
            for (int i : printedIndices(shape[dim])) {
                if (i < 0) {
                    continue;
                }
                if (dim == shape.length - 1) {
                    visit.accept(start + i);
                } else {
                    forEachPrinted(dim + 1, start + i * stride, visit);
                }
            }
        }

        /** Indices along a dim of this size, with -1 standing for the ellipsis. */
        private int[] printedIndices(int size) {
            if (summarize && size > 2 * EDGE) {
                int[] r = new int[2 * EDGE + 1];
                for (int i = 0; i < EDGE; i++) {
                    r[i] = i;
                    r[EDGE + 1 + i] = size - EDGE + i;
                }
                r[EDGE] = -1;
                return r;
            }
            int[] r = new int[size];
            for (int i = 0; i < size; i++) {
                r[i] = i;
            }
            return r;
        }

        private int strideOf(int dim) {
            int stride = 1;
            for (int d = dim + 1; d < shape.length; d++) {
                stride *= shape[d];
            }
            return stride;
        }

        String tensorStr(int dim, int start, int indent) {
            if (shape.length == 0) {
                return cell(0);
            }
            int[] idx = printedIndices(shape[dim]);
            if (dim == shape.length - 1) {
                return vectorStr(idx, start, indent);
            }
            int stride = strideOf(dim);
            List<String> slices = new ArrayList<>();
            for (int i : idx) {
                slices.add(i < 0 ? "..." : tensorStr(dim + 1, start + i * stride, indent + 1));
            }
            String sep = "," + "\n".repeat(shape.length - dim - 1) + " ".repeat(indent + 1);
            return "[" + String.join(sep, slices) + "]";
        }

        private String vectorStr(int[] idx, int start, int indent) {
            int elementLength = maxWidth + 2;
            int perLine = Math.max(1, Math.floorDiv(LINEWIDTH - indent, elementLength));
            List<String> data = new ArrayList<>();
            for (int i : idx) {
                data.add(i < 0 ? " ..." : cell(start + i));
            }
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < data.size(); i += perLine) {
                lines.add(String.join(", ", data.subList(i, Math.min(data.size(), i + perLine))));
            }
            return "[" + String.join(",\n" + " ".repeat(indent + 1), lines) + "]";
        }

        private String raw(int i) {
            return switch (dtype) {
                case BOOL -> bools[i] ? "True" : "False";
                case INT64 -> Long.toString(longs[i]);
                default -> throw new IllegalStateException();
            };
        }

        /** One element, right-aligned to the common width. */
        private String cell(int i) {
            String s;
            if (!dtype.isFloatingPoint()) {
                s = raw(i);
            } else {
                double v = doubles[i];
                if (sciMode) {
                    s = sci(v);
                } else if (intMode) {
                    s = fixed(v, 0) + (Double.isFinite(v) ? "." : "");
                } else {
                    s = fixed(v, PRECISION);
                }
            }
            return s.length() >= maxWidth ? s : " ".repeat(maxWidth - s.length()) + s;
        }
    }

    private static String nonFinite(double v) {
        return Double.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
    }

    private static boolean negative(double v) {
        return v < 0 || (v == 0 && 1 / v < 0);
    }

    /** Python's {@code "{:.Nf}".format(v)}: the exact binary value rounded half-even, sign kept for -0. */
    static String fixed(double v, int decimals) {
        if (!Double.isFinite(v)) {
            return nonFinite(v);
        }
        String s = new BigDecimal(Math.abs(v)).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
        return negative(v) ? "-" + s : s;
    }

    /** Python's {@code "{:.4e}".format(v)}: {@code 1.2346e+02}, at least two exponent digits. */
    static String sci(double v) {
        if (!Double.isFinite(v)) {
            return nonFinite(v);
        }
        String digits;
        int exp;
        if (v == 0) {
            digits = "0".repeat(PRECISION + 1);
            exp = 0;
        } else {
            BigDecimal bd = new BigDecimal(Math.abs(v)).round(new MathContext(PRECISION + 1, RoundingMode.HALF_EVEN));
            digits = bd.unscaledValue().toString();
            exp = bd.precision() - bd.scale() - 1;
            digits = (digits + "0".repeat(PRECISION + 1)).substring(0, PRECISION + 1);
        }
        int a = Math.abs(exp);
        return (negative(v) ? "-" : "") + digits.charAt(0) + "." + digits.substring(1) + "e" + (exp < 0 ? "-" : "+")
                + (a < 10 ? "0" : "") + a;
    }
}
