package dev.ember.backend.cpu;

import dev.ember.backend.AdamUpdate;
import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.CompareOp;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.SgdUpdate;
import dev.ember.backend.Storage;
import dev.ember.backend.Strided;
import dev.ember.backend.UnaryOp;
import dev.ember.backend.Window2d;
import dev.ember.tensor.DType;
import dev.ember.tensor.Device;

/**
 * A "cuda" device emulated in host memory with the CPU's kernels, for testing the device plumbing (moves, mixed
 * devices, modules, optimizers, nn code that must create its tensors on the input's device) on machines without a
 * GPU. Its storages are CPU storages labelled {@code cuda:0}, so every kernel is the CPU's and results must be
 * bit-identical to the CPU's; any tensor that nn code wrongly creates on the CPU meets a {@code cuda:0} tensor and
 * fails with the mixed-devices error. Registered with {@link Backends#register} for the duration of a test.
 */
public final class EmulatedDevice implements Backend {
    public static final Device DEVICE = Device.cuda();
    private final CpuBackend cpu = new CpuBackend();

    /** Registers an emulated cuda device; close it (try-with-resources) to remove it again. */
    public static AutoCloseable install() {
        EmulatedDevice d = new EmulatedDevice();
        Backends.register(d);
        return () -> Backends.unregister(d);
    }

    private Storage wrap(Object array) {
        return new CpuStorage(this, DEVICE, array);
    }

    @Override
    public String name() {
        return "emulated-cuda";
    }

    @Override
    public String description() {
        return "cuda:0 emulated in host memory with the CPU's kernels (tests)";
    }

    @Override
    public String deviceType() {
        return "cuda";
    }

    @Override
    public Storage allocate(DType dtype, int size, Device device) {
        return wrap(CpuStorage.newArray(dtype, size));
    }

    @Override
    public Storage fromHost(Object array, Device device) {
        return wrap(((CpuStorage) cpu.fromHost(array, Device.CPU)).array());
    }

    @Override
    public Object toHost(Storage storage) {
        return cpu.toHost(storage);
    }

    @Override
    public void copy(Strided src, Strided dst) {
        cpu.copy(src, dst);
    }

    @Override
    public void fill(Strided dst, double value) {
        cpu.fill(dst, value);
    }

    @Override
    public void unary(UnaryOp op, Strided in, Strided out) {
        cpu.unary(op, in, out);
    }

    @Override
    public void binary(BinaryOp op, Strided a, Strided b, Strided out) {
        cpu.binary(op, a, b, out);
    }

    @Override
    public void compare(CompareOp op, Strided a, Strided b, Strided out) {
        cpu.compare(op, a, b, out);
    }

    @Override
    public void where(Strided cond, Strided a, Strided b, Strided out) {
        cpu.where(cond, a, b, out);
    }

    @Override
    public void reduce(ReduceOp op, Strided in, int[] dims, Strided out) {
        cpu.reduce(op, in, dims, out);
    }

    @Override
    public void bmm(Strided a, Strided b, Strided out) {
        cpu.bmm(a, b, out);
    }

    @Override
    public void indexSelect(Strided in, int dim, Strided index, Strided out) {
        cpu.indexSelect(in, dim, index, out);
    }

    @Override
    public void gather(Strided in, int dim, Strided index, Strided out) {
        cpu.gather(in, dim, index, out);
    }

    @Override
    public void scatterAdd(Strided out, int dim, Strided index, Strided src) {
        cpu.scatterAdd(out, dim, index, src);
    }

    @Override
    public boolean softmax(Strided in, Strided out, boolean log) {
        return cpu.softmax(in, out, log);
    }

    @Override
    public boolean softmaxBackward(Strided out, Strided gradOut, Strided gradIn, boolean log) {
        return cpu.softmaxBackward(out, gradOut, gradIn, log);
    }

    @Override
    public boolean layerNorm(Strided in, Strided weight, Strided bias, double eps, Strided out, Strided mean,
                             Strided rstd) {
        return cpu.layerNorm(in, weight, bias, eps, out, mean, rstd);
    }

    @Override
    public boolean layerNormBackward(Strided gradOut, Strided in, Strided weight, Strided mean, Strided rstd,
                                     Strided gradIn, Strided gradWeight, Strided gradBias) {
        return cpu.layerNormBackward(gradOut, in, weight, mean, rstd, gradIn, gradWeight, gradBias);
    }

    @Override
    public boolean indexAdd(Strided out, int dim, Strided index, Strided src) {
        return cpu.indexAdd(out, dim, index, src);
    }

    @Override
    public boolean adamStep(Strided param, Strided grad, Strided expAvg, Strided expAvgSq, Strided maxExpAvgSq,
                            AdamUpdate update) {
        return cpu.adamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq, update);
    }

    @Override
    public boolean sgdStep(Strided param, Strided grad, Strided momentumBuffer, SgdUpdate update) {
        return cpu.sgdStep(param, grad, momentumBuffer, update);
    }

    @Override
    public boolean lstmCell(Strided xGates, Strided hGates, Strided cPrev, Strided hc, Strided gates) {
        return cpu.lstmCell(xGates, hGates, cPrev, hc, gates);
    }

    @Override
    public boolean lstmCellBackward(Strided gradHc, Strided gates, Strided cPrev, Strided hc, Strided gradGates,
                                    Strided gradCPrev) {
        return cpu.lstmCellBackward(gradHc, gates, cPrev, hc, gradGates, gradCPrev);
    }

    @Override
    public boolean im2col(Strided x, Window2d window, Strided cols) {
        return cpu.im2col(x, window, cols);
    }

    @Override
    public boolean col2im(Strided cols, Window2d window, Strided x) {
        return cpu.col2im(cols, window, x);
    }

    @Override
    public boolean gelu(Strided in, Strided out) {
        return cpu.gelu(in, out);
    }

    @Override
    public boolean geluBackward(Strided in, Strided gradOut, Strided gradIn) {
        return cpu.geluBackward(in, gradOut, gradIn);
    }
}
