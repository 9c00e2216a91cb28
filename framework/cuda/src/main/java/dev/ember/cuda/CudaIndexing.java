package dev.ember.cuda;

import static dev.ember.cuda.CudaBackend.base;
import static dev.ember.cuda.CudaBackend.cpu;
import static dev.ember.cuda.CudaBackend.k;
import static dev.ember.cuda.CudaBackend.sfx;

import dev.ember.backend.Strided;
import dev.ember.tensor.DType;

/**
 * indexSelect, gather, scatterAdd and indexAdd (index.cu). Operands keep their own dims here (no merging: the
 * indexed dim must stay where it is); the adds are atomic, so repeated indices sum up in some order, which
 * changes only the last bits of float results.
 */
final class CudaIndexing {
    private CudaIndexing() {
    }

    private static int[] desc(Strided s) {
        return Desc.encode(s.shape(), s.strides(), s.offset());
    }

    static void indexSelect(CudaBackend cuda, Strided in, int dim, Strided index, Strided out) {
        int n = out.numel();
        if (n == 0) {
            return;
        }
        int[] di = desc(in);
        int[] dx = desc(index);
        int[] dout = desc(out);
        if (di == null || dout == null) {
            HostFallback.run(cuda, 0b100, h -> cpu().indexSelect(h[0], dim, h[1], h[2]), in, index, out);
            return;
        }
        k().launch1d("index_select_" + sfx(in), n, n, dim, di, dx, dout, base(in), base(index), base(out));
    }

    static void gather(CudaBackend cuda, Strided in, int dim, Strided index, Strided out) {
        int n = index.numel();
        if (n == 0) {
            return;
        }
        int[] di = desc(in);
        int[] dx = desc(index);
        int[] dout = desc(out);
        if (di == null || dx == null || dout == null) {
            HostFallback.run(cuda, 0b100, h -> cpu().gather(h[0], dim, h[1], h[2]), in, index, out);
            return;
        }
        k().launch1d("gather_" + sfx(in), n, n, dim, di, dx, dout, base(in), base(index), base(out));
    }

    static void scatterAdd(CudaBackend cuda, Strided out, int dim, Strided index, Strided src) {
        int n = index.numel();
        if (n == 0) {
            return;
        }
        int[] dout = desc(out);
        int[] dx = desc(index);
        int[] ds = desc(src);
        if (out.dtype() == DType.BOOL || dout == null || dx == null || ds == null) {
            HostFallback.run(cuda, 0b1, h -> cpu().scatterAdd(h[0], dim, h[1], h[2]), out, index, src);
            return;
        }
        k().launch1d("scatter_add_" + sfx(out), n, n, dim, dout, dx, ds, base(out), base(index), base(src));
    }

    static boolean indexAdd(Strided out, int dim, Strided index, Strided src) {
        int n = src.numel();
        int[] dout = desc(out);
        int[] dx = desc(index);
        int[] ds = desc(src);
        if (out.dtype() == DType.BOOL || dout == null || dx == null || ds == null) {
            return false;
        }
        if (n > 0) {
            k().launch1d("index_add_" + sfx(out), n, n, dim, dout, dx, ds, base(out), base(index), base(src));
        }
        return true;
    }
}
