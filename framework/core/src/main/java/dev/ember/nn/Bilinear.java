package dev.ember.nn;

import dev.ember.nn.functional.Linears;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;

/**
 * {@code y_k = x1^T A_k x2 + b_k}: input1 (*, in1Features), input2 (*, in2Features) -> (*, outFeatures).
 * Weight (out, in1, in2) and bias (out) start uniform in +-1/sqrt(in1Features), as PyTorch's.
 */
public class Bilinear extends Module {
    public final long in1Features;
    public final long in2Features;
    public final long outFeatures;
    public final Tensor weight;
    /** Null when constructed with {@code bias=false}. */
    public final Tensor bias;

    public Bilinear(long in1Features, long in2Features, long outFeatures) {
        this(in1Features, in2Features, outFeatures, true);
    }

    public Bilinear(long in1Features, long in2Features, long outFeatures, boolean bias) {
        this(in1Features, in2Features, outFeatures, bias, DType.FLOAT32);
    }

    public Bilinear(long in1Features, long in2Features, long outFeatures, boolean bias, DType dtype) {
        if (in1Features < 0 || in2Features < 0 || outFeatures < 0) {
            throw new IllegalArgumentException("Bilinear: feature sizes must be >= 0, got in1_features=" + in1Features
                    + ", in2_features=" + in2Features + ", out_features=" + outFeatures);
        }
        this.in1Features = in1Features;
        this.in2Features = in2Features;
        this.outFeatures = outFeatures;
        this.weight = registerParameter("weight", Tensor.zeros(dtype, outFeatures, in1Features, in2Features));
        this.bias = bias ? registerParameter("bias", Tensor.zeros(dtype, outFeatures)) : null;
        resetParameters();
    }

    /** U(-b, b) with b = 1/sqrt(in1Features) for weight and bias. */
    public void resetParameters() {
        double bound = in1Features > 0 ? 1 / Math.sqrt(in1Features) : 0;
        Init.uniform(weight, -bound, bound);
        if (bias != null) {
            Init.uniform(bias, -bound, bound);
        }
    }

    public Tensor forward(Tensor input1, Tensor input2) {
        return Linears.bilinear(input1, input2, weight, bias);
    }

    @Override
    protected String extraRepr() {
        return "in1_features=" + in1Features + ", in2_features=" + in2Features + ", out_features=" + outFeatures
                + ", bias=" + bool(bias != null);
    }
}
