package dev.ember.tensor;

import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import dev.ember.backend.Storage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Moving tensors between devices, and the one exception to "all operands on one device": a CPU tensor with no
 * dimensions (a Java number passed to {@code add(2.0)}, or {@code Tensor.scalar(...)}) may meet a tensor on any
 * device, as in PyTorch; it is copied there once and cached, since the same constants recur every step.
 */
final class Devices {
    private static final int CACHE_SIZE = 512;
    private static final Map<Object, Tensor> SCALARS = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Object, Tensor> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    private record ScalarKey(Device device, DType dtype, long bits, boolean wrapped) {
    }

    private Devices() {
    }

    /** {@code x} on {@code device}, recorded so that gradients flow back to x's device. */
    static Tensor to(Tensor x, Device device) {
        if (x.device().equals(device)) {
            return x;
        }
        Device from = x.device();
        Tensor out = transfer(x, device);
        return Graph.record("ToCopyBackward0", out, x, Graph.NONE, g -> new Tensor[] {to(g, from)});
    }

    /** A contiguous copy of x's values on {@code device}, outside the graph. */
    static Tensor transfer(Tensor x, Device device) {
        Backend target = Backends.forDevice(device);
        Tensor c = x.isContiguous() && x.offset == 0 && x.numel() == x.storage.size() ? x : Views.copyOf(x, x.dtype());
        Backend source = c.backend();
        Storage s = source == target ? source.copyToDevice(c.storage, device) : null;
        if (s == null) {
            s = target.fromHost(source.toHost(c.storage), device);
        }
        return new Tensor(s, x.shape.clone(), Shapes.contiguousStrides(x.shape), 0, null);
    }

    /** The device an op on these operands runs on: the first one's, unless it is a movable CPU scalar. */
    static Device common(String op, Tensor... ts) {
        Device device = null;
        for (Tensor t : ts) {
            if (!isMovableScalar(t)) {
                if (device == null) {
                    device = t.device();
                } else if (!device.equals(t.device())) {
                    throw mismatch(op, device, t.device());
                }
            }
        }
        return device != null ? device : ts[0].device();
    }

    /** t on {@code device}: itself, or a CPU scalar's cached copy there. */
    static Tensor align(String op, Tensor t, Device device) {
        if (t.device().equals(device)) {
            return t;
        }
        if (!isMovableScalar(t)) {
            throw mismatch(op, device, t.device());
        }
        if (t.requiresGrad) {
            throw new IllegalArgumentException(op + ": a CPU scalar that requires grad cannot be combined with a tensor "
                    + "on " + device + "; move it there first with to(" + device + ")");
        }
        double value = t.item();
        if (Backends.forDevice(device).isCapturing()) {
            // a copy made now would be filled only when the graph replays: not for the cache, which eager code reads
            Tensor scalar = Creation.full("scalar", t.dtype(), value, device);
            scalar.wrappedNumber = t.wrappedNumber;
            return scalar;
        }
        ScalarKey key = new ScalarKey(device, t.dtype(), Double.doubleToRawLongBits(value), t.wrappedNumber);
        synchronized (SCALARS) {
            Tensor cached = SCALARS.get(key);
            if (cached == null) {
                cached = Creation.full("scalar", t.dtype(), value, device);
                cached.wrappedNumber = t.wrappedNumber;
                SCALARS.put(key, cached);
            }
            return cached;
        }
    }

    private static boolean isMovableScalar(Tensor t) {
        return t.dim() == 0 && t.device().equals(Device.CPU);
    }

    static IllegalArgumentException mismatch(String op, Device a, Device b) {
        return new IllegalArgumentException(op + ": expected all tensors to be on the same device, but found at least "
                + "two devices, " + a + " and " + b + "; move them with to(device), cuda() or cpu()");
    }
}
