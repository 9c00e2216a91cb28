package dev.ember.datasets;

import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.Arrays;

/**
 * Feature vectors and their class labels, as scikit-learn's {@code load_digits()} gives them.
 *
 * @param features float32 {@code (N, 64)}: the 8 x 8 images row by row, values 0..16 (or 0..1 if scaled)
 * @param labels int64 {@code (N)}, the digit 0..9 of each row
 */
public record DigitsData(Tensor features, Tensor labels) {

    public DigitsData {
        long[] fs = features.shape();
        long[] ls = labels.shape();
        if (fs.length != 2 || ls.length != 1 || ls[0] != fs[0]
                || features.dtype() != DType.FLOAT32 || labels.dtype() != DType.INT64) {
            throw new IllegalArgumentException("DigitsData: expected features float32 (N, F) and labels int64 (N),"
                    + " got features " + features.dtype().torchName() + " " + Arrays.toString(fs)
                    + " and labels " + labels.dtype().torchName() + " " + Arrays.toString(ls));
        }
    }

    /** A training and a test part of the same data, disjoint. */
    public record Split(DigitsData train, DigitsData test) {
    }

    /** The number of rows N. */
    public int size() {
        return (int) labels.shape()[0];
    }

    /** The features as images {@code (N, 1, 8, 8)} (a view, sharing storage). */
    public Tensor images() {
        long[] fs = features.shape();
        if (fs[1] != 64) {
            throw new IllegalArgumentException("DigitsData.images: expected 64 features (8 x 8), got " + fs[1]);
        }
        return features.reshape(fs[0], 1, 8, 8);
    }

    /** The rows at {@code indices}, in that order (copied). */
    public DigitsData select(long[] indices) {
        Tensor index = Tensor.of(indices, indices.length);
        return new DigitsData(features.indexSelect(0, index), labels.indexSelect(0, index));
    }

    /**
     * A seeded random split, like scikit-learn's {@code train_test_split(X, y, test_size=testFraction)}:
     * {@code ceil(testFraction * N)} rows go to the test part. See {@link Splits#trainTest}.
     */
    public Split split(double testFraction, long seed) {
        Splits.Indices idx = Splits.trainTest(size(), testFraction, seed);
        return new Split(select(idx.train()), select(idx.test()));
    }
}
