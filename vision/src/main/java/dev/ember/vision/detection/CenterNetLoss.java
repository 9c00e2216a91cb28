package dev.ember.vision.detection;

import dev.ember.tensor.Tensor;
import java.util.Arrays;

/**
 * CenterNet's training loss: {@code hm_weight * focal(hm) + wh_weight * L1(wh) + off_weight * L1(reg)}, with
 * CenterNet's defaults 1, 0.1 and 1.
 *
 * <p>The heatmap loss is the penalty-reduced pixel-wise focal loss of CornerNet/CenterNet, with p the sigmoid of
 * the logits clamped to [1e-4, 1 - 1e-4] and y the Gaussian target:
 * <pre>
 *   -1/N * sum( y == 1 ? (1 - p)^2 log(p) : (1 - y)^4 p^2 log(1 - p) )
 * </pre>
 * N being the number of objects (at least 1). The regression losses are L1 at the centre cells only, summed and
 * divided by the number of masked values (CenterNet's {@code RegL1Loss}).
 */
public final class CenterNetLoss {
    public final double hmWeight;
    public final double whWeight;
    public final double offWeight;

    /** The total and its parts (each a one-element tensor; only {@code total} is needed for backward). */
    public record Parts(Tensor total, Tensor hm, Tensor wh, Tensor reg) {
    }

    /** CenterNet's weights: 1 (heatmap), 0.1 (size), 1 (offset). */
    public CenterNetLoss() {
        this(1, 0.1, 1);
    }

    public CenterNetLoss(double hmWeight, double whWeight, double offWeight) {
        if (!(hmWeight >= 0) || !(whWeight >= 0) || !(offWeight >= 0)) {
            throw new IllegalArgumentException("CenterNetLoss: weights must be >= 0, got hm=" + hmWeight + ", wh="
                    + whWeight + ", off=" + offWeight);
        }
        this.hmWeight = hmWeight;
        this.whWeight = whWeight;
        this.offWeight = offWeight;
    }

    public Parts forward(CenterNet.Output out, CenterNetCoder.Targets t) {
        Tensor hm = focalLoss(out.hm(), t.heatmap());
        Tensor wh = regL1(out.wh(), t.wh(), t.mask(), "wh");
        Tensor reg = regL1(out.reg(), t.reg(), t.mask(), "reg");
        Tensor total = hm.mul(hmWeight).add(wh.mul(whWeight)).add(reg.mul(offWeight));
        return new Parts(total, hm, wh, reg);
    }

    /**
     * The penalty-reduced focal loss. {@code logits (N, C, h, w)}, {@code target (N, C, h, w)} in [0, 1] with
     * exactly 1 at object centres -> scalar.
     */
    public static Tensor focalLoss(Tensor logits, Tensor target) {
        if (!Arrays.equals(logits.shape(), target.shape())) {
            throw new IllegalArgumentException("CenterNetLoss.focalLoss: logits " + Arrays.toString(logits.shape())
                    + " and target " + Arrays.toString(target.shape()) + " must have the same shape");
        }
        Tensor p = logits.sigmoid().clamp(1e-4, 1 - 1e-4);
        Tensor pos = target.eq(1.0).to(logits.dtype());
        Tensor neg = pos.neg().add(1.0);
        Tensor negWeight = target.neg().add(1.0).pow(4.0);
        Tensor oneMinusP = p.neg().add(1.0);
        Tensor posLoss = p.log().mul(oneMinusP.pow(2.0)).mul(pos);
        Tensor negLoss = oneMinusP.log().mul(p.pow(2.0)).mul(negWeight).mul(neg);
        double numPos = Math.max(1, pos.sum().item());
        return posLoss.sum().add(negLoss.sum()).div(-numPos);
    }

    /** L1 between {@code pred} and {@code target} (N, 2, h, w) at the cells where {@code mask} (N, 1, h, w) is 1. */
    static Tensor regL1(Tensor pred, Tensor target, Tensor mask, String what) {
        if (!Arrays.equals(pred.shape(), target.shape())) {
            throw new IllegalArgumentException("CenterNetLoss: " + what + " prediction " + Arrays.toString(pred.shape())
                    + " and target " + Arrays.toString(target.shape()) + " must have the same shape");
        }
        Tensor m = mask.expandAs(pred);
        double count = m.sum().item();
        return pred.sub(target).abs().mul(m).sum().div(count + 1e-4);
    }
}
