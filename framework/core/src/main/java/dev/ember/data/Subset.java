package dev.ember.data;

/**
 * The samples of {@code dataset} at the given indices, in that order, as PyTorch's {@code Subset}. Indices are
 * checked against the dataset when the subset is made.
 */
public final class Subset<T> implements Dataset<T> {
    private final Dataset<T> dataset;
    private final int[] indices;

    public Subset(Dataset<T> dataset, int[] indices) {
        int n = dataset.size();
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= n) {
                throw new IndexOutOfBoundsException("Subset: index " + indices[i] + " (position " + i
                        + ") is out of range for a dataset of " + n + " samples");
            }
        }
        this.dataset = dataset;
        this.indices = indices.clone();
    }

    public Dataset<T> dataset() {
        return dataset;
    }

    /** A copy of the indices into {@link #dataset()}. */
    public int[] indices() {
        return indices.clone();
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public T get(int index) {
        if (index < 0 || index >= indices.length) {
            throw new IndexOutOfBoundsException("Subset: index " + index + " is out of range for " + indices.length
                    + " samples");
        }
        return dataset.get(indices[index]);
    }
}
