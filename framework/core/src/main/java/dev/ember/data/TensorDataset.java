package dev.ember.data;

import dev.ember.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Samples are rows of tensors that share their first dimension, as PyTorch's {@code TensorDataset}: sample
 * {@code i} is {@code [t0[i], t1[i], ...]}. With features {@code x (N, F)} and labels {@code y (N)}, a sample
 * is {@code [x (F), y ()]} and the default collate makes batches {@code [x (B, F), y (B)]}. Rows are views
 * (no copy).
 */
public final class TensorDataset implements Dataset<List<Tensor>> {
    private final List<Tensor> tensors;
    private final int size;

    public TensorDataset(Tensor... tensors) {
        if (tensors.length == 0) {
            throw new IllegalArgumentException("TensorDataset: expected at least one tensor");
        }
        for (int i = 0; i < tensors.length; i++) {
            if (tensors[i] == null || tensors[i].dim() == 0) {
                throw new IllegalArgumentException("TensorDataset: tensor " + i + " must have at least one dimension"
                        + (tensors[i] == null ? " (got null)" : " (got a zero-dim tensor)"));
            }
            if (tensors[i].size(0) != tensors[0].size(0)) {
                throw new IllegalArgumentException("TensorDataset: size mismatch between tensors: tensor 0 has shape "
                        + Arrays.toString(tensors[0].shape()) + " and tensor " + i + " has shape "
                        + Arrays.toString(tensors[i].shape()) + " (the first dimensions must be equal)");
            }
        }
        this.tensors = List.of(tensors);
        this.size = (int) tensors[0].size(0);
    }

    /** The tensors this dataset indexes. */
    public List<Tensor> tensors() {
        return tensors;
    }

    @Override
    public int size() {
        return size;
    }

    /** {@code [t0[index], t1[index], ...]}: views of row {@code index} of each tensor. */
    @Override
    public List<Tensor> get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("TensorDataset: index " + index + " is out of range for " + size
                    + " samples");
        }
        Tensor[] row = new Tensor[tensors.size()];
        for (int i = 0; i < row.length; i++) {
            row[i] = tensors.get(i).select(0, index);
        }
        return List.of(row);
    }
}
