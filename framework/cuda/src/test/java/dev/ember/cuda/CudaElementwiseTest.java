package dev.ember.cuda;

import static dev.ember.cuda.GpuCheck.CUDA;
import static dev.ember.cuda.GpuCheck.assertClose;
import static dev.ember.cuda.GpuCheck.forwardBackward;
import static dev.ember.cuda.GpuCheck.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.backend.UnaryOp;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Element-wise kernels against the CPU backend: every op, dtype, broadcast and non-contiguous layout. */
@Tag("gpu")
class CudaElementwiseTest {

    @BeforeAll
    static void gpu() {
        GpuCheck.requireGpu();
    }

    static Tensor apply(UnaryOp op, Tensor x) {
        return switch (op) {
            case NEG -> x.neg();
            case ABS -> x.abs();
            case RELU -> x.relu();
            case SIGN -> x.sign();
            case EXP -> x.exp();
            case LOG -> x.abs().add(0.1).log();
            case TANH -> x.tanh();
            case SIGMOID -> x.sigmoid();
            case SQRT -> x.abs().add(0.1).sqrt();
            case SIN -> x.sin();
            case COS -> x.cos();
            case ERF -> x.erf();
            case ERFC -> x.erfc();
        };
    }

    @Test
    void everyUnaryOpForwardAndBackwardOnATransposedView() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (UnaryOp op : UnaryOp.values()) {
                forwardBackward(op + " " + dtype, t -> apply(op, t[0].transpose(0, 2)), randn(1, dtype, 7, 5, 3));
            }
        }
    }

    @Test
    void integerUnaryOps() {
        Ember.manualSeed(3);
        Tensor x = Tensor.randint(-50, 50, 33, 7);
        assertClose("neg", x.neg(), x.cuda().neg());
        assertClose("abs", x.abs(), x.cuda().abs());
        assertClose("relu", x.relu(), x.cuda().relu());
        assertClose("sign", x.sign(), x.cuda().sign());
        assertClose("exp of int64 promotes", x.exp().div(1e20), x.cuda().exp().div(1e20));
    }

    @Test
    void binaryOpsBroadcastAcrossOddShapes() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor a = randn(2, dtype, 7, 1, 3);
            Tensor b = randn(3, dtype, 5, 1);
            forwardBackward("add " + dtype, t -> t[0].transpose(0, 2).add(t[1]), a, b);
            forwardBackward("sub " + dtype, t -> t[0].transpose(0, 2).sub(t[1]), a, b);
            forwardBackward("mul " + dtype, t -> t[0].transpose(0, 2).mul(t[1]), a, b);
            forwardBackward("div " + dtype, t -> t[0].transpose(0, 2).div(t[1].abs().add(0.5)), a, b);
            forwardBackward("pow " + dtype, t -> t[0].transpose(0, 2).abs().add(0.5).pow(t[1]), a, b);
            forwardBackward("maximum " + dtype, t -> t[0].transpose(0, 2).maximum(t[1]), a, b);
            forwardBackward("minimum " + dtype, t -> t[0].transpose(0, 2).minimum(t[1]), a, b);
            forwardBackward("scalars " + dtype, t -> t[0].mul(2.5).add(1).pow(2.0).sub(Tensor.scalar(3)).div(4), a);
        }
    }

    /**
     * A number on either side of every binary op goes to the kernel by value (scalar_binary_T): the same values
     * as the CPU's, including NaN and signed zeros, for float32 and float64, a float and a long number, a number
     * that rounds differently in float32; a strided operand takes the broadcast path instead.
     */
    @Test
    void numbersOnEitherSidePassedByValue() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor a = randn(4, dtype, 6, 7).mul(2.0);
            double[] special = {Double.NaN, -0.0, 0.0, Double.POSITIVE_INFINITY, 1.0, -1.5};
            Tensor x = Tensor.of(dtype, special, 6).cuda();
            for (Object number : new Object[] {0.1, -3L, 2.5}) {
                Tensor n = number instanceof Long l ? Tensor.scalar(DType.INT64, l) : Tensor.scalar(DType.FLOAT64,
                        (Double) number);
                String what = dtype + " " + number;
                forwardBackward(what + " x op n", t -> t[0].add(n).sub(n).mul(n).div(n).maximum(n).minimum(n), a);
                forwardBackward(what + " n op x", t -> n.add(t[0]).sub(n.sub(t[0])).mul(n.div(t[0].abs().add(1))),
                        a);
                forwardBackward(what + " pow", t -> t[0].abs().add(0.5).pow(n).add(n.pow(t[0])), a);
                forwardBackward(what + " strided", t -> t[0].t().mul(n), a);
                for (Tensor y : new Tensor[] {x.add(n), n.sub(x), x.mul(n), n.div(x), x.maximum(n), n.minimum(x),
                    x.pow(n)}) {
                    assertEquals(CUDA, y.device());
                }
                Tensor c = x.cpu();
                assertClose(what + " specials", c.mul(n).add(n.div(c)).maximum(n),
                        x.mul(n).add(n.div(x)).maximum(n), 0, 0);
            }
        }
    }

    @Test
    void integerAndBoolBinaryOps() {
        Ember.manualSeed(4);
        Tensor a = Tensor.randint(-9, 9, 17, 3);
        Tensor b = Tensor.randint(1, 5, 3);
        assertClose("add", a.add(b), a.cuda().add(b.cuda()));
        assertClose("sub", a.sub(b), a.cuda().sub(b.cuda()));
        assertClose("mul", a.mul(b), a.cuda().mul(b.cuda()));
        assertClose("pow", a.pow(b), a.cuda().pow(b.cuda()));
        assertClose("maximum", a.maximum(b), a.cuda().maximum(b.cuda()));
        assertClose("true division", a.div(b), a.cuda().div(b.cuda()));
        Tensor p = a.gt(0);
        Tensor q = a.lt(3);
        assertClose("bool or", p.add(q), p.cuda().add(q.cuda()));
        assertClose("bool and", p.mul(q), p.cuda().mul(q.cuda()));
    }

    @Test
    void comparisonsWithNaNs() {
        Tensor a = Tensor.of(new double[] {1, Double.NaN, -0.0, 3, 2, Double.NEGATIVE_INFINITY}, 2, 3);
        Tensor b = Tensor.of(new double[] {1, 1, 0.0, Double.NaN, 5, -1}, 2, 3);
        Tensor ga = a.cuda();
        Tensor gb = b.cuda();
        assertClose("eq", a.eq(b), ga.eq(gb));
        assertClose("ne", a.ne(b), ga.ne(gb));
        assertClose("lt", a.lt(b), ga.lt(gb));
        assertClose("le", a.le(b), ga.le(gb));
        assertClose("gt", a.gt(b), ga.gt(gb));
        assertClose("ge", a.ge(b), ga.ge(gb));
        assertClose("maximum propagates NaN", a.maximum(b), ga.maximum(gb));
        assertClose("relu keeps NaN", a.relu(), ga.relu());
        Tensor x = randn(5, DType.FLOAT32, 9, 4);
        assertClose("eq scalar", x.gt(0.25), x.cuda().gt(0.25));
        assertClose("int vs float", Tensor.of(new long[] {1, 2, 3}, 3).lt(Tensor.of(new double[] {1.5, 1.5, 3.5}, 3)),
                Tensor.of(new long[] {1, 2, 3}, 3).cuda().lt(Tensor.of(new double[] {1.5, 1.5, 3.5}, 3).cuda()));
    }

    @Test
    void whereMaskedFillAndClamp() {
        Tensor x = randn(6, DType.FLOAT32, 11, 13);
        Tensor y = randn(7, DType.FLOAT32, 13);
        forwardBackward("where", t -> Tensor.where(t[0].gt(0), t[0], t[1]), x, y);
        forwardBackward("maskedFill", t -> t[0].maskedFill(t[0].lt(-0.5), -7), x);
        forwardBackward("clamp", t -> t[0].clamp(-0.3, 0.4), x);
    }

    @Test
    void conversionsBetweenEveryPairOfDtypes() {
        Tensor base = Tensor.of(new double[] {-2.75, -1, -0.5, 0, 0.25, 1, 2.5, 1e10, -1e10}, 3, 3);
        for (DType from : DType.values()) {
            Tensor x = base.to(from);
            Tensor gx = x.cuda();
            for (DType to : DType.values()) {
                assertClose(from + " -> " + to, x.to(to), gx.to(to), 0, 0);
                assertClose(from + " -> " + to + " strided", x.t().to(to), gx.t().to(to), 0, 0);
            }
        }
    }

    @Test
    void creationOnTheDevice() {
        assertClose("zeros", Tensor.zeros(DType.FLOAT64, 3, 5), Tensor.zeros(DType.FLOAT64, CUDA, 3, 5));
        assertClose("full", Tensor.full(DType.INT64, 7, 4), Tensor.full(DType.INT64, CUDA, 7, 4));
        assertClose("ones bool", Tensor.ones(DType.BOOL, 6), Tensor.ones(DType.BOOL, CUDA, 6));
        Tensor g = randn(8, DType.FLOAT32, 4, 5).cuda();
        assertEquals(CUDA, Tensor.zerosLike(g).device());
        assertEquals(CUDA, g.newOnes(2).device());
        assertEquals("tensor([1., 1.], device='cuda:0', dtype=torch.float64)",
                Tensor.ones(DType.FLOAT64, CUDA, 2).toString());
        assertClose("cat and narrow", Tensor.cat(java.util.List.of(g.cpu(), g.cpu().narrow(1, 1, 3).contiguous()), 1),
                Tensor.cat(java.util.List.of(g, g.narrow(1, 1, 3)), 1));
    }

    @Test
    void philoxRandomNumbers() {
        Ember.manualSeed(11);
        Tensor u = Tensor.rand(DType.FLOAT32, CUDA, 1 << 20);
        Tensor n = Tensor.randn(DType.FLOAT64, CUDA, 1 << 20);
        double[] uv = u.cpu().toDoubleArray();
        double min = 1;
        double max = 0;
        for (double v : uv) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertTrue(min >= 0 && max < 1, "uniform in [0, 1): " + min + " .. " + max);
        assertEquals(0.5, u.mean().item(), 2e-3);
        assertEquals(1.0 / 12, u.var().item(), 2e-3);
        assertEquals(0.0, n.mean().item(), 5e-3);
        assertEquals(1.0, n.std().item(), 5e-3);
        Ember.manualSeed(11);
        assertClose("same seed, same numbers", u.cpu(), Tensor.rand(DType.FLOAT32, CUDA, 1 << 20), 0, 0);
        Tensor next = Tensor.rand(DType.FLOAT32, CUDA, 1 << 20);
        assertTrue(next.cpu().sub(u.cpu()).abs().sum().item() > 1000, "a second call draws new numbers");
    }

    @Test
    void devicesMixOnlyThroughCpuScalars() {
        Tensor g = Tensor.ones(3).cuda();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.add(Tensor.ones(3)));
        assertTrue(e.getMessage().contains("cpu") && e.getMessage().contains("cuda:0"), e.getMessage());
        assertClose("cpu scalar", Tensor.full(DType.FLOAT32, 4.0, 3), g.add(Tensor.scalar(3)));
        assertEquals(CUDA, g.mul(2).device());
    }

    @Test
    void gradientsFlowBackAcrossDevices() {
        Tensor x = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor y = x.cuda().mul(2).sum();
        y.backward();
        assertEquals(dev.ember.tensor.Device.CPU, x.grad().device());
        assertArrayEquals(new double[] {2, 2, 2}, x.grad().toDoubleArray());
        Tensor h = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
        assertArrayEquals(h.t().toDoubleArray(), h.cuda().t().cpu().toDoubleArray());
    }
}
