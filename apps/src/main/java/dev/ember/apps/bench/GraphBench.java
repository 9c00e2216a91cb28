package dev.ember.apps.bench;

import static dev.ember.apps.bench.Workload.fixed;

import dev.ember.backend.Backend;
import dev.ember.backend.DeviceGraph;
import dev.ember.tensor.Device;

/**
 * {@code ember bench --device cuda --cuda-graphs}: the training steps of torch_gpu_graphs_reference.py, each timed
 * eagerly and as one captured CUDA graph replayed, in that script's line format
 * ({@code name eager_ms=... cudagraph_ms=...}, or {@code cudagraph_failed=...} when capture fails). As there, the
 * whole step is captured after three eager warm-up steps, and Adam/AdamW are capturable in both columns.
 */
final class GraphBench {

    private GraphBench() {}

    /** True for the workloads the graphs script runs: the training steps. */
    static boolean applies(Workload w) {
        return w.id().endsWith("_train_step");
    }

    static String line(Workload w, Meter meter, Backend backend, Device device, int warm, int timed) {
        Runnable body = w.setup().get();
        double eager = meter.measure(() -> {
            body.run();
            backend.synchronize();
        }, warm, timed).medianMs();
        String prefix = w.id() + " eager_ms=" + fixed(eager, 3);
        for (int i = 0; i < 3; i++) {
            body.run(); // as the script: optimizer state exists and the caches are warm before capture
        }
        backend.synchronize();
        DeviceGraph graph;
        try {
            graph = DeviceGraph.capture(device, body); // the step's zeroGrad only sets gradients to null: host work
        } catch (RuntimeException e) {
            return prefix + " cudagraph_failed=" + BenchCommand.describe(e, 80);
        }
        try (graph) {
            double graphed = meter.measure(() -> {
                graph.replay();
                backend.synchronize();
            }, warm, timed).medianMs();
            return prefix + " cudagraph_ms=" + fixed(graphed, 3);
        }
    }
}
