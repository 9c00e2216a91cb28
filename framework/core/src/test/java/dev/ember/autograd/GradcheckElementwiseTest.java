package dev.ember.autograd;

import static dev.ember.autograd.Gradchecks.awayFromZero;
import static dev.ember.autograd.Gradchecks.check;
import static dev.ember.autograd.Gradchecks.of;
import static dev.ember.autograd.Gradchecks.randn;
import static dev.ember.autograd.Gradchecks.uniform;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** gradcheck of element-wise ops: same shapes, broadcasting, non-contiguous (strided) operands, scalars. */
class GradcheckElementwiseTest {

    @BeforeEach
    void seed() {
        Ember.manualSeed(1234);
    }

    /** Binary ops with the domains their operands need (pow: positive base, div: divisor away from 0). */
    enum Binary {
        ADD(Tensor::add, false, false),
        SUB(Tensor::sub, false, false),
        MUL(Tensor::mul, false, false),
        DIV(Tensor::div, false, true),
        POW(Tensor::pow, true, false),
        MAXIMUM(Tensor::maximum, false, false),
        MINIMUM(Tensor::minimum, false, false);

        final BinaryOperator<Tensor> op;
        final boolean positiveLeft;
        final boolean positiveRight;

        Binary(BinaryOperator<Tensor> op, boolean positiveLeft, boolean positiveRight) {
            this.op = op;
            this.positiveLeft = positiveLeft;
            this.positiveRight = positiveRight;
        }

        Tensor left(long... shape) {
            return positiveLeft ? uniform(0.5, 2.0, shape) : randn(shape);
        }

        Tensor right(long... shape) {
            return positiveRight ? uniform(0.5, 2.0, shape) : randn(shape);
        }
    }

    @ParameterizedTest
    @EnumSource(Binary.class)
    void binarySameShape(Binary b) {
        check(in -> b.op.apply(in[0], in[1]), b.left(2, 3), b.right(2, 3));
    }

    @ParameterizedTest
    @EnumSource(Binary.class)
    void binaryBroadcasting(Binary b) {
        check(in -> b.op.apply(in[0], in[1]), b.left(2, 3), b.right(3));
        check(in -> b.op.apply(in[0], in[1]), b.left(3, 1), b.right(1, 4));
        check(in -> b.op.apply(in[0], in[1]), b.left(2, 1, 3), b.right(4, 1));
        // a zero-dim operand that requires grad: its gradient is the sum over the whole output
        Tensor zeroDim = b.positiveRight ? Tensor.scalar(DType.FLOAT64, 1.3).requiresGrad(true)
                : Tensor.scalar(DType.FLOAT64, -0.4).requiresGrad(true);
        check(in -> b.op.apply(in[0], in[1]), b.left(2, 3), zeroDim);
    }

    @ParameterizedTest
    @EnumSource(Binary.class)
    void binaryNonContiguous(Binary b) {
        // transposed [3,2] -> [2,3] with an expanded [3] -> [2,3]
        check(in -> b.op.apply(in[0].t(), in[1].expand(2, 3)), b.left(3, 2), b.right(3));
        // a narrowed slice of rows, and a step-2 slice of columns broadcast against it
        check(in -> b.op.apply(in[0].narrow(0, 1, 2), in[1].slice(-1, 0, 6, 2)), b.left(4, 3), b.right(1, 6));
        // permuted 3-D operand against a broadcast row, negative dims
        check(in -> b.op.apply(in[0].permute(2, 0, 1), in[1].transpose(-1, -2)), b.left(2, 3, 2), b.right(3, 2));
    }

    @ParameterizedTest
    @EnumSource(Binary.class)
    void binaryWithConstantFloat32Operand(Binary b) {
        // the float32 operand needs no gradient; the result is float64 and the grad flows to the float64 leaf
        Tensor constant = b.positiveRight ? Tensor.of(new double[] {0.75, 1.5, 1.25}, 3)
                : Tensor.of(new double[] {0.75, -1.5, 0.25}, 3);
        Tensor x = b.left(2, 3);
        check(in -> b.op.apply(in[0], constant), x);
        Tensor base = b.positiveLeft ? Tensor.of(new double[] {0.75, 1.5, 1.25}, 3)
                : Tensor.of(new double[] {0.75, -1.5, 0.25}, 3);
        check(in -> b.op.apply(base, in[0]), b.right(2, 3));
    }

    @Test
    void scalarArguments() {
        Tensor x = randn(2, 3);
        check(in -> in[0].add(2.5), x);
        check(in -> in[0].add(3L), x);
        check(in -> in[0].sub(1.5), x);
        check(in -> in[0].sub(2L), x);
        check(in -> in[0].mul(-3.0), x);
        check(in -> in[0].mul(4L), x);
        check(in -> in[0].div(0.5), x);
        check(in -> in[0].div(3L), x);
        check(in -> in[0].t().mul(2.0), x);
        check(in -> in[0].pow(2.0), x);
        check(in -> in[0].pow(3L), x);
        check(in -> in[0].t().pow(3L), x);
        Tensor pos = uniform(0.5, 2.0, 2, 3);
        check(in -> in[0].pow(0.5), pos);
        check(in -> in[0].pow(-1.5), pos);
        check(in -> in[0].t().pow(2.5), pos);
    }

    @Test
    void powTensorExponent() {
        Tensor base = uniform(0.5, 2.0, 2, 3);
        Tensor exponent = randn(2, 3);
        check(in -> in[0].pow(in[1]), base, exponent);
        check(in -> in[0].pow(in[1]), base, randn(3));
        check(in -> in[0].t().pow(in[1].t()), base, exponent);
        // only the exponent requires grad, with a broadcast constant base
        Tensor constBase = Tensor.of(DType.FLOAT64, new double[] {0.5, 1.5, 3.0}, 3, 1);
        check(in -> constBase.pow(in[0]), randn(1, 4));
        // only the base requires grad, with a constant tensor exponent
        Tensor constExp = Tensor.of(DType.FLOAT64, new double[] {2.0, -1.0, 0.5}, 3);
        check(in -> in[0].pow(constExp), base);
    }

    enum Unary {
        NEG(Tensor::neg, Domain.ANY),
        EXP(Tensor::exp, Domain.ANY),
        LOG(Tensor::log, Domain.POSITIVE),
        TANH(Tensor::tanh, Domain.ANY),
        SIGMOID(Tensor::sigmoid, Domain.ANY),
        RELU(Tensor::relu, Domain.AWAY_FROM_ZERO),
        SQRT(Tensor::sqrt, Domain.POSITIVE),
        ABS(Tensor::abs, Domain.AWAY_FROM_ZERO),
        SIGN(Tensor::sign, Domain.AWAY_FROM_ZERO), // zero gradient away from 0
        SIN(Tensor::sin, Domain.ANY),
        COS(Tensor::cos, Domain.ANY),
        ERF(Tensor::erf, Domain.ANY),
        ERFC(Tensor::erfc, Domain.ANY);

        final UnaryOperator<Tensor> op;
        final Domain domain;

        Unary(UnaryOperator<Tensor> op, Domain domain) {
            this.op = op;
            this.domain = domain;
        }

        Tensor input(long... shape) {
            return switch (domain) {
                case ANY -> randn(shape);
                case POSITIVE -> uniform(0.3, 2.0, shape);
                case AWAY_FROM_ZERO -> awayFromZero(shape);
            };
        }
    }

    enum Domain { ANY, POSITIVE, AWAY_FROM_ZERO }

    @ParameterizedTest
    @EnumSource(Unary.class)
    void unary(Unary u) {
        check(in -> u.op.apply(in[0]), u.input(2, 3));
        check(in -> u.op.apply(in[0]), u.input(5));
    }

    @ParameterizedTest
    @EnumSource(Unary.class)
    void unaryNonContiguous(Unary u) {
        check(in -> u.op.apply(in[0].transpose(0, -1)), u.input(3, 2));
        check(in -> u.op.apply(in[0].expand(2, 3)), u.input(3));
        check(in -> u.op.apply(in[0].narrow(-1, 1, 2)), u.input(2, 4));
        check(in -> u.op.apply(in[0].slice(0, 0, 5, 2)), u.input(5, 2));
    }

    @Test
    void unaryOnNonContiguousLeaf() {
        // the leaf itself is a transposed view: gradcheck perturbs it through its strides
        Tensor base = Tensor.randn(DType.FLOAT64, 3, 2);
        Tensor x = base.t().requiresGrad(true);
        check(in -> in[0].tanh().mul(in[0]), x);
    }

    @Test
    void clamp() {
        // no element within eps of a bound
        Tensor x = of(new double[] {-1.7, -0.6, 0.1, 0.45, 1.2, 2.3}, 2, 3);
        check(in -> in[0].clamp(-0.5, 0.8), x);
        check(in -> in[0].clampMin(0.0), x);
        check(in -> in[0].clampMax(0.3), x);
        check(in -> in[0].t().clamp(-1.0, 1.0), x);
        check(in -> in[0].expand(2, 2, 3).clampMin(-1.0), x);
        check(in -> in[0].narrow(-1, 1, 2).clampMax(0.0), x);
    }

    @Test
    void where() {
        Tensor cond = Tensor.of(new boolean[] {true, false, true, false, false, true}, 2, 3);
        Tensor x = randn(2, 3);
        Tensor y = randn(3);
        check(in -> Tensor.where(cond, in[0], in[1]), x, y);
        check(in -> in[0].where(cond, in[1]), x, y);
        // broadcast condition [3] against [2,1] and [1,3] operands
        Tensor rowCond = Tensor.of(new boolean[] {false, true, true}, 3);
        check(in -> Tensor.where(rowCond, in[0], in[1]), randn(2, 1), randn(1, 3));
        // non-contiguous operands
        check(in -> Tensor.where(cond, in[0].t(), in[1].expand(2, 3)), randn(3, 2), y);
        // only one side requires grad
        Tensor constant = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3}, 3);
        check(in -> Tensor.where(cond, constant, in[0]), x);
    }

    @Test
    void maskedFill() {
        Tensor mask = Tensor.of(new boolean[] {true, false, false, true, true, false}, 2, 3);
        check(in -> in[0].maskedFill(mask, 0.5), randn(2, 3));
        Tensor rowMask = Tensor.of(new boolean[] {false, true, false}, 3);
        check(in -> in[0].maskedFill(rowMask, -2.0), randn(2, 3));
        check(in -> in[0].t().maskedFill(rowMask, 1.0), randn(3, 3));
        check(in -> in[0].expand(2, 3).maskedFill(mask, 0.0), randn(3));
    }

    @Test
    void dtypeConversions() {
        Tensor x = randn(2, 3);
        // to() the same dtype is the identity (PyTorch returns self)
        assertSame(x, x.to(DType.FLOAT64));
        check(in -> in[0].to(DType.FLOAT64), x);
        check(in -> in[0].t().to(DType.FLOAT64).mul(2.0), x);
        // through float32 and back: rounding to float32 (~6e-8 relative) needs a larger eps and atol
        assertTrue(GradCheck.gradcheck(in -> in[0].mul(3.0).toFloat().toDouble(), new Tensor[] {x}, 1e-3, 1e-3, 1e-3));
        assertTrue(GradCheck.gradcheck(in -> in[0].toFloat().exp(), new Tensor[] {x}, 1e-3, 1e-3, 1e-3));
    }
}
