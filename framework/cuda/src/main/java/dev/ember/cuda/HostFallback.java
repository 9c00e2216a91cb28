package dev.ember.cuda;

import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import dev.ember.backend.Storage;
import dev.ember.backend.Strided;
import dev.ember.tensor.Device;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs an op on the CPU backend for the rare layouts no kernel takes (more than eight dims that do not merge,
 * bool scatter-adds): the operands' storages are copied to the host, the CPU kernel runs, and the written
 * storages are copied back. Slow, synchronous and exact: the CPU backend is the reference anyway.
 */
final class HostFallback {
    private HostFallback() {
    }

    /**
     * @param written bit i set when operand i is written by the op (its storage is copied back)
     */
    static void run(CudaBackend cuda, int written, Consumer<Strided[]> op, Strided... operands) {
        Backend cpu = Backends.forDevice(Device.CPU);
        Map<Storage, Storage> hosts = new IdentityHashMap<>();
        Strided[] h = new Strided[operands.length];
        for (int i = 0; i < operands.length; i++) {
            Strided s = operands[i];
            if (s != null) {
                Storage host = hosts.computeIfAbsent(s.storage(), k -> cpu.fromHost(cuda.toHost(k), Device.CPU));
                h[i] = new Strided(host, s.shape(), s.strides(), s.offset());
            }
        }
        op.accept(h);
        for (int i = 0; i < operands.length; i++) {
            if ((written & (1 << i)) != 0) {
                cuda.upload((CudaStorage) operands[i].storage(), cpu.toHost(h[i].storage()));
            }
        }
    }
}
