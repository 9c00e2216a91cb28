package dev.ember.cuda;

import dev.ember.backend.AdamUpdate;
import dev.ember.backend.Backend;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.CompareOp;
import dev.ember.backend.DeviceGraph;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.SgdUpdate;
import dev.ember.backend.Storage;
import dev.ember.backend.Strided;
import dev.ember.backend.UnaryOp;
import dev.ember.backend.Window2d;
import dev.ember.tensor.DType;
import dev.ember.tensor.Device;
import java.util.List;
import jcuda.driver.CUdeviceptr;

/**
 * The CUDA backend: storages in device memory from the {@link CachingAllocator}, and every kernel of the backend
 * contract one launch of Ember's own kernels (ABI.md) on one stream. Nothing waits for the GPU except copies to
 * the host. Found through ServiceLoader; when CUDA cannot run here it reports why and is never used.
 */
public final class CudaBackend implements Backend {

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String description() {
        CudaRuntime r = CudaRuntime.tryGet();
        if (r == null) {
            return "CUDA (not available: " + CudaRuntime.failure() + ")";
        }
        Driver d = r.driver;
        int count = CudaRuntime.deviceCount();
        return String.format("CUDA on %s%s (compute capability %d.%d, %d SMs, driver %d.%d); Ember's own kernels "
                        + "loaded through the JCuda driver API, launched through %s; TF32/BF16 products with %s",
                d.deviceName(), count > 1 ? " and " + (count - 1) + " more device" + (count > 2 ? "s" : "") : "",
                d.computeCapability() / 10, d.computeCapability() % 10, d.multiprocessors(),
                d.driverVersion() / 1000, d.driverVersion() % 1000 / 10, d.launchPath(),
                r.tensorCores == TensorCoreGemm.MMA_SYNC ? "mma.sync"
                        : "wgmma (sm_90a, 128x" + r.tensorCores.bn() + " tiles)");
    }

    @Override
    public String deviceType() {
        return "cuda";
    }

    @Override
    public boolean isAvailable() {
        return CudaRuntime.tryGet() != null;
    }

    @Override
    public String unavailableReason() {
        return CudaRuntime.failure();
    }

    /** Waits for every device in use. */
    @Override
    public void synchronize() {
        CudaRuntime.synchronizeAll();
    }

    /** Whether any device's stream is being captured into a graph. */
    @Override
    public boolean isCapturing() {
        return CudaRuntime.started().stream().anyMatch(CudaRuntime::capturing);
    }

    @Override
    public DeviceGraph capture(Device device, Runnable work) {
        rt(device);
        return CudaGraph.capture(work);
    }

    @Override
    public boolean checkIndices(Strided index, long lo, long hi, Long allowed, String message) {
        CudaRuntime r = CudaRuntime.get();
        return index.dtype() == DType.INT64 && r.indexCheck.queue(r, index, lo, hi, allowed, message);
    }

    /** The device's runtime, made the thread's active one (see {@link CudaRuntime}); no such device: a clear error. */
    static CudaRuntime rt(Device device) {
        return CudaRuntime.forDevice(device.index());
    }

    static Kernels k() {
        return CudaRuntime.get().kernels;
    }

    static CUdeviceptr base(Strided s) {
        return ((CudaStorage) s.storage()).ptr();
    }

    /** The address of the operand's first element (for kernels that take contiguous operands). */
    static CUdeviceptr at(Strided s) {
        return s == null ? null : ((CudaStorage) s.storage()).ptr(s.offset());
    }

    static String sfx(Strided s) {
        return CudaStorage.suffix(s.dtype());
    }

    // ---------------------------------------------------------------- memory

    @Override
    public Storage allocate(DType dtype, int size, Device device) {
        CudaRuntime r = rt(device);
        CudaStorage s = new CudaStorage(this, device, dtype, size, r.allocator);
        if (size > 0) {
            r.driver.memsetD8Async(s.ptr(), (byte) 0, s.bytes());
        }
        return s;
    }

    /** No zero fill: the kernel that follows writes every element (one driver call less per op). */
    @Override
    public Storage allocateUninitialized(DType dtype, int size, Device device) {
        CudaRuntime r = rt(device);
        CudaStorage s = new CudaStorage(this, device, dtype, size, r.allocator);
        if (size > 0 && r.driver.poisonsUninitialized()) {
            r.driver.memsetD8Async(s.ptr(), (byte) 0xFF, s.bytes());
        }
        return s;
    }

    @Override
    public Storage fromHost(Object array, Device device) {
        CudaRuntime r = rt(device);
        r.refuseWhileCapturing("copying host data to the GPU");
        DType dtype = switch (array) {
            case float[] a -> DType.FLOAT32;
            case double[] a -> DType.FLOAT64;
            case long[] a -> DType.INT64;
            case boolean[] a -> DType.BOOL;
            default -> throw new IllegalArgumentException("cuda.fromHost: unsupported array type "
                    + array.getClass().getSimpleName());
        };
        CudaStorage s = new CudaStorage(this, device, dtype, java.lang.reflect.Array.getLength(array), r.allocator);
        upload(s, array);
        return s;
    }

    /** Copies a whole host array of the storage's type into it. */
    void upload(CudaStorage s, Object array) {
        if (s.size() == 0) {
            return;
        }
        CudaRuntime r = s.runtime();
        r.activate();
        r.refuseWhileCapturing("copying host data to the GPU");
        Object host = array;
        if (array instanceof boolean[] a) {
            byte[] bytes = new byte[a.length]; // BOOL is one byte per element on the device
            for (int i = 0; i < a.length; i++) {
                bytes[i] = (byte) (a[i] ? 1 : 0);
            }
            host = bytes;
        }
        // synchronous, on the legacy stream, which waits for Ember's (blocking) stream: ordered with every kernel
        r.driver.upload(s.ptr(), host, s.bytes());
    }

    /** A peer copy on the destination GPU (no trip through host memory). */
    @Override
    public Storage copyToDevice(Storage storage, Device device) {
        CudaStorage s = (CudaStorage) storage;
        CudaRuntime from = s.runtime();
        from.refuseWhileCapturing("copying a tensor to another GPU");
        CudaRuntime to = rt(device);
        CudaStorage copy = new CudaStorage(this, device, s.dtype(), s.size(), to.allocator);
        if (s.size() > 0) {
            from.kernels.copyPeer(copy.ptr(), to.driver, s.ptr(), s.bytes());
        }
        return copy;
    }

    @Override
    public Object toHost(Storage storage) {
        CudaStorage s = (CudaStorage) storage;
        CudaRuntime r = s.runtime();
        r.activate();
        r.refuseWhileCapturing("reading a tensor to the host (item(), toFloatArray(), printing)");
        int n = s.size();
        Object host = switch (s.dtype()) {
            case FLOAT32 -> new float[n];
            case FLOAT64 -> new double[n];
            case INT64 -> new long[n];
            case BOOL -> new byte[n];
        };
        if (n > 0) {
            r.driver.download(host, s.ptr(), s.bytes()); // waits for the kernels queued before it
        } else {
            r.synchronize(); // no copy to wait on: the index checks below still need the kernels done
        }
        r.indexCheck.raiseIfFailed(r);
        if (host instanceof byte[] bytes) {
            boolean[] a = new boolean[n];
            for (int i = 0; i < n; i++) {
                a[i] = bytes[i] != 0;
            }
            return a;
        }
        return host;
    }

    // ---------------------------------------------------------------- element-wise

    @Override
    public void copy(Strided src, Strided dst) {
        int n = dst.numel();
        if (n == 0) {
            return;
        }
        CudaRuntime r = CudaRuntime.get();
        if (src.dtype() == dst.dtype() && src.isContiguous() && dst.isContiguous()) {
            long bytes = (long) n * CudaStorage.elementSize(dst.dtype());
            r.kernels.copy(at(dst), at(src), bytes);
            return;
        }
        int[][] d = Desc.of(src, dst);
        if (d == null) {
            HostFallback.run(this, 0b10, h -> cpu().copy(h[0], h[1]), src, dst);
            return;
        }
        r.kernels.launch1d("copy_" + sfx(src) + "_" + sfx(dst), n, n, d[0], d[1], base(src), base(dst));
    }

    @Override
    public void fill(Strided dst, double value) {
        int n = dst.numel();
        if (n == 0) {
            return;
        }
        int[][] d = Desc.of(dst);
        if (d == null) {
            HostFallback.run(this, 0b1, h -> cpu().fill(h[0], value), dst);
            return;
        }
        k().launch1d("fill_" + sfx(dst), n, n, d[0], base(dst), value);
    }

    @Override
    public void unary(UnaryOp op, Strided in, Strided out) {
        int n = out.numel();
        if (n == 0) {
            return;
        }
        if (in.dtype() != out.dtype()) {
            // an integer input of a floating function: convert into out, then apply in place
            copy(in, out);
            unary(op, out, out);
            return;
        }
        int[][] d = Desc.of(in, out);
        if (d == null || in.dtype() == DType.BOOL) {
            HostFallback.run(this, 0b10, h -> cpu().unary(op, h[0], h[1]), in, out);
            return;
        }
        k().launch1d("unary_" + sfx(in), n, op.ordinal(), n, d[0], d[1], base(in), base(out));
    }

    @Override
    public void binary(BinaryOp op, Strided a, Strided b, Strided out) {
        int n = out.numel();
        if (n == 0) {
            return;
        }
        int[][] d = Desc.of(a, b, out);
        if (d == null) {
            HostFallback.run(this, 0b100, h -> cpu().binary(op, h[0], h[1], h[2]), a, b, out);
            return;
        }
        k().launch1d("binary_" + sfx(out), n, op.ordinal(), n, d[0], d[1], d[2], base(a), base(b), base(out));
    }

    /** scalar_binary_T: contiguous operands of a floating dtype; every BinaryOp is one of its ops. */
    @Override
    public boolean binaryScalar(BinaryOp op, Strided a, double s, boolean scalarFirst, Strided out) {
        if (!a.isContiguous() || !out.isContiguous() || a.dtype() != out.dtype() || !out.dtype().isFloatingPoint()) {
            return false;
        }
        int n = out.numel();
        if (n > 0) {
            k().launch1d("scalar_binary_" + sfx(out), n, op.ordinal(), n, at(a), s, scalarFirst ? 1 : 0, at(out));
        }
        return true;
    }

    @Override
    public void compare(CompareOp op, Strided a, Strided b, Strided out) {
        int n = out.numel();
        if (n == 0) {
            return;
        }
        int[][] d = Desc.of(a, b, out);
        if (d == null) {
            HostFallback.run(this, 0b100, h -> cpu().compare(op, h[0], h[1], h[2]), a, b, out);
            return;
        }
        k().launch1d("compare_" + sfx(a), n, op.ordinal(), n, d[0], d[1], d[2], base(a), base(b), base(out));
    }

    @Override
    public void where(Strided cond, Strided a, Strided b, Strided out) {
        int n = out.numel();
        if (n == 0) {
            return;
        }
        int[][] d = Desc.of(cond, a, b, out);
        if (d == null) {
            HostFallback.run(this, 0b1000, h -> cpu().where(h[0], h[1], h[2], h[3]), cond, a, b, out);
            return;
        }
        k().launch1d("where_" + sfx(out), n, n, d[0], d[1], d[2], d[3], base(cond), base(a), base(b), base(out));
    }

    @Override
    public boolean random(Strided out, boolean normal, long seed, long offset) {
        int n = out.numel();
        if (!out.dtype().isFloatingPoint() || !out.isContiguous()) {
            return false;
        }
        if (n > 0) {
            int threads = (n + 3) / 4; // one Philox call (4 numbers) per thread
            String kind = normal ? "normal_" : "uniform_";
            GraphRandom g = CudaRuntime.get().graphRandom;
            if (g != null) { // capturing: seed and base offset come from the device at each replay
                k().launch1d(kind + "graph_" + sfx(out), threads, n, g.state, g.intra(seed, offset), at(out));
            } else {
                k().launch1d(kind + sfx(out), threads, n, seed, offset, at(out));
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- reductions, products, indexing

    @Override
    public void reduce(ReduceOp op, Strided in, int[] dims, Strided out) {
        CudaReduce.reduce(this, op, in, dims, out);
    }

    @Override
    public void bmm(Strided a, Strided b, Strided out) {
        CudaGemm.bmm(this, a, b, null, out);
    }

    /** Every GEMM kernel adds a strided addend in its epilogue; an empty sum (K = 0) takes the composite. */
    @Override
    public boolean bmmAdd(Strided a, Strided b, Strided addend, Strided out) {
        if (addend.dtype() != out.dtype() || a.shape()[2] == 0) {
            return false;
        }
        CudaGemm.bmm(this, a, b, addend, out);
        return true;
    }

    @Override
    public void indexSelect(Strided in, int dim, Strided index, Strided out) {
        CudaIndexing.indexSelect(this, in, dim, index, out);
    }

    @Override
    public void gather(Strided in, int dim, Strided index, Strided out) {
        CudaIndexing.gather(this, in, dim, index, out);
    }

    @Override
    public void scatterAdd(Strided out, int dim, Strided index, Strided src) {
        CudaIndexing.scatterAdd(this, out, dim, index, src);
    }

    @Override
    public boolean indexAdd(Strided out, int dim, Strided index, Strided src) {
        return CudaIndexing.indexAdd(out, dim, index, src);
    }

    // ---------------------------------------------------------------- fused kernels

    @Override
    public boolean softmax(Strided in, Strided out, boolean log) {
        return CudaFused.softmax(in, out, log);
    }

    @Override
    public boolean softmaxBackward(Strided out, Strided gradOut, Strided gradIn, boolean log) {
        return CudaFused.softmaxBackward(out, gradOut, gradIn, log);
    }

    @Override
    public boolean layerNorm(Strided in, Strided weight, Strided bias, double eps, Strided out, Strided mean,
                             Strided rstd) {
        return CudaFused.layerNorm(in, weight, bias, eps, out, mean, rstd);
    }

    @Override
    public boolean layerNormBackward(Strided gradOut, Strided in, Strided weight, Strided mean, Strided rstd,
                                     Strided gradIn, Strided gradWeight, Strided gradBias) {
        return CudaFused.layerNormBackward(gradOut, in, weight, mean, rstd, gradIn, gradWeight, gradBias);
    }

    @Override
    public boolean adamStep(Strided param, Strided grad, Strided expAvg, Strided expAvgSq, Strided maxExpAvgSq,
                            AdamUpdate update) {
        return CudaFused.adamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq, update);
    }

    @Override
    public boolean adamStepCapturable(Strided param, Strided grad, Strided expAvg, Strided expAvgSq,
                                      Strided maxExpAvgSq, Strided step, AdamUpdate update) {
        return CudaFused.adamStepCapturable(param, grad, expAvg, expAvgSq, maxExpAvgSq, step, update);
    }

    @Override
    public boolean gelu(Strided in, Strided out) {
        return CudaFused.gelu(in, out);
    }

    @Override
    public boolean geluBackward(Strided in, Strided gradOut, Strided gradIn) {
        return CudaFused.geluBackward(in, gradOut, gradIn);
    }

    @Override
    public boolean sgdStep(Strided param, Strided grad, Strided momentumBuffer, SgdUpdate update) {
        return CudaFused.sgdStep(param, grad, momentumBuffer, update);
    }

    @Override
    public boolean lstmCell(Strided xGates, Strided hGates, Strided cPrev, Strided hc, Strided gates) {
        return CudaFused.lstmCell(xGates, hGates, cPrev, hc, gates);
    }

    @Override
    public boolean lstmCellBackward(Strided gradHc, Strided gates, Strided cPrev, Strided hc, Strided gradGates,
                                    Strided gradCPrev) {
        return CudaFused.lstmCellBackward(gradHc, gates, cPrev, hc, gradGates, gradCPrev);
    }

    @Override
    public boolean lstmSequence(Strided xg, Strided h0, Strided c0, Strided wHh, boolean reverse, Strided out,
                                Strided gates) {
        return CudaLstm.forward(xg, h0, c0, wHh, reverse, out, gates);
    }

    @Override
    public boolean lstmSequenceBackward(Strided gradOut, Strided out, Strided gates, Strided c0, Strided wHh,
                                        boolean reverse, Strided gradGates, Strided gradH0, Strided gradC0) {
        return CudaLstm.backward(gradOut, out, gates, c0, wHh, reverse, gradGates, gradH0, gradC0);
    }

    @Override
    public boolean attention(Strided q, Strided k, Strided v, Strided bias, double scale, Strided out,
                             Strided lse) {
        return CudaAttention.forward(q, k, v, bias, scale, out, lse);
    }

    @Override
    public boolean attentionBackward(Strided q, Strided k, Strided v, Strided bias, double scale, Strided out,
                                     Strided lse, Strided gradOut, Strided gradQ, Strided gradK, Strided gradV) {
        return CudaAttention.backward(q, k, v, bias, scale, out, lse, gradOut, gradQ, gradK, gradV);
    }

    @Override
    public boolean adamStepMulti(List<Strided[]> entries, AdamUpdate update, boolean deviceSteps) {
        return CudaFused.adamStepMulti(entries, update, deviceSteps);
    }

    @Override
    public boolean batchNorm(Strided x, Strided weight, Strided bias, Strided runningMean, Strided runningVar,
                             boolean training, double momentum, double eps, Strided y, Strided mean,
                             Strided invstd) {
        return CudaNorm.batchNorm(x, weight, bias, runningMean, runningVar, training, momentum, eps, y, mean, invstd);
    }

    @Override
    public boolean batchNormBackward(Strided gradOut, Strided x, Strided weight, Strided mean, Strided invstd,
                                     boolean training, Strided gradIn, Strided gradWeight, Strided gradBias) {
        return CudaNorm.batchNormBackward(gradOut, x, weight, mean, invstd, training, gradIn, gradWeight, gradBias);
    }

    @Override
    public boolean crossEntropy(Strided input, Strided target, long ignoreIndex, int reduction, Strided logp,
                                Strided loss, Strided count, String checkMessage) {
        return CudaLoss.crossEntropy(input, target, ignoreIndex, reduction, logp, loss, count, checkMessage);
    }

    @Override
    public boolean crossEntropyBackward(Strided logp, Strided target, long ignoreIndex, int reduction, Strided grad,
                                        Strided count, Strided gradInput) {
        return CudaLoss.crossEntropyBackward(logp, target, ignoreIndex, reduction, grad, count, gradInput);
    }

    @Override
    public boolean reluBackward(Strided out, Strided grad, Strided gradIn) {
        return CudaFused.reluBackward(out, grad, gradIn);
    }

    @Override
    public boolean sgdStepMulti(List<Strided[]> entries, SgdUpdate update) {
        return CudaFused.sgdStepMulti(entries, update);
    }

    @Override
    public boolean gruCell(Strided xGates, Strided hGates, Strided h, Strided hNew, Strided saved) {
        return CudaFused.gruCell(xGates, hGates, h, hNew, saved);
    }

    @Override
    public boolean gruCellBackward(Strided gradHNew, Strided saved, Strided h, Strided gradXGates,
                                   Strided gradHGates, Strided gradH) {
        return CudaFused.gruCellBackward(gradHNew, saved, h, gradXGates, gradHGates, gradH);
    }

    @Override
    public boolean maxPool2d(Strided x, Window2d window, Strided out, Strided indices) {
        return CudaPool.maxPool2d(x, window, out, indices);
    }

    @Override
    public boolean maxPool2dBackward(Strided gradOut, Strided indices, Window2d window, Strided gradIn) {
        return CudaPool.maxPool2dBackward(gradOut, indices, window, gradIn);
    }

    @Override
    public boolean im2col(Strided x, Window2d window, Strided cols) {
        return CudaFused.im2col(x, window, cols);
    }

    @Override
    public boolean col2im(Strided cols, Window2d window, Strided x) {
        return CudaFused.col2im(cols, window, x);
    }

    static Backend cpu() {
        return dev.ember.backend.Backends.forDevice(Device.CPU);
    }
}
