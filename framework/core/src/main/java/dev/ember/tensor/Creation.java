package dev.ember.tensor;

import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import dev.ember.backend.Storage;

/** Factories: tensors from data, constants, ranges and random numbers (the default generator). */
final class Creation {
    private Creation() {
    }

    static Backend cpu() {
        return Backends.forDevice(Device.CPU);
    }

    /** A new contiguous, zero-filled tensor on the device of {@code like} (CPU if null). */
    static Tensor empty(DType dtype, int[] shape, Tensor like) {
        Device device = like == null ? Device.CPU : like.device();
        Backend backend = like == null ? cpu() : like.backend();
        Storage s = backend.allocate(dtype, Shapes.numel(shape), device);
        return new Tensor(s, shape, Shapes.contiguousStrides(shape), 0, null);
    }

    /**
     * A new contiguous tensor like {@link #empty(DType, int[], Tensor)} whose contents are unspecified: only for an
     * output the kernel that follows writes completely (on CUDA this saves a memset per op).
     */
    static Tensor output(DType dtype, int[] shape, Tensor like) {
        Storage s = like.backend().allocateUninitialized(dtype, Shapes.numel(shape), like.device());
        return new Tensor(s, shape, Shapes.contiguousStrides(shape), 0, null);
    }

    /** A new contiguous, zero-filled tensor on {@code device}. */
    static Tensor empty(DType dtype, int[] shape, Device device) {
        Backend backend = device.equals(Device.CPU) ? cpu() : Backends.forDevice(device);
        Storage s = backend.allocate(dtype, Shapes.numel(shape), device);
        return new Tensor(s, shape, Shapes.contiguousStrides(shape), 0, null);
    }

    static Tensor fromHost(Object array, int[] shape) {
        Storage s = cpu().fromHost(array, Device.CPU);
        return new Tensor(s, shape, Shapes.contiguousStrides(shape), 0, null);
    }

    static int[] checkData(String op, int length, long[] shape) {
        int[] sh = Shapes.toInts(op, shape);
        if (Shapes.numel(sh) != length) {
            throw new IllegalArgumentException(op + ": " + length + " values do not fill shape "
                    + Shapes.str(sh) + " (" + Shapes.numel(sh) + " elements)");
        }
        return sh;
    }

    static Tensor of(DType dtype, double[] data, long... shape) {
        int[] sh = checkData("Tensor.of", data.length, shape);
        Object array = switch (dtype) {
            case FLOAT64 -> data.clone();
            case FLOAT32 -> {
                float[] f = new float[data.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) data[i];
                }
                yield f;
            }
            case INT64 -> {
                long[] l = new long[data.length];
                for (int i = 0; i < l.length; i++) {
                    l[i] = (long) data[i];
                }
                yield l;
            }
            case BOOL -> {
                boolean[] b = new boolean[data.length];
                for (int i = 0; i < b.length; i++) {
                    b[i] = data[i] != 0;
                }
                yield b;
            }
        };
        return fromHost(array, sh);
    }

    static Tensor ofLongs(long[] data, long... shape) {
        return fromHost(data, checkData("Tensor.of", data.length, shape));
    }

    static Tensor ofBooleans(boolean[] data, long... shape) {
        return fromHost(data, checkData("Tensor.of", data.length, shape));
    }

    /** A Java number as a zero-dim tensor with the lowest promotion priority. */
    static Tensor wrap(double value) {
        Tensor t = fromHost(new double[] {value}, new int[0]);
        t.wrappedNumber = true;
        return t;
    }

    static Tensor wrap(long value) {
        Tensor t = fromHost(new long[] {value}, new int[0]);
        t.wrappedNumber = true;
        return t;
    }

    static Tensor full(String op, DType dtype, double value, long... shape) {
        return full(op, dtype, value, Device.CPU, shape);
    }

    static Tensor full(String op, DType dtype, double value, Device device, long... shape) {
        int[] sh = Shapes.toInts(op, shape);
        if (value == 0) {
            return empty(dtype, sh, device);
        }
        // the fill writes every element: no zero fill first (on CUDA a memset per call, e.g. each backward's seed)
        Backend backend = device.equals(Device.CPU) ? cpu() : Backends.forDevice(device);
        Tensor t = new Tensor(backend.allocateUninitialized(dtype, Shapes.numel(sh), device), sh,
                Shapes.contiguousStrides(sh), 0, null);
        backend.fill(t.strided(), value);
        return t;
    }

    static Tensor arange(DType dtype, double start, double end, double step) {
        if (step == 0 || Double.isNaN(step)) {
            throw new IllegalArgumentException("arange: step must be nonzero, got " + step);
        }
        if ((end - start) / step < 0) {
            throw new IllegalArgumentException("arange: upper bound and larger bound inconsistent with step sign "
                    + "(start " + start + ", end " + end + ", step " + step + ")");
        }
        long n = (long) Math.ceil((end - start) / step);
        double[] v = new double[Shapes.toInts("arange", new long[] {n})[0]];
        for (int i = 0; i < v.length; i++) {
            v[i] = start + i * step;
        }
        return of(dtype, v, n);
    }

    static Tensor linspace(DType dtype, double start, double end, long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("linspace: number of steps must be non-negative, got " + steps);
        }
        double[] v = new double[Shapes.toInts("linspace", new long[] {steps})[0]];
        double step = steps > 1 ? (end - start) / (steps - 1) : 0;
        // PyTorch fills the second half from the end so that the last value is exactly `end`
        int half = (int) (steps / 2);
        if (dtype == DType.FLOAT32) {
            // PyTorch computes a float32 linspace in float32 arithmetic (its CPU build fuses the multiply-add);
            // double arithmetic rounded at the end can differ by one ulp: torch.linspace(0, 1, 7)[4] is 0.66666663f
            // and torch.linspace(-3, 5, 7)[3] is 0.9999999f
            float s = (float) start;
            float e = (float) end;
            float fstep = steps > 1 ? (e - s) / (steps - 1) : 0;
            for (int i = 0; i < v.length; i++) {
                v[i] = i < half ? Math.fma(fstep, (float) i, s) : Math.fma(-fstep, (float) (steps - 1 - i), e);
            }
            return of(dtype, v, steps);
        }
        for (int i = 0; i < v.length; i++) {
            v[i] = i < half ? start + step * i : end - step * (steps - 1 - i);
        }
        return of(dtype, v, steps);
    }

    static Tensor eye(DType dtype, long n, long m) {
        Tensor t = full("eye", dtype, 0, n, m);
        t.backend().fill(diagonal(t), 1);
        return t;
    }

    private static dev.ember.backend.Strided diagonal(Tensor t) {
        int len = Math.min(t.shape[0], t.shape[1]);
        return new dev.ember.backend.Strided(t.storage, new int[] {len}, new int[] {t.strides[0] + t.strides[1]}, 0);
    }

    /**
     * Random numbers on {@code device}: on the CPU from the default generator; elsewhere from the backend's
     * counter-based generator (Philox on CUDA) keyed by the default generator's seed, or, for a backend without
     * one, drawn on the CPU and copied over.
     */
    static Tensor random(String op, DType dtype, boolean normal, Device device, long... shape) {
        requireFloat(op, dtype);
        if (device.equals(Device.CPU)) {
            return normal ? randn(dtype, shape) : rand(dtype, shape);
        }
        Tensor t = empty(dtype, Shapes.toInts(op, shape), device);
        Generator g = Generator.defaultGenerator();
        long[] seedOffset = g.reserveCounters(t.numel());
        if (t.backend().random(t.strided(), normal, seedOffset[0], seedOffset[1])) {
            return t;
        }
        return Devices.transfer(normal ? randn(dtype, shape) : rand(dtype, shape), device);
    }

    static Tensor rand(DType dtype, long... shape) {
        requireFloat("rand", dtype);
        int[] sh = Shapes.toInts("rand", shape);
        double[] v = new double[Shapes.numel(sh)];
        Generator g = Generator.defaultGenerator();
        for (int i = 0; i < v.length; i++) {
            v[i] = dtype == DType.FLOAT32 ? g.nextFloat() : g.nextDouble();
        }
        return of(dtype, v, shape);
    }

    static Tensor randn(DType dtype, long... shape) {
        requireFloat("randn", dtype);
        int[] sh = Shapes.toInts("randn", shape);
        double[] v = new double[Shapes.numel(sh)];
        Generator.defaultGenerator().fillGaussian(v);
        return of(dtype, v, shape);
    }

    static Tensor randint(long low, long high, long... shape) {
        if (high <= low) {
            throw new IllegalArgumentException("randint: expected low < high, got low=" + low + ", high=" + high);
        }
        int[] sh = Shapes.toInts("randint", shape);
        long[] v = new long[Shapes.numel(sh)];
        Generator g = Generator.defaultGenerator();
        for (int i = 0; i < v.length; i++) {
            v[i] = low + g.nextLong(high - low);
        }
        return fromHost(v, sh);
    }

    private static void requireFloat(String op, DType dtype) {
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": expected a floating point dtype, got " + dtype.torchName());
        }
    }
}
