package dev.ember.backend.cpu;

import dev.ember.backend.Backend;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.CompareOp;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.Storage;
import dev.ember.backend.Strided;
import dev.ember.backend.UnaryOp;
import dev.ember.backend.Window2d;
import dev.ember.tensor.DType;
import dev.ember.tensor.Device;

/**
 * The reference backend: plain loops over Java arrays. Kernels live in small classes by kind
 * ({@link CpuElementwise}, {@link CpuReduce}, {@link CpuMatmul}, {@link CpuIndexing}); this class does
 * storage and copies and dispatches to them.
 */
public final class CpuBackend implements Backend {
    /** The device its storages report: the CPU, or a device it emulates ({@link EmulatedDevice}). */
    private final Device device;

    public CpuBackend() {
        this(Device.CPU);
    }

    /** The CPU's kernels on storages labelled {@code device}: a device emulated in host memory (tests). */
    CpuBackend(Device device) {
        this.device = device;
    }

    @Override
    public String name() {
        return device.equals(Device.CPU) ? "cpu" : "emulated-" + device.type();
    }

    @Override
    public String description() {
        return device.equals(Device.CPU) ? "CPU, Java arrays, " + Runtime.getRuntime().availableProcessors() + " cores"
                : device + " emulated in host memory with the CPU's kernels (tests)";
    }

    @Override
    public String deviceType() {
        return device.type();
    }

    @Override
    public Storage allocate(DType dtype, int size, Device device) {
        return new CpuStorage(this, this.device, CpuStorage.newArray(dtype, size));
    }

    @Override
    public Storage fromHost(Object array, Device device) {
        Object copy = switch (array) {
            case float[] a -> a.clone();
            case double[] a -> a.clone();
            case long[] a -> a.clone();
            case boolean[] a -> a.clone();
            default -> throw new IllegalArgumentException(
                    "fromHost: expected float[], double[], long[] or boolean[], got " + array.getClass());
        };
        return new CpuStorage(this, this.device, copy);
    }

    /** Wraps an array without copying: the storage then aliases it. */
    public Storage wrap(Object array) {
        return new CpuStorage(this, device, array);
    }

    @Override
    public Object toHost(Storage storage) {
        Object a = ((CpuStorage) storage).array();
        return switch (a) {
            case float[] x -> x.clone();
            case double[] x -> x.clone();
            case long[] x -> x.clone();
            case boolean[] x -> x.clone();
            default -> throw new IllegalStateException();
        };
    }

    @Override
    public void copy(Strided src, Strided dst) {
        CpuCopy.copy(src, dst);
    }

    @Override
    public void fill(Strided dst, double value) {
        CpuStorage t = (CpuStorage) dst.storage();
        if (dst.isContiguous()) {
            int from = dst.offset();
            int to = from + dst.numel();
            switch (t.dtype()) {
                case FLOAT32 -> java.util.Arrays.fill(t.f, from, to, (float) value);
                case FLOAT64 -> java.util.Arrays.fill(t.d, from, to, value);
                case INT64 -> java.util.Arrays.fill(t.l, from, to, (long) value);
                case BOOL -> java.util.Arrays.fill(t.b, from, to, value != 0);
            }
            return;
        }
        StridedLoop.forEachRow(dst.shape(), new int[][] {dst.strides()}, new int[] {dst.offset()}, (o, st, n) -> {
            for (int k = 0, j = o[0]; k < n; k++, j += st[0]) {
                t.setDouble(j, value);
            }
        });
    }

    @Override
    public void unary(UnaryOp op, Strided in, Strided out) {
        CpuElementwise.unary(op, in, out);
    }

    @Override
    public void binary(BinaryOp op, Strided a, Strided b, Strided out) {
        CpuElementwise.binary(op, a, b, out);
    }

    @Override
    public void compare(CompareOp op, Strided a, Strided b, Strided out) {
        CpuElementwise.compare(op, a, b, out);
    }

    @Override
    public void where(Strided cond, Strided a, Strided b, Strided out) {
        CpuElementwise.where(cond, a, b, out);
    }

    @Override
    public void reduce(ReduceOp op, Strided in, int[] dims, Strided out) {
        CpuReduce.reduce(op, in, dims, out);
    }

    @Override
    public void bmm(Strided a, Strided b, Strided out) {
        CpuMatmul.bmm(a, b, out);
    }

    @Override
    public void indexSelect(Strided in, int dim, Strided index, Strided out) {
        CpuIndexing.indexSelect(this, in, dim, index, out);
    }

    @Override
    public void gather(Strided in, int dim, Strided index, Strided out) {
        CpuIndexing.gather(in, dim, index, out);
    }

    @Override
    public void scatterAdd(Strided out, int dim, Strided index, Strided src) {
        CpuIndexing.scatterAdd(out, dim, index, src);
    }

    // ---------------------------------------------------------------- fused kernels

    @Override
    public boolean softmax(Strided in, Strided out, boolean log) {
        return CpuSoftmax.forward(in, out, log);
    }

    @Override
    public boolean softmaxBackward(Strided out, Strided gradOut, Strided gradIn, boolean log) {
        return CpuSoftmax.backward(out, gradOut, gradIn, log);
    }

    @Override
    public boolean layerNorm(Strided in, Strided weight, Strided bias, double eps, Strided out, Strided mean,
                             Strided rstd) {
        return CpuLayerNorm.forward(in, weight, bias, eps, out, mean, rstd);
    }

    @Override
    public boolean layerNormBackward(Strided gradOut, Strided in, Strided weight, Strided mean, Strided rstd,
                                     Strided gradIn, Strided gradWeight, Strided gradBias) {
        return CpuLayerNorm.backward(gradOut, in, weight, mean, rstd, gradIn, gradWeight, gradBias);
    }

    @Override
    public boolean indexAdd(Strided out, int dim, Strided index, Strided src) {
        return CpuIndexing.indexAdd(out, dim, index, src);
    }

    @Override
    public boolean adamStep(Strided param, Strided grad, Strided expAvg, Strided expAvgSq, Strided maxExpAvgSq,
                            dev.ember.backend.AdamUpdate update) {
        return CpuOptim.adam(param, grad, expAvg, expAvgSq, maxExpAvgSq, update);
    }

    @Override
    public boolean sgdStep(Strided param, Strided grad, Strided momentumBuffer, dev.ember.backend.SgdUpdate update) {
        return CpuOptim.sgd(param, grad, momentumBuffer, update);
    }

    @Override
    public boolean lstmCell(Strided xGates, Strided hGates, Strided cPrev, Strided hc, Strided gates) {
        return CpuLstm.forward(xGates, hGates, cPrev, hc, gates);
    }

    @Override
    public boolean lstmSequence(Strided xg, Strided h0, Strided c0, Strided wHh, boolean reverse, Strided out,
                                Strided gates) {
        return CpuLstmSequence.forward(xg, h0, c0, wHh, reverse, out, gates);
    }

    @Override
    public boolean lstmSequenceBackward(Strided gradOut, Strided out, Strided gates, Strided c0, Strided wHh,
                                        boolean reverse, Strided gradGates, Strided gradH0, Strided gradC0) {
        return CpuLstmSequence.backward(gradOut, out, gates, c0, wHh, reverse, gradGates, gradH0, gradC0);
    }

    @Override
    public boolean lstmCellBackward(Strided gradHc, Strided gates, Strided cPrev, Strided hc, Strided gradGates,
                                    Strided gradCPrev) {
        return CpuLstm.backward(gradHc, gates, cPrev, hc, gradGates, gradCPrev);
    }

    @Override
    public boolean im2col(Strided x, Window2d window, Strided cols) {
        return CpuUnfold.im2col(x, window, cols);
    }

    @Override
    public boolean col2im(Strided cols, Window2d window, Strided x) {
        return CpuUnfold.col2im(cols, window, x);
    }

    @Override
    public boolean conv2d(Strided x, Strided weight, Strided bias, Window2d window, Strided y) {
        return CpuConv.forward(x, weight, bias, window, y);
    }

    @Override
    public boolean conv2dBackwardInput(Strided gradY, Strided weight, Window2d window, Strided gradX) {
        return CpuConv.backwardInput(gradY, weight, window, gradX);
    }

    @Override
    public boolean conv2dBackwardWeight(Strided x, Strided gradY, Window2d window, Strided gradWeight,
                                        Strided gradBias) {
        return CpuConvWeight.backwardWeight(x, gradY, window, gradWeight, gradBias);
    }

    @Override
    public boolean maxPool2d(Strided x, Window2d window, Strided out, Strided indices) {
        return CpuPool.maxPool2d(x, window, out, indices);
    }

    @Override
    public boolean maxPool2dBackward(Strided gradOut, Strided indices, Window2d window, Strided gradIn) {
        return CpuPool.maxPool2dBackward(gradOut, indices, gradIn);
    }

    @Override
    public boolean gruCell(Strided xGates, Strided hGates, Strided h, Strided hNew, Strided saved) {
        return CpuGru.forward(xGates, hGates, h, hNew, saved);
    }

    @Override
    public boolean gruCellBackward(Strided gradHNew, Strided saved, Strided h, Strided gradXGates,
                                   Strided gradHGates, Strided gradH) {
        return CpuGru.backward(gradHNew, saved, h, gradXGates, gradHGates, gradH);
    }

    @Override
    public boolean gelu(Strided in, Strided out) {
        return CpuGelu.forward(in, out);
    }

    @Override
    public boolean geluBackward(Strided in, Strided gradOut, Strided gradIn) {
        return CpuGelu.backward(in, gradOut, gradIn);
    }

    @Override
    public boolean reluBackward(Strided out, Strided grad, Strided gradIn) {
        return CpuRelu.backward(out, grad, gradIn);
    }
}
