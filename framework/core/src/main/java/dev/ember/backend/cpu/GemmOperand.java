package dev.ember.backend.cpu;

import dev.ember.backend.Strided;
import java.lang.foreign.MemorySegment;

/**
 * One operand of a batched GEMM as the packing code sees it: element {@code (p, i, j)} (batch, row, column)
 * is {@code data[offset + p * batchStride + i * rowStride + j * colStride]}. Any strides work, 0 included
 * (an expanded batch), so transposed, sliced and broadcast views are packed without a copy; {@code t()}
 * is the transposed view, which is how the driver swaps the roles of A and B.
 */
final class GemmOperand {
    private GemmOperand() {
    }

    /** A float32 operand; {@code segment} is the heap segment over {@code data} for vector loads and stores. */
    record F(float[] data, MemorySegment segment, int offset, int batchStride, int rowStride, int colStride) {
        static F of(Strided s) {
            float[] data = ((CpuStorage) s.storage()).f;
            int[] st = s.strides();
            return new F(data, MemorySegment.ofArray(data), s.offset(), st[0], st[1], st[2]);
        }

        F t() {
            return new F(data, segment, offset, batchStride, colStride, rowStride);
        }

        /** {row stride, column stride}. */
        int[] strides() {
            return new int[] {rowStride, colStride};
        }
    }

    /** A float64 operand; {@code segment} is the heap segment over {@code data} for vector loads and stores. */
    record D(double[] data, MemorySegment segment, int offset, int batchStride, int rowStride, int colStride) {
        static D of(Strided s) {
            double[] data = ((CpuStorage) s.storage()).d;
            int[] st = s.strides();
            return new D(data, MemorySegment.ofArray(data), s.offset(), st[0], st[1], st[2]);
        }

        D t() {
            return new D(data, segment, offset, batchStride, colStride, rowStride);
        }

        /** {row stride, column stride}. */
        int[] strides() {
            return new int[] {rowStride, colStride};
        }
    }
}
