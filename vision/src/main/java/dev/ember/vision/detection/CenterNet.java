package dev.ember.vision.detection;

import dev.ember.autograd.Autograd;
import dev.ember.nn.BatchNorm2d;
import dev.ember.nn.Conv2d;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.tensor.Tensor;
import java.util.Arrays;

/**
 * A small single-stage detector in the style of CenterNet ("Objects as Points", Zhou et al. 2019): a CNN maps
 * the image to a feature map at 1/4 of its resolution, and three 1x1 heads predict at every cell
 * <ul>
 *   <li>{@code hm}: a heatmap per class, whose peaks are object centres (logits; sigmoid gives the score),</li>
 *   <li>{@code wh}: the object's width and height, in cells,</li>
 *   <li>{@code reg}: the sub-cell offset of the centre, in cells.</li>
 * </ul>
 * {@link CenterNetCoder} turns boxes into these targets and predictions back into boxes; {@link CenterNetLoss}
 * is the focal + L1 loss that trains them. The head names are CenterNet's.
 *
 * <p>The backbone is kept small so that it trains on a CPU in minutes (for 64x64 inputs and width 16, about 9
 * million multiply-adds an image): two stride-2 3x3 convolutions (to 1/4), then three 3x3 convolutions at that
 * resolution, the second dilated by 2, which widens the receptive field to 39 pixels, enough to see a whole
 * object of the size the heads must predict; each convolution is followed by BatchNorm and ReLU.
 *
 * <pre>{@code
 * input (N, 3, H, W) -> hm (N, numClasses, H/4, W/4), wh (N, 2, H/4, W/4), reg (N, 2, H/4, W/4)
 * }</pre>
 * H and W must be multiples of 4.
 */
public final class CenterNet extends Module {
    /** Input pixels per output cell. */
    public static final int STRIDE = 4;
    /** The heatmap bias starts at log(0.1 / 0.9), CenterNet's prior: every cell scores 0.1 before training. */
    static final double HEATMAP_PRIOR_BIAS = -2.19;

    public final int numClasses;
    public final int width;
    public final Sequential backbone;
    public final Conv2d hm;
    public final Conv2d wh;
    public final Conv2d reg;

    /** The three head outputs (see the class comment for shapes). */
    public record Output(Tensor hm, Tensor wh, Tensor reg) {
    }

    /**
     * @param numClasses object classes (heatmap channels)
     * @param width      channels of the first convolution; later stages have {@code 2 * width}
     */
    public CenterNet(int numClasses, int width) {
        if (numClasses < 1 || width < 1) {
            throw new IllegalArgumentException("CenterNet: numClasses and width must be >= 1, got numClasses="
                    + numClasses + ", width=" + width);
        }
        this.numClasses = numClasses;
        this.width = width;
        int w2 = 2 * width;
        this.backbone = registerModule("backbone", new Sequential(
                conv(3, width, 2, 1), new BatchNorm2d(width), new ReLU(),
                conv(width, w2, 2, 1), new BatchNorm2d(w2), new ReLU(),
                conv(w2, w2, 1, 1), new BatchNorm2d(w2), new ReLU(),
                conv(w2, w2, 1, 2), new BatchNorm2d(w2), new ReLU(),
                conv(w2, w2, 1, 1), new BatchNorm2d(w2), new ReLU()));
        this.hm = registerModule("hm", new Conv2d(w2, numClasses, 1));
        this.wh = registerModule("wh", new Conv2d(w2, 2, 1));
        this.reg = registerModule("reg", new Conv2d(w2, 2, 1));
        try (var ignored = Autograd.noGrad()) {
            hm.bias.filli(HEATMAP_PRIOR_BIAS);
        }
    }

    private static Conv2d conv(int in, int out, int stride, int dilation) {
        // no bias: the BatchNorm after it has one
        return new Conv2d(in, out, 3, stride, dilation, dilation, 1, false, "zeros");
    }

    /** {@code input (N, 3, H, W)} with H, W multiples of 4 -> the three head outputs. */
    public Output forward(Tensor input) {
        if (input.dim() != 4 || input.size(1) != 3 || input.size(2) % STRIDE != 0 || input.size(3) % STRIDE != 0) {
            throw new IllegalArgumentException("CenterNet: expected input (N, 3, H, W) with H and W multiples of "
                    + STRIDE + ", got " + Arrays.toString(input.shape()));
        }
        Tensor f = backbone.forward(input);
        return new Output(hm.forward(f), wh.forward(f), reg.forward(f));
    }

    @Override
    protected String extraRepr() {
        return "numClasses=" + numClasses + ", width=" + width + ", stride=" + STRIDE;
    }
}
