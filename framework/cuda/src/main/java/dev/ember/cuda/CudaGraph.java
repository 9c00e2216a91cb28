package dev.ember.cuda;

import dev.ember.backend.DeviceGraph;
import jcuda.CudaException;

/**
 * A CUDA graph of Ember's stream: PyTorch's {@code torch.cuda.CUDAGraph} (see {@link DeviceGraph} for how to use
 * one). Capture runs the Java code once with the stream in capture mode, so every kernel launch, memset and
 * device copy is recorded instead of run; memory allocated meanwhile comes from a pool private to the graph
 * ({@link CachingAllocator}), because every replay writes those addresses again. Replay launches the whole
 * recording with one driver call. Random numbers drawn during capture come out new at every replay
 * ({@link GraphRandom}).
 *
 * <p>Capture uses the relaxed mode: the allocator may still ask the driver for memory while recording. It first
 * frees what it can for the graph, as PyTorch's {@code torch.cuda.graph} does: unreachable tensors are collected and
 * the allocator's cache goes back to the driver. One capture at a time, on the stream every Ember kernel uses.
 */
public final class CudaGraph implements DeviceGraph {
    private final CudaRuntime runtime;
    private final CachingAllocator.Pool pool;
    /** The driver's handle; null once closed. */
    private Object graph;
    /** The random numbers' device state, null when the graph draws none; the counters one replay uses. */
    private final GraphRandom random;
    private final long counters;

    private CudaGraph(CudaRuntime runtime, CachingAllocator.Pool pool, Object graph, GraphRandom random,
                      long counters) {
        this.runtime = runtime;
        this.pool = pool;
        this.graph = graph;
        this.random = random;
        this.counters = counters;
    }

    /** Records what {@code work} queues on the GPU (none of it runs now) into a graph to replay. */
    public static CudaGraph capture(Runnable work) {
        CudaRuntime r = CudaRuntime.get();
        r.synchronize(); // earlier eager work, and any index check it failed, stay outside the graph
        r.allocator.freeForCapture();
        // before the allocator's capture mode: if this allocation fails, there is nothing to undo
        GraphRandom random = new GraphRandom(r.allocator);
        CachingAllocator.Pool pool;
        try {
            pool = r.allocator.beginCapture();
        } catch (RuntimeException e) {
            random.free(r.allocator);
            throw e;
        }
        Object graph = null;
        long counters = 0;
        r.graphRandom = random; // from here until the finally below, the runtime counts as capturing
        Throwable failure = null;
        try {
            try {
                r.driver.beginCapture();
            } catch (RuntimeException e) {
                random.free(r.allocator);
                throw e;
            }
            try {
                work.run();
                counters = random.counters();
            } catch (RuntimeException | Error e) {
                failure = e;
            }
            try {
                graph = r.driver.endCapture(); // also after a failure: the stream leaves capture mode
            } catch (CudaException e) {
                if (failure == null) {
                    failure = new IllegalStateException("CUDA graph capture failed: " + e.getMessage()
                            + " (an op in the captured work cannot be recorded)", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        } finally {
            r.graphRandom = null;
            r.allocator.endCapture();
        }
        if (failure != null) {
            if (graph != null) {
                r.driver.destroy(graph);
            }
            random.free(r.allocator);
            r.allocator.retire(pool); // nothing of it ever runs: the blocks may serve eager work again
            if (failure instanceof Error err) {
                throw err;
            }
            throw (RuntimeException) failure;
        }
        if (counters == 0) {
            random.free(r.allocator);
            return new CudaGraph(r, pool, graph, null, 0);
        }
        return new CudaGraph(r, pool, graph, random, counters);
    }

    @Override
    public void replay() {
        if (graph == null) {
            throw new IllegalStateException("CudaGraph.replay: the graph was closed");
        }
        runtime.makeCurrent();
        if (random != null) {
            random.prepareReplay(runtime, counters);
        }
        runtime.driver.replay(graph);
    }

    @Override
    public void close() {
        if (graph == null) {
            return;
        }
        runtime.makeCurrent();
        runtime.synchronize(); // a replay in flight still uses the pool
        runtime.driver.destroy(graph);
        graph = null;
        if (random != null) {
            random.free(runtime.allocator);
        }
        runtime.allocator.retire(pool);
    }
}
