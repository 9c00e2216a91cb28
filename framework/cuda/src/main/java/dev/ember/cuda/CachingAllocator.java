package dev.ember.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongPredicate;
import jcuda.CudaException;
import jcuda.driver.CUdeviceptr;

/**
 * Device memory in the manner of PyTorch's caching allocator: a freed block goes back to a free list of its size
 * class and the next request of that class takes it without a driver call. Requests are rounded up to 512 bytes
 * below 1 MiB and to an eighth of their power of two above (at most 12.5% slack), so similar sizes share classes.
 *
 * <p>Blocks are freed when their storage becomes unreachable (a {@link java.lang.ref.Cleaner} action, on the
 * cleaner's thread) or is closed. Reuse needs no synchronisation with the GPU: every kernel runs on one stream, so
 * a kernel queued after the free runs after every kernel that used the block. When the driver has no memory
 * left, the allocator runs the garbage collector (to free what is unreachable) and serves the request from the
 * blocks that come back; failing that it tries the driver again, then returns its cache to the driver and tries
 * once more, before reporting {@link CudaOutOfMemoryException}.
 *
 * <p>While a graph is captured ({@link CudaGraph}) requests are served from that graph's private {@link Pool}: the
 * replays write the very addresses the capture handed out, so those blocks must never reach eager code. A block
 * freed during the capture may serve a later request of the same capture (one stream: the graph keeps the order);
 * blocks of a live graph freed after it go back to its pool, and when the graph is closed its pool is retired and
 * its blocks join the shared cache.
 */
final class CachingAllocator {
    static final long SMALL = 1 << 20;
    private static final String[] UNITS = {"bytes", "KiB", "MiB", "GiB"};

    /** One driver allocation of {@code size} bytes, owned by {@code pool}. */
    record Block(CUdeviceptr ptr, long size, Pool pool) {
    }

    /** Free blocks by size class: the shared cache, or one graph's private memory. */
    static final class Pool {
        private final Map<Long, ArrayDeque<Block>> free = new HashMap<>();
        private boolean retired;
    }

    private final CudaRuntime runtime;
    private final Pool shared = new Pool();
    private Pool capturing;
    private long allocated;
    private long maxAllocated;
    private long cached;
    private long allocations;
    private long driverAllocations;

    /** The runtime (device) whose memory this allocator hands out. */
    CudaRuntime runtime() {
        return runtime;
    }

    CachingAllocator(CudaRuntime runtime) {
        this.runtime = runtime;
    }

    static long sizeClass(long bytes) {
        if (bytes <= 0) {
            return 512;
        }
        if (bytes < SMALL) {
            return (bytes + 511) & ~511L;
        }
        long step = Long.highestOneBit(bytes) >>> 3;
        return (bytes + step - 1) / step * step;
    }

    Block allocate(long bytes) {
        long size = sizeClass(bytes);
        Pool pool;
        synchronized (this) {
            pool = capturing != null ? capturing : shared;
        }
        Block b = takeCached(pool, size);
        if (b != null) {
            return b;
        }
        CUdeviceptr ptr = driverAlloc(size);
        if (ptr == null) {
            collect(size);
            // the collected tensors' blocks are in the cache now, most often of the classes the next requests want
            // too: served from there, they stay cached (emptying the cache first made every following step
            // allocate from the driver again, and every free of a block synchronises the device)
            b = takeCached(pool, size);
            if (b != null) {
                return b;
            }
            ptr = driverAlloc(size);
            if (ptr == null && pool == shared) {
                emptyCache(); // blocks of other classes held the memory (not while capturing: frees synchronise)
                ptr = driverAlloc(size);
            }
        }
        if (ptr == null) {
            long[] freeTotal = memInfo();
            synchronized (this) {
                throw new CudaOutOfMemoryException(String.format(
                        "CUDA out of memory: tried to allocate %s; %s is allocated by live tensors and %s is cached by "
                                + "Ember, the device has %s free of %s. Free tensors you no longer need (Tensor.close()), "
                                + "use smaller batches, or call Cuda.emptyCache()",
                        formatSize(size), formatSize(allocated), formatSize(cached), formatSize(freeTotal[0]),
                        formatSize(freeTotal[1])));
            }
        }
        synchronized (this) {
            driverAllocations++;
            count(size);
        }
        return new Block(ptr, size, pool);
    }

    /** A cached block of {@code pool}'s free list for the class {@code size}, or null. */
    synchronized Block takeCached(Pool pool, long size) {
        ArrayDeque<Block> list = pool.free.get(size);
        Block b = list == null ? null : list.pollLast();
        if (b != null) {
            cached -= size;
            count(size);
        }
        return b;
    }

    private void count(long size) {
        allocations++;
        allocated += size;
        maxAllocated = Math.max(maxAllocated, allocated);
    }

    private CUdeviceptr driverAlloc(long size) {
        try {
            runtime.makeCurrent(); // its device's context, whichever device the thread used last
            return runtime.driver.allocate(size);
        } catch (CudaException e) {
            return null; // out of memory (or fragmentation): the caller collects garbage and retries
        }
    }

    /**
     * Collects unreachable tensors and waits (up to 2 s) until their blocks have come back to the cache, at least
     * {@code need} bytes of them. The blocks return on the cleaner's thread after the collection, which took more
     * than 100 ms on a GPU machine after a long test run, and a request then failed with memory about to be freed.
     */
    private void collect(long need) {
        long before;
        synchronized (this) {
            before = allocated;
        }
        collectUntil(400, now -> before - now >= need);
    }

    /**
     * Runs the garbage collector, then reads the bytes allocated every 5 ms, at most {@code polls} times, until
     * {@code done} accepts them (the cleaner's thread gives the collected tensors' blocks back meanwhile). A second
     * collection after 0.5 s catches storages that only became unreachable when the first one's cleaners ran.
     */
    private void collectUntil(int polls, LongPredicate done) {
        System.gc();
        for (int i = 0; i < polls; i++) {
            long now;
            synchronized (this) {
                now = allocated;
            }
            if (done.test(now)) {
                break;
            }
            if (i == 100) {
                System.gc();
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    /** Returns a block to its pool's free list, or to the shared cache once its graph is closed (any thread). */
    synchronized void release(Block b) {
        allocated -= b.size();
        cached += b.size();
        Pool pool = b.pool().retired ? shared : b.pool();
        pool.free.computeIfAbsent(b.size(), k -> new ArrayDeque<>()).add(b);
    }

    /** The pool eager requests are served from. */
    Pool sharedPool() {
        return shared;
    }

    /** From now until {@link #endCapture}, requests are served from a new private pool, which is returned. */
    synchronized Pool beginCapture() {
        if (capturing != null) {
            throw new IllegalStateException("CUDA graph capture: another capture is in progress");
        }
        capturing = new Pool();
        return capturing;
    }

    synchronized void endCapture() {
        capturing = null;
    }

    /** The pool's graph is gone: its free blocks join the shared cache, and so will the rest when freed. */
    synchronized void retire(Pool pool) {
        pool.retired = true;
        pool.free.forEach((size, list) -> shared.free.computeIfAbsent(size, k -> new ArrayDeque<>()).addAll(list));
        pool.free.clear();
    }

    /**
     * Before a capture, as PyTorch's {@code torch.cuda.graph} does ({@code gc.collect()}, {@code empty_cache()}):
     * collects unreachable tensors, waits until their blocks have stopped coming back (the cleaner's thread returns
     * them after the collection: until 100 ms pass without one, at most 1 s), then gives the shared cache back to
     * the driver. A capture takes its blocks from a pool of its own and may not free memory while recording, so
     * without this a cache filled by eager steps (Java frees them only when it collects) could leave the capture
     * nothing to allocate.
     */
    void freeForCapture() {
        long[] last = {-1, 0}; // the bytes allocated at the last poll, and how many polls in a row they stood
        collectUntil(200, now -> {
            last[1] = now == last[0] ? last[1] + 1 : 0;
            last[0] = now;
            return last[1] >= 20; // 100 ms without a block back
        });
        emptyCache();
    }

    /** Gives every block of the shared cache back to the driver (graphs keep theirs). */
    void emptyCache() {
        runtime.makeCurrent();
        synchronized (this) {
            for (ArrayDeque<Block> list : shared.free.values()) {
                for (Block b : list) {
                    runtime.driver.free(b.ptr());
                    cached -= b.size();
                }
            }
            shared.free.clear();
        }
    }

    /** {free, total} bytes from the driver, {-1, -1} when it cannot say. */
    long[] memInfo() {
        try {
            return runtime.driver.memoryInfo();
        } catch (CudaException e) {
            return new long[] {-1, -1};
        }
    }

    synchronized long allocated() {
        return allocated;
    }

    synchronized long maxAllocated() {
        return maxAllocated;
    }

    synchronized long reserved() {
        return allocated + cached;
    }

    synchronized void resetPeak() {
        maxAllocated = allocated;
    }

    /** Allocation requests served so far, and how many of them needed the driver. */
    synchronized long[] counts() {
        return new long[] {allocations, driverAllocations};
    }

    /** A size as PyTorch's caching allocator prints it: "512 bytes", "20.00 KiB", "4.00 GiB". */
    static String formatSize(long bytes) {
        if (bytes < 0) {
            return "unknown";
        }
        if (bytes <= 1024) {
            return bytes + " bytes";
        }
        int power = bytes <= 1L << 20 ? 1 : bytes <= 1L << 30 ? 2 : 3;
        return String.format(Locale.ROOT, "%.2f %s", bytes / Math.pow(1024, power), UNITS[power]);
    }
}
