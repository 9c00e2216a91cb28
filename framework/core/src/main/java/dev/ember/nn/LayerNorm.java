package dev.ember.nn;

import dev.ember.nn.functional.Normalization;
import dev.ember.tensor.Tensor;

/** Layer normalisation over the trailing {@code normalizedShape} dims; weight 1 and bias 0 to start. */
public class LayerNorm extends Module implements Layer {
    public final long[] normalizedShape;
    public final double eps;
    /** Null without elementwise affine. */
    public final Tensor weight;
    public final Tensor bias;

    public LayerNorm(long... normalizedShape) {
        this(normalizedShape, 1e-5, true);
    }

    public LayerNorm(long[] normalizedShape, double eps, boolean elementwiseAffine) {
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.weight = elementwiseAffine ? registerParameter("weight", Tensor.ones(normalizedShape)) : null;
        this.bias = elementwiseAffine ? registerParameter("bias", Tensor.zeros(normalizedShape)) : null;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Normalization.layerNorm(input, normalizedShape, weight, bias, eps);
    }

    @Override
    protected String extraRepr() {
        return Repr.pyTuple(normalizedShape) + ", eps=" + Repr.pyFloat(eps) + ", elementwise_affine=" + bool(weight != null);
    }
}
