package dev.ember.vision.train;

import dev.ember.nn.functional.F;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Random changes to a training batch {@code (N, C, H, W) -> (N, C, H, W)}, drawn from Ember's default generator
 * on the training thread, so a seeded run is reproducible and a resumed run (which restores the generator)
 * draws what the uninterrupted run would have. Each example gets its own draw, as torchvision's per-image
 * transforms give.
 *
 * <p>They work on whole normalised batches rather than on single images in the data loader: the loader's
 * worker threads then need no random state, and the batch work is a handful of tensor ops.
 */
@FunctionalInterface
public interface Augment {

    /** Applies the change to a batch of images (N, C, H, W). */
    Tensor apply(Tensor images);

    /** This augmentation, then {@code next}. */
    default Augment andThen(Augment next) {
        return x -> next.apply(apply(x));
    }

    /** No change. */
    static Augment none() {
        return x -> x;
    }

    /**
     * torchvision's {@code RandomCrop(size, padding)} with the crop size equal to the image size: pads each side by
     * {@code padding} with {@code fill[c]} in channel {@code c} (pass the normalised value of black,
     * {@code -mean / std}, to pad with black as torchvision does before {@code Normalize}) and cuts a random
     * {@code H x W} window per example, so images move by up to {@code padding} pixels each way.
     */
    static Augment randomCrop(int padding, double... fill) {
        if (padding < 0) {
            throw new IllegalArgumentException("Augment.randomCrop: padding must be >= 0, got " + padding);
        }
        double[] values = fill.clone();
        return images -> {
            long[] s = checkBatch("randomCrop", images);
            if (values.length != s[1]) {
                throw new IllegalArgumentException("Augment.randomCrop: " + values.length + " fill values for "
                        + s[1] + " channels");
            }
            if (padding == 0) {
                return images;
            }
            long[] pad = {padding, padding, padding, padding};
            List<Tensor> channels = new ArrayList<>();
            for (int c = 0; c < s[1]; c++) {
                channels.add(F.pad(images.narrow(1, c, 1), pad, "constant", values[c]));
            }
            Tensor padded = s[1] == 1 ? channels.get(0) : Tensor.cat(channels, 1);
            long[] offsets = Tensor.randint(0, 2L * padding + 1, s[0], 2).toLongArray();
            List<Tensor> crops = new ArrayList<>((int) s[0]);
            for (int i = 0; i < s[0]; i++) {
                crops.add(padded.select(0, i).narrow(1, offsets[2 * i], s[2]).narrow(2, offsets[2 * i + 1], s[3]));
            }
            return Tensor.stack(crops, 0);
        };
    }

    /** torchvision's {@code RandomHorizontalFlip(p)}: each image is mirrored left-right with probability {@code p}. */
    static Augment horizontalFlip(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("Augment.horizontalFlip: p must be in [0, 1], got " + p);
        }
        return images -> {
            long[] s = checkBatch("horizontalFlip", images);
            Tensor reversed = Tensor.arange(s[3] - 1, -1, -1);
            Tensor flipped = images.indexSelect(3, reversed);
            Tensor flip = Tensor.rand(DType.FLOAT64, s[0]).lt(p).reshape(s[0], 1, 1, 1);
            return Tensor.where(flip, flipped, images);
        };
    }

    private static long[] checkBatch(String op, Tensor images) {
        long[] s = images.shape();
        if (s.length != 4) {
            throw new IllegalArgumentException("Augment." + op + ": expected a batch (N, C, H, W), got shape "
                    + Arrays.toString(s));
        }
        return s;
    }
}
