package dev.ember.apps.bench;

import dev.ember.Ember;
import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import dev.ember.tensor.Device;
import dev.ember.tensor.Tensor;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ember bench}: the workloads of {@code torch_cpu_reference.py}, printed in its line format so the two
 * outputs compare line by line, plus Ember's allocation rate and GC share at the end of each line.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Run the benchmarks of shared/bench/torch_cpu_reference.py (with --device cuda: torch_gpu_reference.py)"
                    + " with Ember: the same workloads, shapes, models, optimizers and numbers of timed runs, printed in"
                    + " the same line format, e.g.",
            "",
            "  sgemm n=1024 ms=6.307 GFLOPS=340.5 alloc_mb_per_step=4.1944 gc_pct=0.0",
            "  mlp784_256_10_b64_train_step ms=1.073 alloc_mb_per_step=1.2345 gc_pct=0.3",
            "",
            "ms is the median step time over the timed runs (scalar_neuron_fwd_bwd prints us). Added at the end:"
                    + " alloc_mb_per_step, heap allocated per step by all threads in MB (10^6 bytes), and gc_pct,"
                    + " GC pause time as a percentage of wall time; both over the timed runs, continued (untimed"
                    + " for ms) until at least 1 s has passed, after a System.gc() so that workloads do not pay for"
                    + " each other's garbage.",
            "Warm-up: the Python script's count of runs, continued until at least 2 s have passed (C2 compiles"
                    + " the hot loops meanwhile; on a busy 2-core machine that takes seconds).",
            "JVM options go through JAVA_OPTS, e.g. JAVA_OPTS=-Xmx512m ./ember bench.",
            ""
        })
public final class BenchCommand implements Callable<Integer> {
    /**
     * Warm-up is bounded by time (--warmup-ms, then until the JIT goes quiet: see Meter), not by a count: a cap
     * of 1000 runs stopped the fast workloads (sgemm n=256: 0.35 s) before C2 had compiled the GEMM kernel, and
     * they were timed at 60% of its speed.
     */
    static final int MAX_WARMUPS = 1_000_000;

    @Spec CommandSpec spec;

    @Option(names = {"-w", "--workload"}, paramLabel = "NAME",
            description = "Run only this workload (repeatable): a line name such as lenet_b64_train_step, sgemm for"
                    + " all four sizes, or sgemm_n1024 for one. Default: all. See --list.")
    List<String> workloads = new ArrayList<>();

    @Option(names = {"-t", "--threads"}, paramLabel = "N",
            description = "Threads for CPU kernels (torch.set_num_threads). Default: Ember's default, the number"
                    + " of cores or EMBER_NUM_THREADS.")
    Integer threads;

    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "cpu",
            description = "cpu (default), cuda or cuda:N: models and data on the GPU, sgemm up to n=8192 and the"
                    + " TF32/BF16 GEMMs added, each step timed until the GPU has finished it.")
    String device;

    @Option(names = "--cuda-graphs",
            description = "With --device cuda: time each training step eagerly and as one captured CUDA graph"
                    + " replayed, printed as shared/bench/torch_gpu_graphs_reference.py prints it (name eager_ms=..."
                    + " cudagraph_ms=...); Adam and AdamW are built capturable for both, as there.")
    boolean cudaGraphs;

    @Option(names = "--list", description = "Print the workload names and exit.")
    boolean list;

    // for tests and quick checks: a fixed small number of runs instead of the Python script's
    @Option(names = "--reps", hidden = true, paramLabel = "N")
    Integer reps;

    @Option(names = "--warmups", hidden = true, paramLabel = "N")
    Integer warmups;

    @Option(names = "--warmup-ms", hidden = true, paramLabel = "MS", defaultValue = "2000")
    long warmupMs;

    @Option(names = "--stats-ms", hidden = true, paramLabel = "MS", defaultValue = "1000")
    long statsMs;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Device dev = list ? Device.CPU : checkDevice();
        List<Workload> all = Workloads.all(dev, cudaGraphs);
        if (list) {
            Workloads.all(Device.cuda(), false).forEach(w -> out.println(w.id()
                    + (all.stream().anyMatch(c -> c.id().equals(w.id())) ? "" : " (--device cuda only)")));
            out.flush();
            return 0;
        }
        if (cudaGraphs && dev.equals(Device.CPU)) {
            throw new ParameterException(spec.commandLine(), "bench: --cuda-graphs needs --device cuda");
        }
        List<Workload> selected = cudaGraphs ? select(all).stream().filter(GraphBench::applies).toList() : select(all);
        Backend backend = Backends.forDevice(dev);
        if (threads != null) {
            if (threads < 1) {
                throw new ParameterException(spec.commandLine(),
                        "bench: --threads must be at least 1, got " + threads);
            }
            Ember.setNumThreads(threads);
        }
        Meter meter = warmups != null
                ? new Meter(warmups, 0, warmups, statsMs * 1_000_000L)
                : new Meter(0, warmupMs * 1_000_000L, MAX_WARMUPS, statsMs * 1_000_000L);
        out.println(header(backend));
        out.flush();
        int failed = 0;
        for (Workload w : selected) {
            Ember.manualSeed(0);
            int timed = reps != null ? reps : w.reps();
            int warm = warmups != null ? warmups : w.warmups();
            String line = lineOrFailure(w, () -> cudaGraphs
                    ? GraphBench.line(w, meter, backend, dev, warm, timed)
                    : eagerLine(w, meter, backend, dev, warm, timed));
            out.println(line);
            out.flush();
            failed += line.startsWith(w.id() + " failed=") ? 1 : 0;
        }
        return failed == 0 ? 0 : 1;
    }

    private static String eagerLine(Workload w, Meter meter, Backend backend, Device dev, int warm, int timed) {
        Runnable body = w.setup().get();
        // as the Python script's torch.cuda.synchronize(): a step ends when the GPU has finished it
        Runnable step = dev.equals(Device.CPU) ? body : () -> {
            body.run();
            backend.synchronize();
        };
        Meter.Result r = meter.measure(step, warm, timed);
        return w.format().apply(r.medianMs()) + " alloc_mb_per_step=" + Workload.fixed(r.allocBytesPerStep() / 1e6, 4)
                + " gc_pct=" + Workload.fixed(r.gcPct(), 1);
    }

    /**
     * The workload's line, or {@code "<id> failed=<exception>: <first line of its message>"} if it throws, so that
     * the workloads after it still run (the exit status is then 1). On a GPU, a kernel fault poisons the process's
     * context and every later workload fails as well: tools/gpu_check.sh runs each failed one again in a JVM of its
     * own.
     */
    static String lineOrFailure(Workload w, Supplier<String> line) {
        try {
            return line.get();
        } catch (RuntimeException e) {
            return w.id() + " failed=" + describe(e, 160);
        }
    }

    /**
     * "{@code <exception class>: <first line of its message>}", the message cut to {@code max} characters: one token
     * of a one-line result, as tools/gpu_check.sh and tools/gpu_table.py read them.
     */
    static String describe(RuntimeException e, int max) {
        String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        return e.getClass().getSimpleName() + ": " + (why.length() > max ? why.substring(0, max) : why);
    }

    /** The conditions of the run, as a comment line ({@code #}) that line-by-line comparisons skip. */
    private static String header(Backend backend) {
        Runtime rt = Runtime.getRuntime();
        return String.format(Locale.ROOT, "# ember bench: java %s (%s), cores=%d, threads=%d, max_heap_mb=%d, gc=[%s],"
                        + " device=%s", Runtime.version(), System.getProperty("java.vm.name"), rt.availableProcessors(),
                Ember.getNumThreads(), rt.maxMemory() / (1024 * 1024), Meter.collectors(), backend.description());
    }

    /** The device of {@code --device}; a usage error naming the reason when CUDA cannot run here. */
    private Device checkDevice() {
        String d = device.trim().toLowerCase(Locale.ROOT);
        if (d.equals("cpu")) {
            return Device.CPU;
        }
        if (!d.equals("cuda") && !d.matches("cuda:\\d{1,4}")) {
            throw new ParameterException(spec.commandLine(),
                    "bench: --device must be cpu, cuda or cuda:N, got '" + device + "'");
        }
        Backend cuda = Backends.all().stream().filter(b -> b.deviceType().equals("cuda")).findFirst().orElse(null);
        if (cuda == null) {
            throw new ParameterException(spec.commandLine(), "bench: --device " + device
                    + ": no CUDA backend on the class path (add ember-cuda). Run with --device cpu.");
        }
        if (!cuda.isAvailable()) {
            throw new ParameterException(spec.commandLine(), "bench: --device " + device + ": CUDA is not available"
                    + " here: " + cuda.unavailableReason() + ". Run with --device cpu.");
        }
        Device dev = d.equals("cuda") ? Device.cuda() : Device.cuda(Integer.parseInt(d.substring(5)));
        try {
            Tensor.zeros(1).to(dev); // a missing device: the runtime's clear error, reported as a usage error
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "bench: --device " + device + ": " + e.getMessage());
        }
        return dev;
    }

    private List<Workload> select(List<Workload> all) {
        if (workloads.isEmpty()) {
            return all;
        }
        List<Workload> chosen = new ArrayList<>();
        for (String name : workloads) {
            List<Workload> hits = all.stream().filter(w -> w.matches(name)).toList();
            if (hits.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "bench: unknown workload '" + name + "'; known: sgemm, "
                        + String.join(", ", all.stream().map(Workload::id).toList()));
            }
            hits.stream().filter(w -> !chosen.contains(w)).forEach(chosen::add);
        }
        // keep the Python script's order, whatever order the options came in
        return all.stream().filter(chosen::contains).toList();
    }
}
