package dev.ember.datasets;

import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.Arrays;

/**
 * Images and their class labels, as torchvision's MNIST gives them after {@code ToTensor()}.
 *
 * @param images float32 {@code (N, 1, H, W)} (28 x 28 for MNIST), in [0, 1] unless normalised
 * @param labels int64 {@code (N)}, the digit 0..9 of each image
 */
public record MnistData(Tensor images, Tensor labels) {

    public MnistData {
        long[] is = images.shape();
        long[] ls = labels.shape();
        if (is.length != 4 || is[1] != 1 || ls.length != 1 || ls[0] != is[0]
                || images.dtype() != DType.FLOAT32 || labels.dtype() != DType.INT64) {
            throw new IllegalArgumentException("MnistData: expected images float32 (N, 1, H, W) and labels int64 (N),"
                    + " got images " + images.dtype().torchName() + " " + Arrays.toString(is)
                    + " and labels " + labels.dtype().torchName() + " " + Arrays.toString(ls));
        }
    }

    /** The number of examples N. */
    public int size() {
        return (int) labels.shape()[0];
    }
}
