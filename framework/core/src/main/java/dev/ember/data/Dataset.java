package dev.ember.data;

import java.util.List;

/**
 * A map-style dataset, as PyTorch's {@code torch.utils.data.Dataset}: {@link #size()} samples, each fetched
 * by index ({@code __len__} and {@code __getitem__}). Implementations used with a multi-worker
 * {@link DataLoader} must allow {@link #get(int)} from several threads at once, and should be deterministic
 * for an index (derive any randomness from the index) so that loading does not depend on thread timing.
 *
 * @param <T> the sample type, e.g. {@code List<Tensor>} for {@link TensorDataset} or a record of tensors
 */
public interface Dataset<T> {
    /** Number of samples. */
    int size();

    /** The sample at {@code index}, {@code 0 <= index < size()}. */
    T get(int index);

    /** A dataset over a fixed list of samples (not copied). */
    static <T> Dataset<T> of(List<T> samples) {
        return new Dataset<>() {
            @Override
            public int size() {
                return samples.size();
            }

            @Override
            public T get(int index) {
                return samples.get(index);
            }
        };
    }
}
