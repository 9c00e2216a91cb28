package dev.ember.tensor;

import dev.ember.autograd.AccumulateGrad;
import dev.ember.autograd.Autograd;
import dev.ember.autograd.Engine;
import dev.ember.autograd.Node;
import dev.ember.backend.Backend;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.CompareOp;
import dev.ember.backend.Storage;
import dev.ember.backend.Strided;
import dev.ember.backend.UnaryOp;
import java.util.List;

/**
 * An n-dimensional array with PyTorch's semantics: a view (shape, strides, offset) over a storage owned by
 * a backend, with an optional place in the autograd graph. Operations return new tensors (views share
 * storage); methods ending in {@code i} ({@code addi}, {@code muli}, ...) work in place.
 *
 * <p>Names follow PyTorch in camelCase: {@code x.logSoftmax(-1)} is {@code x.log_softmax(-1)}. Broadcasting and
 * type promotion follow PyTorch's rules exactly. Each method's implementation (forward and backward side by
 * side) lives in a small class of this package by kind: {@link Elementwise}, {@link Reductions},
 * {@link Views}, {@link Joins}, {@link Indexing}, {@link MatMul}, {@link Creation}.
 */
public final class Tensor {
    // not final: setData() swaps what a parameter points at (dtype or device moves) keeping its identity
    Storage storage;
    int[] shape;
    int[] strides;
    int offset;
    /** The tensor this one is a view of (null if it owns its storage's layout). */
    final Tensor base;
    /** True for scalar arguments wrapped as zero-dim tensors: lowest priority in type promotion. */
    boolean wrappedNumber;

    boolean requiresGrad;
    Tensor grad;
    Node gradFn;
    private AccumulateGrad accumulator;

    Tensor(Storage storage, int[] shape, int[] strides, int offset, Tensor base) {
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.base = base;
    }

    // ---------------------------------------------------------------- creation (see Creation)

    /** A float32 tensor of the given shape from row-major data. */
    public static Tensor of(double[] data, long... shape) {
        return Creation.of(DType.FLOAT32, data, shape);
    }

    /** A tensor of {@code dtype} from row-major data. */
    public static Tensor of(DType dtype, double[] data, long... shape) {
        return Creation.of(dtype, data, shape);
    }

    /** A float32 tensor from row-major float data (copied). */
    public static Tensor of(float[] data, long... shape) {
        return Creation.fromHost(data.clone(), Creation.checkData("Tensor.of", data.length, shape));
    }

    /** An int64 tensor from row-major data. */
    public static Tensor of(long[] data, long... shape) {
        return Creation.ofLongs(data, shape);
    }

    /** A bool tensor from row-major data. */
    public static Tensor of(boolean[] data, long... shape) {
        return Creation.ofBooleans(data, shape);
    }

    /** One value as a float32 tensor of shape [1], like {@code torch.Tensor([v])}. */
    public static Tensor of(double value) {
        return Creation.of(DType.FLOAT32, new double[] {value}, 1);
    }

    /** A zero-dim float32 tensor, like {@code torch.tensor(v)}. */
    public static Tensor scalar(double value) {
        return Creation.of(DType.FLOAT32, new double[] {value});
    }

    /** A zero-dim tensor of {@code dtype}. */
    public static Tensor scalar(DType dtype, double value) {
        return Creation.of(dtype, new double[] {value});
    }

    public static Tensor zeros(long... shape) {
        return Creation.full("zeros", DType.FLOAT32, 0, shape);
    }

    public static Tensor zeros(DType dtype, long... shape) {
        return Creation.full("zeros", dtype, 0, shape);
    }

    public static Tensor ones(long... shape) {
        return Creation.full("ones", DType.FLOAT32, 1, shape);
    }

    public static Tensor ones(DType dtype, long... shape) {
        return Creation.full("ones", dtype, 1, shape);
    }

    public static Tensor full(double value, long... shape) {
        return Creation.full("full", DType.FLOAT32, value, shape);
    }

    public static Tensor full(DType dtype, double value, long... shape) {
        return Creation.full("full", dtype, value, shape);
    }

    /** Zeros of {@code dtype} on {@code device} ({@code torch.zeros(..., device=...)}). */
    public static Tensor zeros(DType dtype, Device device, long... shape) {
        return Creation.full("zeros", dtype, 0, device, shape);
    }

    public static Tensor ones(DType dtype, Device device, long... shape) {
        return Creation.full("ones", dtype, 1, device, shape);
    }

    public static Tensor full(DType dtype, Device device, double value, long... shape) {
        return Creation.full("full", dtype, value, device, shape);
    }

    /** Uniform [0, 1) numbers on {@code device}; on CUDA from a Philox stream seeded by {@code Ember.manualSeed}. */
    public static Tensor rand(DType dtype, Device device, long... shape) {
        return Creation.random("rand", dtype, false, device, shape);
    }

    /** Standard normal numbers on {@code device}. */
    public static Tensor randn(DType dtype, Device device, long... shape) {
        return Creation.random("randn", dtype, true, device, shape);
    }

    /** Uniform [0, 1) numbers shaped, typed and placed like {@code t}. */
    public static Tensor randLike(Tensor t) {
        return Creation.random("randLike", t.dtype(), false, t.device(), t.shape());
    }

    public static Tensor randnLike(Tensor t) {
        return Creation.random("randnLike", t.dtype(), true, t.device(), t.shape());
    }

    /** Zeros with this tensor's dtype and device ({@code new_zeros}). */
    public Tensor newZeros(long... shape) {
        return Creation.full("newZeros", dtype(), 0, device(), shape);
    }

    public Tensor newOnes(long... shape) {
        return Creation.full("newOnes", dtype(), 1, device(), shape);
    }

    public Tensor newFull(double value, long... shape) {
        return Creation.full("newFull", dtype(), value, device(), shape);
    }

    public static Tensor zerosLike(Tensor t) {
        return Creation.full("zerosLike", t.dtype(), 0, t.device(), t.shape());
    }

    public static Tensor onesLike(Tensor t) {
        return Creation.full("onesLike", t.dtype(), 1, t.device(), t.shape());
    }

    public static Tensor fullLike(Tensor t, double value) {
        return Creation.full("fullLike", t.dtype(), value, t.device(), t.shape());
    }

    /** int64 values 0, 1, ..., end-1. */
    public static Tensor arange(long end) {
        return Creation.arange(DType.INT64, 0, end, 1);
    }

    /** int64 values start, start+step, ... below end. */
    public static Tensor arange(long start, long end, long step) {
        return Creation.arange(DType.INT64, start, end, step);
    }

    /** float32 values start, start+step, ... below end. */
    public static Tensor arange(double start, double end, double step) {
        return Creation.arange(DType.FLOAT32, start, end, step);
    }

    public static Tensor arange(DType dtype, double start, double end, double step) {
        return Creation.arange(dtype, start, end, step);
    }

    /** {@code steps} evenly spaced float32 values from start to end inclusive. */
    public static Tensor linspace(double start, double end, long steps) {
        return Creation.linspace(DType.FLOAT32, start, end, steps);
    }

    public static Tensor linspace(DType dtype, double start, double end, long steps) {
        return Creation.linspace(dtype, start, end, steps);
    }

    /** The n x n identity, float32. */
    public static Tensor eye(long n) {
        return Creation.eye(DType.FLOAT32, n, n);
    }

    public static Tensor eye(DType dtype, long n, long m) {
        return Creation.eye(dtype, n, m);
    }

    /** Uniform on [0, 1), float32, from the default generator ({@link dev.ember.Ember#manualSeed}). */
    public static Tensor rand(long... shape) {
        return Creation.rand(DType.FLOAT32, shape);
    }

    public static Tensor rand(DType dtype, long... shape) {
        return Creation.rand(dtype, shape);
    }

    /** Standard normal, float32, from the default generator. */
    public static Tensor randn(long... shape) {
        return Creation.randn(DType.FLOAT32, shape);
    }

    public static Tensor randn(DType dtype, long... shape) {
        return Creation.randn(dtype, shape);
    }

    /** int64 values uniform in [low, high). */
    public static Tensor randint(long low, long high, long... shape) {
        return Creation.randint(low, high, shape);
    }

    // ---------------------------------------------------------------- metadata

    public long[] shape() {
        return Shapes.toLongs(shape);
    }

    /** Size of one dim (negative dims count from the end). */
    public long size(int dim) {
        return shape[Shapes.wrapDim("size", dim, shape.length)];
    }

    public int dim() {
        return shape.length;
    }

    public long numel() {
        return Shapes.numel(shape);
    }

    public long[] stride() {
        return Shapes.toLongs(strides);
    }

    public long storageOffset() {
        return offset;
    }

    public DType dtype() {
        return storage.dtype();
    }

    public Device device() {
        return storage.device();
    }

    public boolean isContiguous() {
        return strided().isContiguous();
    }

    public boolean isFloatingPoint() {
        return dtype().isFloatingPoint();
    }

    /** The storage's version counter, bumped by every in-place write (PyTorch's {@code _version}). */
    public int version() {
        return storage.version();
    }

    /** The backend kernels view of this tensor. Internal to Ember's backends. */
    public Strided strided() {
        return new Strided(storage, shape, strides, offset);
    }

    Backend backend() {
        return storage.backend();
    }

    // ---------------------------------------------------------------- values

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new IllegalArgumentException("item: a Tensor with " + numel() + " elements (shape "
                    + Shapes.str(shape) + ") cannot be converted to a scalar");
        }
        return toDoubleArray()[0];
    }

    /** All elements in row-major order, converted to double. */
    public double[] toDoubleArray() {
        return (double[]) hostArray(DType.FLOAT64);
    }

    public float[] toFloatArray() {
        return (float[]) hostArray(DType.FLOAT32);
    }

    public long[] toLongArray() {
        return (long[]) hostArray(DType.INT64);
    }

    public boolean[] toBooleanArray() {
        return (boolean[]) hostArray(DType.BOOL);
    }

    private Object hostArray(DType dtype) {
        Tensor c = Views.copyOf(this, dtype);
        return c.backend().toHost(c.storage);
    }

    // ---------------------------------------------------------------- autograd

    /** Sets whether gradients are recorded for this leaf; returns this (PyTorch's {@code requires_grad_}). */
    public Tensor requiresGrad(boolean requiresGrad) {
        if (requiresGrad && !dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("requiresGrad: only tensors of floating point dtype can require "
                    + "gradients, got " + dtype().torchName());
        }
        if (!requiresGrad && gradFn != null) {
            throw new IllegalArgumentException("requiresGrad: you can only change requires_grad flags of leaf "
                    + "tensors; use detach() to get a tensor that does not require grad");
        }
        this.requiresGrad = requiresGrad;
        return this;
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** True for tensors not produced by a recorded op (user-created, detached, or not requiring grad). */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** The accumulated gradient of a leaf (or of a non-leaf after {@link #retainGrad()}); null if none. */
    public Tensor grad() {
        return grad;
    }

    /** Replaces the gradient (null clears it), like assigning {@code x.grad}. */
    public void setGrad(Tensor grad) {
        if (grad != null && !java.util.Arrays.equals(grad.shape, shape)) {
            throw new IllegalArgumentException("setGrad: assigned grad has shape " + Shapes.str(grad.shape)
                    + " but the tensor has shape " + Shapes.str(shape));
        }
        if (grad != null && !grad.device().equals(device())) {
            throw new IllegalArgumentException("setGrad: assigned grad is on " + grad.device() + " but the tensor is on "
                    + device());
        }
        this.grad = grad;
    }

    /** The node that produced this tensor, or null for a leaf. */
    public Node gradFn() {
        return gradFn;
    }

    /** Keeps this non-leaf tensor's gradient in {@link #grad()} after backward. */
    public Tensor retainGrad() {
        if (!requiresGrad) {
            throw new IllegalStateException("retainGrad: can't retain the gradient of a tensor that does not "
                    + "require grad");
        }
        if (gradFn != null) {
            gradFn.retainGradFor(this);
        }
        return this;
    }

    /** Backward from a one-element tensor (gradient 1). */
    public void backward() {
        Engine.backward(this, null, false);
    }

    /** Backward with the gradient of some scalar loss with respect to this tensor. */
    public void backward(Tensor gradient) {
        Engine.backward(this, gradient, false);
    }

    /** Backward, keeping the graph so backward can run through it again. */
    public void backward(Tensor gradient, boolean retainGraph) {
        Engine.backward(this, gradient, retainGraph);
    }

    /**
     * Makes this tensor a view of {@code data}'s storage, keeping its identity, grad flag and gradient
     * (PyTorch's {@code x.data = data}). For leaves only; used to move parameters to another dtype or device
     * while optimizers keep holding the same tensor objects.
     */
    public void setData(Tensor data) {
        if (gradFn != null) {
            throw new IllegalStateException("setData: only leaf tensors can have their data replaced (shape "
                    + Shapes.str(shape) + ", produced by " + gradFn.name() + ")");
        }
        if (requiresGrad && !data.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("setData: a tensor that requires grad needs floating point data, got "
                    + data.dtype().torchName());
        }
        this.storage = data.storage;
        this.shape = data.shape.clone();
        this.strides = data.strides.clone();
        this.offset = data.offset;
        if (grad != null && (!java.util.Arrays.equals(grad.shape, shape) || grad.dtype() != data.dtype()
                || !grad.device().equals(data.device()))) {
            grad = null; // a gradient of the old layout no longer applies
        }
    }

    /** A tensor sharing this one's storage but outside the graph. */
    public Tensor detach() {
        return new Tensor(storage, shape, strides, offset, this);
    }

    /** The graph edge for this tensor as an op input: its grad_fn, its AccumulateGrad, or null. */
    Node gradEdge() {
        if (!requiresGrad) {
            return null;
        }
        if (gradFn != null) {
            return gradFn;
        }
        if (accumulator == null) {
            accumulator = new AccumulateGrad(this);
        }
        return accumulator;
    }

    // ---------------------------------------------------------------- element-wise (see Elementwise)

    public Tensor add(Tensor other) {
        return Elementwise.binary(BinaryOp.ADD, this, other);
    }

    public Tensor add(double other) {
        return add(Creation.wrap(other));
    }

    public Tensor add(long other) {
        return add(Creation.wrap(other));
    }

    public Tensor sub(Tensor other) {
        return Elementwise.binary(BinaryOp.SUB, this, other);
    }

    public Tensor sub(double other) {
        return sub(Creation.wrap(other));
    }

    public Tensor sub(long other) {
        return sub(Creation.wrap(other));
    }

    public Tensor mul(Tensor other) {
        return Elementwise.binary(BinaryOp.MUL, this, other);
    }

    public Tensor mul(double other) {
        return mul(Creation.wrap(other));
    }

    public Tensor mul(long other) {
        return mul(Creation.wrap(other));
    }

    /** True division: integer inputs give a float32 result, as in PyTorch. */
    public Tensor div(Tensor other) {
        return Elementwise.binary(BinaryOp.DIV, this, other);
    }

    public Tensor div(double other) {
        return div(Creation.wrap(other));
    }

    public Tensor div(long other) {
        return div(Creation.wrap(other));
    }

    public Tensor pow(Tensor exponent) {
        return Elementwise.binary(BinaryOp.POW, this, exponent);
    }

    public Tensor pow(double exponent) {
        return pow(Creation.wrap(exponent));
    }

    public Tensor pow(long exponent) {
        return pow(Creation.wrap(exponent));
    }

    /** Element-wise maximum of two tensors (NaN propagates). */
    public Tensor maximum(Tensor other) {
        return Elementwise.binary(BinaryOp.MAXIMUM, this, other);
    }

    public Tensor minimum(Tensor other) {
        return Elementwise.binary(BinaryOp.MINIMUM, this, other);
    }

    public Tensor neg() {
        return Elementwise.unary(UnaryOp.NEG, this);
    }

    public Tensor exp() {
        return Elementwise.unary(UnaryOp.EXP, this);
    }

    public Tensor log() {
        return Elementwise.unary(UnaryOp.LOG, this);
    }

    public Tensor tanh() {
        return Elementwise.unary(UnaryOp.TANH, this);
    }

    public Tensor sigmoid() {
        return Elementwise.unary(UnaryOp.SIGMOID, this);
    }

    public Tensor relu() {
        return Elementwise.unary(UnaryOp.RELU, this);
    }

    public Tensor sqrt() {
        return Elementwise.unary(UnaryOp.SQRT, this);
    }

    public Tensor abs() {
        return Elementwise.unary(UnaryOp.ABS, this);
    }

    public Tensor sign() {
        return Elementwise.unary(UnaryOp.SIGN, this);
    }

    public Tensor sin() {
        return Elementwise.unary(UnaryOp.SIN, this);
    }

    public Tensor cos() {
        return Elementwise.unary(UnaryOp.COS, this);
    }

    /** The error function, 2/sqrt(pi) * integral_0^x exp(-t^2) dt. */
    public Tensor erf() {
        return Elementwise.unary(UnaryOp.ERF, this);
    }

    /** The complementary error function 1 - erf(x), accurate where erf(x) is close to 1. */
    public Tensor erfc() {
        return Elementwise.unary(UnaryOp.ERFC, this);
    }

    /** Limits every element to [min, max]; gradient flows where min &lt;= x &lt;= max. */
    public Tensor clamp(double min, double max) {
        return Elementwise.clamp(this, min, max);
    }

    public Tensor clampMin(double min) {
        return Elementwise.clamp(this, min, Double.NaN);
    }

    public Tensor clampMax(double max) {
        return Elementwise.clamp(this, Double.NaN, max);
    }

    public Tensor eq(Tensor other) {
        return Elementwise.compare(CompareOp.EQ, this, other);
    }

    public Tensor eq(double other) {
        return eq(Creation.wrap(other));
    }

    public Tensor ne(Tensor other) {
        return Elementwise.compare(CompareOp.NE, this, other);
    }

    public Tensor ne(double other) {
        return ne(Creation.wrap(other));
    }

    public Tensor lt(Tensor other) {
        return Elementwise.compare(CompareOp.LT, this, other);
    }

    public Tensor lt(double other) {
        return lt(Creation.wrap(other));
    }

    public Tensor le(Tensor other) {
        return Elementwise.compare(CompareOp.LE, this, other);
    }

    public Tensor le(double other) {
        return le(Creation.wrap(other));
    }

    public Tensor gt(Tensor other) {
        return Elementwise.compare(CompareOp.GT, this, other);
    }

    public Tensor gt(double other) {
        return gt(Creation.wrap(other));
    }

    public Tensor ge(Tensor other) {
        return Elementwise.compare(CompareOp.GE, this, other);
    }

    public Tensor ge(double other) {
        return ge(Creation.wrap(other));
    }

    /** {@code condition ? x : y} element-wise, broadcasting all three (torch.where). */
    public static Tensor where(Tensor condition, Tensor x, Tensor y) {
        return Elementwise.where(condition, x, y);
    }

    /** {@code condition ? this : other}, like {@code x.where(condition, y)}. */
    public Tensor where(Tensor condition, Tensor other) {
        return Elementwise.where(condition, this, other);
    }

    /** Elements where {@code mask} (bool, broadcastable to this) is true become {@code value}. */
    public Tensor maskedFill(Tensor mask, double value) {
        return Elementwise.maskedFill(this, mask, value);
    }

    /**
     * This tensor on {@code device}: itself when it is already there, else a copy; gradients flow back to this
     * tensor's device. A copy to the host waits for the device's queued work.
     */
    public Tensor to(Device device) {
        return Devices.to(this, device);
    }

    /** {@code to(Device.cuda())}. */
    public Tensor cuda() {
        return to(Device.cuda());
    }

    public Tensor cpu() {
        return to(Device.CPU);
    }

    public boolean isCuda() {
        return device().type().equals("cuda");
    }

    /**
     * Frees this tensor's device memory now rather than when it becomes unreachable, for code that wants
     * memory back at a known point. Every view of the same storage becomes unusable: a later use is a clear
     * error. A no-op on the CPU, where memory belongs to the garbage collector.
     */
    public void close() {
        storage.close();
    }

    /** A copy in another dtype; float32 to float64 is exact, like {@code .double()}. */
    public Tensor to(DType dtype) {
        return Elementwise.cast(this, dtype);
    }

    public Tensor toDouble() {
        return to(DType.FLOAT64);
    }

    public Tensor toFloat() {
        return to(DType.FLOAT32);
    }

    public Tensor toLong() {
        return to(DType.INT64);
    }

    public Tensor toBool() {
        return to(DType.BOOL);
    }

    /** A contiguous copy that is part of the graph (gradient passes straight through). */
    @Override
    public Tensor clone() {
        return Views.cloneOp(this);
    }

    // ---------------------------------------------------------------- in place (see InPlace)

    public Tensor addi(Tensor other) {
        return InPlace.binary("addi", BinaryOp.ADD, this, other);
    }

    public Tensor addi(double other) {
        return addi(Creation.wrap(other));
    }

    public Tensor subi(Tensor other) {
        return InPlace.binary("subi", BinaryOp.SUB, this, other);
    }

    public Tensor subi(double other) {
        return subi(Creation.wrap(other));
    }

    public Tensor muli(Tensor other) {
        return InPlace.binary("muli", BinaryOp.MUL, this, other);
    }

    public Tensor muli(double other) {
        return muli(Creation.wrap(other));
    }

    public Tensor divi(Tensor other) {
        return InPlace.binary("divi", BinaryOp.DIV, this, other);
    }

    public Tensor divi(double other) {
        return divi(Creation.wrap(other));
    }

    /** Sets every element to zero in place (PyTorch's {@code zero_()}). */
    public Tensor zeroi() {
        return InPlace.fill("zeroi", this, 0);
    }

    /** Sets every element to {@code value} in place (PyTorch's {@code fill_()}). */
    public Tensor filli(double value) {
        return InPlace.fill("filli", this, value);
    }

    /** Copies {@code src} (broadcast to this shape, converted to this dtype) into this tensor in place. */
    public Tensor copyi(Tensor src) {
        return InPlace.copy(this, src);
    }

    // ---------------------------------------------------------------- reductions (see Reductions)

    /** Sum of all elements, a zero-dim tensor (int64 for integer and bool inputs). */
    public Tensor sum() {
        return Reductions.sum(this, null, false);
    }

    public Tensor sum(int dim, boolean keepDim) {
        return Reductions.sum(this, new int[] {dim}, keepDim);
    }

    public Tensor sum(int[] dims, boolean keepDim) {
        return Reductions.sum(this, dims, keepDim);
    }

    public Tensor mean() {
        return Reductions.mean(this, null, false);
    }

    public Tensor mean(int dim, boolean keepDim) {
        return Reductions.mean(this, new int[] {dim}, keepDim);
    }

    public Tensor mean(int[] dims, boolean keepDim) {
        return Reductions.mean(this, dims, keepDim);
    }

    /** Largest element (zero-dim); ties share the gradient equally. */
    public Tensor max() {
        return Reductions.extreme(true, this, null, false);
    }

    /**
     * Largest values along {@code dim}. Unlike PyTorch's tuple-returning {@code max(dim)}, this returns the values
     * only; {@link #argmax(int, boolean)} gives the indices. As in PyTorch, the gradient goes to the element argmax
     * picks (the first of tied maxima), where {@link #amax} shares it among ties.
     */
    public Tensor max(int dim, boolean keepDim) {
        return Reductions.extremeDim(true, this, dim, keepDim);
    }

    /** Largest values over several dims (torch.amax). */
    public Tensor amax(int[] dims, boolean keepDim) {
        return Reductions.extreme(true, this, dims, keepDim);
    }

    public Tensor min() {
        return Reductions.extreme(false, this, null, false);
    }

    public Tensor min(int dim, boolean keepDim) {
        return Reductions.extremeDim(false, this, dim, keepDim);
    }

    public Tensor amin(int[] dims, boolean keepDim) {
        return Reductions.extreme(false, this, dims, keepDim);
    }

    /** Index of the largest element of the flattened tensor (int64, zero-dim). */
    public Tensor argmax() {
        return Reductions.arg(true, this, null, false);
    }

    public Tensor argmax(int dim, boolean keepDim) {
        return Reductions.arg(true, this, dim, keepDim);
    }

    public Tensor argmin() {
        return Reductions.arg(false, this, null, false);
    }

    public Tensor argmin(int dim, boolean keepDim) {
        return Reductions.arg(false, this, dim, keepDim);
    }

    /** Unbiased variance of all elements (correction 1, PyTorch's default). */
    public Tensor var() {
        return Reductions.var(this, null, 1, false);
    }

    public Tensor var(int dim, boolean keepDim) {
        return Reductions.var(this, new int[] {dim}, 1, keepDim);
    }

    /** Variance over {@code dims} (null: all) dividing by N - correction. */
    public Tensor var(int[] dims, int correction, boolean keepDim) {
        return Reductions.var(this, dims, correction, keepDim);
    }

    public Tensor std() {
        return var().sqrt();
    }

    public Tensor std(int dim, boolean keepDim) {
        return var(dim, keepDim).sqrt();
    }

    public Tensor std(int[] dims, int correction, boolean keepDim) {
        return var(dims, correction, keepDim).sqrt();
    }

    /** log(sum(exp(x))) over {@code dim}, computed stably. */
    public Tensor logsumexp(int dim, boolean keepDim) {
        return Reductions.logsumexp(this, new int[] {dim}, keepDim);
    }

    public Tensor logsumexp(int[] dims, boolean keepDim) {
        return Reductions.logsumexp(this, dims, keepDim);
    }

    public Tensor softmax(int dim) {
        return Reductions.softmax(this, dim);
    }

    public Tensor logSoftmax(int dim) {
        return Reductions.logSoftmax(this, dim);
    }

    /** Sums broadcast dims away so the result has {@code size} (the inverse of expand). */
    public Tensor sumToSize(long... size) {
        return Reductions.sumToSize(this, Shapes.toInts("sumToSize", size));
    }

    // ---------------------------------------------------------------- linear algebra (see MatMul)

    /** Matrix product with PyTorch's rules for 1-D, 2-D and batched (broadcast) operands. */
    public Tensor matmul(Tensor other) {
        return MatMul.matmul(this, other);
    }

    /** Batched matrix product of two 3-D tensors (B, N, K) @ (B, K, M) -> (B, N, M). */
    public Tensor bmm(Tensor other) {
        return MatMul.bmm(this, other);
    }

    /** Matrix product of two 2-D tensors. */
    public Tensor mm(Tensor other) {
        return MatMul.mm(this, other);
    }

    /**
     * {@code this + mat1 @ mat2}, torch.addmm with beta = alpha = 1: mat1 (n, k), mat2 (k, m), this broadcastable
     * to (n, m). A 1-D this (a bias) is added inside the product's kernel where the backend can.
     */
    public Tensor addmm(Tensor mat1, Tensor mat2) {
        return MatMul.addmm(this, mat1, mat2);
    }

    /**
     * {@code this + batch1 @ batch2}, torch.baddbmm with beta = alpha = 1: batch1 (B, N, K), batch2 (B, K, M), this
     * broadcastable to (B, N, M). A this that the product repeats (a convolution's bias per row, an attention mask
     * per matrix) is added inside the product's kernel where the backend can.
     */
    public Tensor baddbmm(Tensor batch1, Tensor batch2) {
        return MatMul.baddbmm(this, batch1, batch2);
    }

    // ---------------------------------------------------------------- views (see Views)

    /** Same data, new shape (one dim may be -1); copies only when no view is possible. */
    public Tensor reshape(long... shape) {
        return Views.reshape(this, shape);
    }

    /** Same data, new shape; fails (as PyTorch) when the strides do not allow a view. */
    public Tensor view(long... shape) {
        return Views.view(this, shape);
    }

    public Tensor transpose(int dim0, int dim1) {
        return Views.transpose(this, dim0, dim1);
    }

    /** Transpose of a tensor with at most 2 dims. */
    public Tensor t() {
        return Views.t(this);
    }

    public Tensor permute(int... dims) {
        return Views.permute(this, dims);
    }

    /** A broadcast view (stride 0) with size-1 dims repeated; -1 keeps a size. */
    public Tensor expand(long... shape) {
        return Views.expand(this, shape);
    }

    public Tensor expandAs(Tensor other) {
        return Views.expand(this, other.shape());
    }

    /** Removes every size-1 dim. */
    public Tensor squeeze() {
        return Views.squeeze(this, null);
    }

    /** Removes {@code dim} if its size is 1 (otherwise returns an equal view). */
    public Tensor squeeze(int dim) {
        return Views.squeeze(this, dim);
    }

    public Tensor unsqueeze(int dim) {
        return Views.unsqueeze(this, dim);
    }

    /** The {@code length} elements of {@code dim} starting at {@code start}. */
    public Tensor narrow(int dim, long start, long length) {
        return Views.slice(this, dim, start, start + length, 1, "narrow");
    }

    /** {@code x[..., start:end:step, ...]} along {@code dim}; negative start/end count from the end. */
    public Tensor slice(int dim, long start, long end, long step) {
        return Views.slice(this, dim, start, end, step, "slice");
    }

    /** {@code x[..., index, ...]}: removes {@code dim}. */
    public Tensor select(int dim, long index) {
        return Views.select(this, dim, index);
    }

    public Tensor flatten() {
        return Views.flatten(this, 0, -1);
    }

    public Tensor flatten(int startDim, int endDim) {
        return Views.flatten(this, startDim, endDim);
    }

    /** This tensor if already contiguous, else a contiguous copy. */
    public Tensor contiguous() {
        return isContiguous() ? this : clone();
    }

    // ---------------------------------------------------------------- joins (see Joins)

    /** Concatenates along an existing dim (dtypes promote). */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        return Joins.cat(tensors, dim);
    }

    /** Stacks equal-shaped tensors along a new dim. */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        return Joins.stack(tensors, dim);
    }

    /** Views of {@code splitSize} elements along {@code dim} (the last may be smaller). */
    public List<Tensor> split(long splitSize, int dim) {
        return Joins.split(this, splitSize, dim);
    }

    /** Views with the given sizes along {@code dim}; they must add up to its size. */
    public List<Tensor> split(long[] sizes, int dim) {
        return Joins.split(this, sizes, dim);
    }

    /** At most {@code chunks} views of equal size (the last may be smaller), as torch.chunk. */
    public List<Tensor> chunk(int chunks, int dim) {
        return Joins.chunk(this, chunks, dim);
    }

    // ---------------------------------------------------------------- indexing (see Indexing)

    /** Rows (along {@code dim}) picked by a 1-D int64 index, repeats allowed. */
    public Tensor indexSelect(int dim, Tensor index) {
        return Indexing.indexSelect(this, dim, index);
    }

    /** {@code out[i][j] = x[i][index[i][j]]} for dim 1, and likewise for other dims. */
    public Tensor gather(int dim, Tensor index) {
        return Indexing.gather(this, dim, index);
    }

    /** A copy with {@code src} added at {@code index} along {@code dim} (torch.scatter_add). */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) {
        return Indexing.scatterAdd(this, dim, index, src);
    }

    // ---------------------------------------------------------------- windows (see Unfold)

    /**
     * Sliding blocks as columns (ATen's {@code im2col}, PyTorch's {@code F.unfold}): input (N, C, H, W) ->
     * (N, C*kH*kW, L) with L the number of block positions; row {@code c*kH*kW + kh*kW + kw}, column
     * {@code i*L_W + j} holds {@code x[n, c, i*sH - pH + kh*dH, j*sW - pW + kw*dW]} (zero in the padding).
     * Each argument has two elements (height, width).
     */
    public Tensor im2col(long[] kernelSize, long[] dilation, long[] padding, long[] stride) {
        return Unfold.im2col(this, kernelSize, dilation, padding, stride);
    }

    /**
     * The adjoint of {@link #im2col} (ATen's {@code col2im}, PyTorch's {@code F.fold}): (N, C*kH*kW, L) ->
     * (N, C, outputSize[0], outputSize[1]), summing the entries of overlapping blocks.
     */
    public Tensor col2im(long[] outputSize, long[] kernelSize, long[] dilation, long[] padding, long[] stride) {
        return Unfold.col2im(this, outputSize, kernelSize, dilation, padding, stride);
    }

    // ---------------------------------------------------------------- printing

    /** PyTorch's format: {@code tensor([[1., 2.], [3., 4.]], dtype=torch.float64)}. */
    @Override
    public String toString() {
        return TensorFormat.format(this);
    }

    static boolean gradRecording(Tensor... inputs) {
        if (!Autograd.isGradEnabled()) {
            return false;
        }
        for (Tensor t : inputs) {
            if (t.requiresGrad) {
                return true;
            }
        }
        return false;
    }
}
