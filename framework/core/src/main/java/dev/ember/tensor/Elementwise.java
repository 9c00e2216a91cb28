package dev.ember.tensor;

import dev.ember.backend.BinaryOp;
import dev.ember.backend.CompareOp;
import dev.ember.backend.UnaryOp;

/**
 * Element-wise ops, each forward with its backward beside it. Broadcast inputs are passed to kernels as
 * stride-0 views; the engine sums gradients back to each input's shape, so backward formulas here are
 * written for equal shapes.
 */
final class Elementwise {
    private Elementwise() {
    }

    static void sameDevice(String op, Tensor a, Tensor b) {
        if (!a.device().equals(b.device())) {
            throw Devices.mismatch(op, a.device(), b.device());
        }
    }

    /** The operand viewed with {@code shape} in dtype {@code dtype} (converted copy only if dtypes differ). */
    static Tensor prepare(Tensor t, DType dtype, int[] shape) {
        Tensor c = t.dtype() == dtype ? t : Views.copyOf(t, dtype);
        return new Tensor(c.storage, shape, Shapes.broadcastStrides(c.shape, c.strides, shape), c.offset, null);
    }

    static DType binaryResultType(BinaryOp op, Tensor a, Tensor b) {
        DType t = Promotion.resultType(a, b);
        if (op == BinaryOp.DIV && !t.isFloatingPoint()) {
            return DType.FLOAT32; // true division
        }
        if (op == BinaryOp.SUB && t == DType.BOOL) {
            throw new IllegalArgumentException("sub: subtraction with two bool tensors is not supported; "
                    + "use logical operations instead (shapes " + Shapes.str(a.shape) + " and " + Shapes.str(b.shape) + ")");
        }
        if (op == BinaryOp.POW && t == DType.BOOL) {
            throw new IllegalArgumentException("pow: not supported for two bool tensors");
        }
        return t;
    }

    /** Computes {@code op(a, b)} into a new tensor of the promoted dtype, without recording. */
    static Tensor compute(BinaryOp op, Tensor a, Tensor b, DType dtype) {
        String name = op.opName();
        Device device = Devices.common(name, a, b);
        Tensor byValue = withNumber(op, a, b, dtype, device);
        if (byValue != null) {
            return byValue;
        }
        Tensor x = Devices.align(name, inDType(a, dtype, device), device);
        Tensor y = Devices.align(name, inDType(b, dtype, device), device);
        int[] shape = Shapes.broadcast(name, a.shape, b.shape);
        Tensor out = Creation.output(dtype, shape, x);
        out.backend().binary(op, prepare(x, dtype, shape).strided(), prepare(y, dtype, shape).strided(), out.strided());
        return out;
    }

    /** A host number bound for a device, converted to the op's dtype on the host: no conversion kernel there. */
    private static Tensor inDType(Tensor t, DType dtype, Device device) {
        return !device.equals(Device.CPU) && hostNumber(t) && t.dtype() != dtype ? t.to(dtype) : t;
    }

    /**
     * op on a device tensor of the result's dtype and a number on the host (a Java double or long, or any CPU
     * scalar that needs no gradient), with the number passed to the backend's kernel by value: no device scalar to
     * make, convert and read (one launch instead of two or three). Null when that does not apply.
     */
    private static Tensor withNumber(BinaryOp op, Tensor a, Tensor b, DType dtype, Device device) {
        boolean numberFirst = hostNumber(a);
        Tensor t = numberFirst ? b : a;
        Tensor n = numberFirst ? a : b;
        if (device.equals(Device.CPU) || !hostNumber(n) || hostNumber(t) || t.dtype() != dtype
                || !dtype.isFloatingPoint() || !t.isContiguous()) {
            return null;
        }
        double v = n.item();
        if (!n.dtype().isFloatingPoint() && Math.abs(v) > 0x1p53) {
            return null; // a long that a double would round before the kernel rounds it again
        }
        Tensor out = Creation.output(dtype, t.shape.clone(), t);
        return t.backend().binaryScalar(op, t.strided(), v, numberFirst, out.strided()) ? out : null;
    }

    private static boolean hostNumber(Tensor t) {
        return t.dim() == 0 && t.device().equals(Device.CPU) && !t.requiresGrad;
    }

    static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        Tensor out = compute(op, a, b, binaryResultType(op, a, b));
        Tensor[] in = {a, b};
        return switch (op) {
            case ADD -> Graph.record("AddBackward0", out, in, Graph.NONE, g -> new Tensor[] {g, g});
            // gradients are only computed for inputs that need them (a mask or a constant needs none)
            case SUB -> Graph.record("SubBackward0", out, in, Graph.NONE,
                    g -> new Tensor[] {g, b.requiresGrad ? g.neg() : null});
            case MUL -> Graph.record("MulBackward0", out, in, in,
                    g -> new Tensor[] {a.requiresGrad ? g.mul(b) : null, b.requiresGrad ? g.mul(a) : null});
            case DIV -> Graph.record("DivBackward0", out, in, new Tensor[] {a, b},
                    g -> new Tensor[] {a.requiresGrad ? g.div(b) : null,
                        b.requiresGrad ? g.neg().mul(a).div(b.mul(b)) : null});
            // d(a^b)/da = b a^(b-1); d(a^b)/db = a^b log a (only where a > 0 matters in practice)
            case POW -> Graph.record("PowBackward1", out, in, new Tensor[] {a, b, out},
                    g -> new Tensor[] {g.mul(b).mul(a.pow(b.sub(1.0))), b.requiresGrad ? g.mul(out).mul(a.log()) : null});
            // ties split the gradient equally between the operands, as in PyTorch
            case MAXIMUM, MINIMUM -> Graph.record(op == BinaryOp.MAXIMUM ? "MaximumBackward0" : "MinimumBackward0",
                    out, in, in, g -> {
                        Tensor aWins = (op == BinaryOp.MAXIMUM ? a.gt(b) : a.lt(b)).to(g.dtype());
                        Tensor tie = a.eq(b).to(g.dtype()).mul(0.5);
                        Tensor wa = aWins.add(tie);
                        return new Tensor[] {g.mul(wa), g.mul(wa.neg().add(1.0))};
                    });
        };
    }

    static Tensor unary(UnaryOp op, Tensor x) {
        DType dtype = x.dtype();
        if (dtype == DType.BOOL) {
            throw new IllegalArgumentException(op.opName() + ": not supported for bool tensors (shape "
                    + Shapes.str(x.shape) + "); convert with toFloat() or toLong() first");
        }
        if (!dtype.isFloatingPoint() && !op.keepsIntegers()) {
            dtype = DType.FLOAT32; // integer inputs to floating functions promote to the default dtype
        }
        Tensor out = Creation.output(dtype, x.shape.clone(), x);
        out.backend().unary(op, x.strided(), out.strided());
        Tensor[] in = {x};
        return switch (op) {
            case NEG -> Graph.record("NegBackward0", out, in, Graph.NONE, g -> new Tensor[] {g.neg()});
            case EXP -> Graph.record("ExpBackward0", out, in, new Tensor[] {out}, g -> new Tensor[] {g.mul(out)});
            case LOG -> Graph.record("LogBackward0", out, in, in, g -> new Tensor[] {g.div(x)});
            case TANH -> Graph.record("TanhBackward0", out, in, new Tensor[] {out},
                    g -> new Tensor[] {g.mul(out.mul(out).neg().add(1.0))});
            case SIGMOID -> Graph.record("SigmoidBackward0", out, in, new Tensor[] {out},
                    g -> new Tensor[] {g.mul(out.mul(out.neg().add(1.0)))});
            // PyTorch's threshold_backward: the gradient where the output is positive, 0 elsewhere
            case RELU -> Graph.record("ReluBackward0", out, in, new Tensor[] {out},
                    g -> new Tensor[] {reluBackward(out, g)});
            case SQRT -> Graph.record("SqrtBackward0", out, in, new Tensor[] {out},
                    g -> new Tensor[] {g.div(out.mul(2.0))});
            case ABS -> Graph.record("AbsBackward0", out, in, in, g -> new Tensor[] {g.mul(x.sign())});
            case SIGN -> Graph.record("SignBackward0", out, in, Graph.NONE, g -> new Tensor[] {g.mul(0.0)});
            case SIN -> Graph.record("SinBackward0", out, in, in, g -> new Tensor[] {g.mul(x.cos())});
            case COS -> Graph.record("CosBackward0", out, in, in, g -> new Tensor[] {g.mul(x.sin()).neg()});
            // d erf(x)/dx = 2/sqrt(pi) exp(-x^2)
            case ERF -> Graph.record("ErfBackward0", out, in, in,
                    g -> new Tensor[] {g.mul(x.mul(x).neg().exp().mul(2 / Math.sqrt(Math.PI)))});
            case ERFC -> Graph.record("ErfcBackward0", out, in, in,
                    g -> new Tensor[] {g.mul(x.mul(x).neg().exp().mul(-2 / Math.sqrt(Math.PI)))});
        };
    }

    /** ReLU's gradient: the backend's one-pass kernel where it has one, else where(out > 0, g, 0). */
    private static Tensor reluBackward(Tensor out, Tensor g) {
        if (out.dtype() == g.dtype() && out.dtype().isFloatingPoint() && out.device().equals(g.device())) {
            Tensor o = Fused.contiguous(out);
            Tensor gc = Fused.contiguous(g);
            Tensor gx = Creation.output(g.dtype(), g.shape.clone(), g);
            if (gx.backend().reluBackward(o.strided(), gc.strided(), gx.strided())) {
                return gx;
            }
        }
        return where(out.gt(0.0), g, Tensor.scalar(g.dtype(), 0));
    }

    /** NaN bounds mean "no bound" (clampMin, clampMax). */
    static Tensor clamp(Tensor x, double min, double max) {
        if (Double.isNaN(min) && Double.isNaN(max)) {
            throw new IllegalArgumentException("clamp: at least one of min or max must be given");
        }
        if (x.dtype() == DType.BOOL) {
            throw new IllegalArgumentException("clamp: not supported for bool tensors");
        }
        Tensor out = x;
        try (var ignored = dev.ember.autograd.Autograd.noGrad()) {
            if (!Double.isNaN(min)) {
                out = compute(BinaryOp.MAXIMUM, out, Creation.wrap(min), binaryResultType(BinaryOp.MAXIMUM, x, Creation.wrap(min)));
            }
            if (!Double.isNaN(max)) {
                out = compute(BinaryOp.MINIMUM, out, Creation.wrap(max), binaryResultType(BinaryOp.MINIMUM, out, Creation.wrap(max)));
            }
        }
        return Graph.record("ClampBackward1", out, x, new Tensor[] {x}, g -> {
            Tensor pass = Tensor.onesLike(g);
            if (!Double.isNaN(min)) {
                pass = pass.mul(x.ge(min).to(g.dtype()));
            }
            if (!Double.isNaN(max)) {
                pass = pass.mul(x.le(max).to(g.dtype()));
            }
            return new Tensor[] {g.mul(pass)};
        });
    }

    static Tensor compare(CompareOp op, Tensor a, Tensor b) {
        Device device = Devices.common(op.opName(), a, b);
        DType dtype = Promotion.resultType(a, b);
        int[] shape = Shapes.broadcast(op.opName(), a.shape, b.shape);
        Tensor x = Devices.align(op.opName(), a, device);
        Tensor y = Devices.align(op.opName(), b, device);
        Tensor out = Creation.output(DType.BOOL, shape, x);
        out.backend().compare(op, prepare(x, dtype, shape).strided(), prepare(y, dtype, shape).strided(), out.strided());
        return out;
    }

    static Tensor where(Tensor cond, Tensor x, Tensor y) {
        if (cond.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("where: expected condition to be a bool tensor, got "
                    + cond.dtype().torchName());
        }
        Device device = Devices.common("where", cond, x, y);
        DType dtype = Promotion.resultType(x, y);
        int[] shape = Shapes.broadcast("where", Shapes.broadcast("where", cond.shape, x.shape), y.shape);
        Tensor c = Devices.align("where", cond, device);
        Tensor a = Devices.align("where", x, device);
        Tensor b = Devices.align("where", y, device);
        Tensor out = Creation.output(dtype, shape, a);
        out.backend().where(prepare(c, DType.BOOL, shape).strided(), prepare(a, dtype, shape).strided(),
                prepare(b, dtype, shape).strided(), out.strided());
        return Graph.record("WhereBackward0", out, new Tensor[] {x, y}, new Tensor[] {cond}, g -> {
            Tensor zero = Tensor.scalar(g.dtype(), 0);
            return new Tensor[] {where(cond, g, zero), where(cond, zero, g)};
        });
    }

    static Tensor maskedFill(Tensor x, Tensor mask, double value) {
        if (mask.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("maskedFill: expected mask to be a bool tensor, got "
                    + mask.dtype().torchName());
        }
        int[] shape = Shapes.broadcast("maskedFill", x.shape, mask.shape);
        if (!java.util.Arrays.equals(shape, x.shape)) {
            throw new IllegalArgumentException("maskedFill: mask of shape " + Shapes.str(mask.shape)
                    + " must broadcast to the tensor's shape " + Shapes.str(x.shape) + ", not grow it to " + Shapes.str(shape));
        }
        return where(mask, Tensor.scalar(x.dtype(), value), x);
    }

    static Tensor cast(Tensor x, DType dtype) {
        if (x.dtype() == dtype) {
            return x;
        }
        Tensor out = Views.copyOf(x, dtype);
        if (!dtype.isFloatingPoint()) {
            return out; // integer results are outside the graph
        }
        return Graph.record("ToCopyBackward0", out, x, Graph.NONE, g -> new Tensor[] {g});
    }
}
