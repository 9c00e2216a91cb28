package dev.ember.nn;

import dev.ember.nn.functional.F;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;

/**
 * {@code y = x W^T + b}. Input (*, in_features) -> output (*, out_features). Weight (out_features, in_features)
 * and bias (out_features) start uniform in +-1/sqrt(in_features), PyTorch's default initialisation.
 */
public class Linear extends Module implements Layer {
    public final long inFeatures;
    public final long outFeatures;
    public final Tensor weight;
    /** Null when constructed with {@code bias=false}. */
    public final Tensor bias;

    public Linear(long inFeatures, long outFeatures) {
        this(inFeatures, outFeatures, true);
    }

    public Linear(long inFeatures, long outFeatures, boolean bias) {
        this(inFeatures, outFeatures, bias, DType.FLOAT32);
    }

    public Linear(long inFeatures, long outFeatures, boolean bias, DType dtype) {
        if (inFeatures < 0 || outFeatures < 0) {
            throw new IllegalArgumentException("Linear: in_features and out_features must be >= 0, got "
                    + inFeatures + " and " + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = registerParameter("weight", Tensor.zeros(dtype, outFeatures, inFeatures));
        this.bias = bias ? registerParameter("bias", Tensor.zeros(dtype, outFeatures)) : null;
        resetParameters();
    }

    /** kaiming_uniform(a=sqrt(5)) on the weight, i.e. U(+-1/sqrt(fan_in)); the same bound for the bias. */
    public void resetParameters() {
        Init.kaimingUniform(weight, Math.sqrt(5), "fan_in", "leaky_relu");
        if (bias != null) {
            double bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
            Init.uniform(bias, -bound, bound);
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.linear(input, weight, bias);
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + bool(bias != null);
    }
}
