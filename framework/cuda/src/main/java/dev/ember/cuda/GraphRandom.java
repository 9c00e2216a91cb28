package dev.ember.cuda;

import dev.ember.tensor.Generator;
import jcuda.driver.CUdeviceptr;

/**
 * Random numbers inside a captured {@link CudaGraph}, as PyTorch does them: the kernels of the capture read the
 * Philox seed and base offset from device memory ({@code state}, random.cu's {@code _graph} kernels) plus their
 * own offset relative to the generator's offset when the capture began. Before each replay the graph queues
 * {@code philox_state} with the generator's current seed and offset and advances the generator by the counters
 * one replay uses, so every replay draws new numbers, and a replay after {@code manualSeed(s)} draws the numbers
 * the same code run eagerly draws after {@code manualSeed(s)}.
 */
final class GraphRandom {
    /** Device memory: {seed, base offset}, 2 unsigned 64-bit words. */
    final CUdeviceptr state;
    /** The allocator block state lives in, given back by {@link #free}. */
    private final CachingAllocator.Block block;
    private final long seed;
    private final long start;
    private boolean used;

    /**
     * Before a capture: the default generator's seed and offset now, and the state's memory from the allocator's
     * shared cache (through it, a full device is a {@link CudaOutOfMemoryException} after the usual collection).
     */
    GraphRandom(CachingAllocator allocator) {
        long[] now = Generator.defaultGenerator().reserveCounters(0);
        seed = now[0];
        start = now[1];
        block = allocator.allocate(16);
        state = block.ptr();
    }

    /** Gives the state's memory back to the allocator, once no queued or recorded kernel can use it any more. */
    void free(CachingAllocator allocator) {
        allocator.release(block);
    }

    /** The offset of a launch of the capture relative to its start; the seed must be the capture's. */
    long intra(long launchSeed, long offset) {
        requireSeed(launchSeed);
        used = true;
        return offset - start;
    }

    /** At the end of a successful capture: the counters one replay uses, or 0 when it draws no random numbers. */
    long counters() {
        if (!used) {
            return 0;
        }
        long[] now = Generator.defaultGenerator().reserveCounters(0);
        requireSeed(now[0]);
        return now[1] - start;
    }

    private void requireSeed(long current) {
        if (current != seed) {
            throw new IllegalStateException("cuda: the generator was re-seeded (manualSeed) during CUDA graph capture; "
                    + "seed before capture() instead, replays then follow the seed of their time");
        }
    }

    /** Before a replay that uses {@code counters}: queues the state write and advances the generator. */
    void prepareReplay(CudaRuntime r, long counters) {
        long[] take = Generator.defaultGenerator().reserveCounters(4 * counters);
        r.kernels.launch("philox_state", 1, 1, 1, 1, 0, state, take[0], take[1]);
    }
}
