package dev.ember.backend;

import dev.ember.tensor.DType;

/**
 * What a kernel sees of a tensor: its storage and how the logical elements map into it. Element
 * {@code (i0, ..., in)} lives at {@code offset + sum(ik * strides[k])}. A stride of 0 repeats an element
 * (broadcasting); kernels must never write through such a view.
 */
public record Strided(Storage storage, int[] shape, int[] strides, int offset) {

    public DType dtype() {
        return storage.dtype();
    }

    public int numel() {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    public boolean isContiguous() {
        int expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && strides[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    /** True when every operand is contiguous and floating, all of the first one's dtype (what fused kernels take). */
    public static boolean contiguousFloating(Strided... ts) {
        for (Strided t : ts) {
            if (!t.isContiguous() || !t.dtype().isFloatingPoint() || t.dtype() != ts[0].dtype()) {
                return false;
            }
        }
        return true;
    }
}
