package dev.ember.apps.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.apps.EmberCli;
import dev.ember.tensor.Tensor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;

class BenchCommandTest {

    private record Result(int exitCode, List<String> lines, String err) {}

    private static Result run(String... args) {
        CommandLine cli = EmberCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Result(code, out.toString().lines().toList(), err.toString());
    }

    // the line names torch_cpu_reference.py prints, in its order (copied from the script, not from Ember)
    private static final List<String> PYTHON_NAMES = List.of(
            "sgemm n=256 ", "sgemm n=512 ", "sgemm n=1024 ", "sgemm n=2048 ",
            "mlp784_256_10_b64_train_step ms=", "lenet_b64_train_step ms=", "conv64x64_3x3_32x32_b32_fwd ms=",
            "lstm_s64_b32_h128_train_step ms=", "chargpt_L4_d128_T64_b32_train_step ms=",
            "mf_b1024_d32_train_step ms=", "scalar_neuron_fwd_bwd us=");

    private static final String EXTRA = " alloc_mb_per_step=\\d+\\.\\d{4} gc_pct=\\d+\\.\\d";

    @Test
    void cheapWorkloadsPrintPyTorchLinesWithAllocationAndGc() {
        Result r = run("bench", "-w", "scalar_neuron_fwd_bwd", "--workload", "mf_b1024_d32_train_step",
                "--reps", "3", "--warmups", "1", "--stats-ms", "0");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(3, r.lines().size(), String.join("\n", r.lines()));
        assertTrue(r.lines().get(0).startsWith("# ember bench: java "), r.lines().get(0));
        assertTrue(r.lines().get(0).contains("threads="), r.lines().get(0));
        // Python's order, whatever the order of the options
        assertTrue(r.lines().get(1).matches("mf_b1024_d32_train_step ms=\\d+\\.\\d{3}" + EXTRA), r.lines().get(1));
        assertTrue(r.lines().get(2).matches("scalar_neuron_fwd_bwd us=\\d+\\.\\d" + EXTRA), r.lines().get(2));
    }

    @Test
    void threadsOptionSetsEmbersThreadCount() {
        int before = Ember.getNumThreads();
        try {
            Result r = run("bench", "-w", "scalar_neuron_fwd_bwd", "--reps", "2", "--warmups", "1", "--stats-ms", "0",
                    "--threads", "1");
            assertEquals(0, r.exitCode(), r.err());
            assertTrue(r.lines().get(0).contains("threads=1,"), r.lines().get(0));
            assertEquals(1, Ember.getNumThreads());
        } finally {
            Ember.setNumThreads(before);
        }
    }

    @Test
    void everyPythonWorkloadIsThereInOrderWithItsLineName() {
        List<Workload> all = Workloads.all();
        assertEquals(PYTHON_NAMES.size(), all.size());
        for (int i = 0; i < all.size(); i++) {
            String line = all.get(i).format().apply(1.0);
            assertTrue(line.startsWith(PYTHON_NAMES.get(i)), line + " vs " + PYTHON_NAMES.get(i));
        }
        assertEquals("sgemm n=1024 ms=1.000 GFLOPS=2147.5", Workloads.sgemm(1024, dev.ember.tensor.Device.CPU, 20).format().apply(1.0));
        assertEquals("chargpt_L4_d128_T64_b32_train_step ms=2.000 tokens_per_s=1024000",
                Workloads.charGpt(dev.ember.tensor.Device.CPU, false).format().apply(2.0));
        assertEquals("scalar_neuron_fwd_bwd us=38.7", Workloads.scalarNeuron().format().apply(0.0387));
    }

    @Test
    void selectorsMatchIdsGroupsAndLinePrefixes() {
        List<Workload> all = Workloads.all();
        assertEquals(4, all.stream().filter(w -> w.matches("sgemm")).count());
        assertEquals(List.of("sgemm_n1024"), all.stream().filter(w -> w.matches("sgemm n=1024")).map(Workload::id).toList());
        assertEquals(List.of("sgemm_n512"), all.stream().filter(w -> w.matches("sgemm_n512")).map(Workload::id).toList());
        assertEquals(1, all.stream().filter(w -> w.matches("lenet_b64_train_step")).count());
    }

    @Test
    void listNamesEveryWorkload() {
        Result r = run("bench", "--list");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(11 + 6, r.lines().size()); // the CPU workloads, then sgemm 4096 and 8192 and 4 reduced-precision GEMMs
        assertTrue(r.lines().contains("chargpt_L4_d128_T64_b32_train_step"), r.lines().toString());
    }

    @Test
    void unknownWorkloadAndBadOptionsAreUsageErrors() {
        Result r = run("bench", "-w", "resnet50");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("unknown workload 'resnet50'") && r.err().contains("lenet_b64_train_step"), r.err());
        r = run("bench", "--threads", "0", "-w", "scalar_neuron_fwd_bwd");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--threads must be at least 1, got 0"), r.err());
        r = run("bench", "--device", "tpu");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--device must be cpu, cuda or cuda:N, got 'tpu'"), r.err());
    }

    @Test
    void cudaWithoutAGpuSaysWhy() {
        org.junit.jupiter.api.Assumptions.assumeFalse(dev.ember.cuda.Cuda.isAvailable(), "a GPU is present");
        Result r = run("bench", "--device", "cuda", "-w", "scalar_neuron_fwd_bwd");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--device cuda: CUDA is not available here: "
                + dev.ember.cuda.Cuda.unavailableReason()), r.err());
    }

    @Test
    void cudaListAddsTheReducedPrecisionGemms() {
        Result r = run("bench", "--list");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.lines().contains("sgemm_n8192 (--device cuda only)"), r.lines().toString());
        assertTrue(r.lines().contains("gemm_bf16_n4096 (--device cuda only)"), r.lines().toString());
        assertTrue(r.lines().contains("sgemm_n1024"), r.lines().toString());
    }

    @Test
    void charGptHasPyTorchsParameterNamesAndCount() {
        // a small configuration keeps the test fast; PyTorch: GPT(V=65, d=16, L=2, h=4, T=8) has 8865 parameter
        // elements and 31 state-dict entries (the bench's GPT() has 818241 and 55)
        CharGpt gpt = new CharGpt(65, 16, 2, 4, 8);
        assertEquals(8865, gpt.numParameters());
        Set<String> names = new TreeSet<>(gpt.stateDict().keySet());
        assertEquals(31, names.size(), names.toString());
        for (String n : List.of("mask", "tok.weight", "pos.weight", "blocks.0.ln1.weight", "blocks.0.att.in_proj_weight",
                "blocks.0.att.in_proj_bias", "blocks.1.att.out_proj.weight", "blocks.1.ln2.bias", "blocks.1.mlp.0.weight",
                "blocks.1.mlp.2.bias", "ln.bias", "head.weight", "head.bias")) {
            assertTrue(names.contains(n), n + " not in " + names);
        }
        long[] logits = gpt.forward(Tensor.randint(0, 65, 2, 8)).shape();
        assertEquals(List.of(2L, 8L, 65L), List.of(logits[0], logits[1], logits[2]));
    }

    /** A workload that throws becomes a line of its own, for the loop to go on (on a GPU: a kernel fault, say). */
    @Test
    void aFailingWorkloadIsALineNotTheEndOfTheRun() {
        Workload w = new Workload("lstm_s64_b32_h128_train_step", "lstm_s64_b32_h128_train_step", 1, 1,
                () -> () -> { }, Workload.msLine("lstm_s64_b32_h128_train_step"));
        assertEquals("lstm_s64_b32_h128_train_step failed=IllegalStateException: "
                        + "CUDA_ERROR_ILLEGAL_ADDRESS in lstm_seq_f32", BenchCommand.lineOrFailure(w, () -> {
                    throw new IllegalStateException("CUDA_ERROR_ILLEGAL_ADDRESS in lstm_seq_f32\nat launch 12");
                }));
        String ok = "lstm_s64_b32_h128_train_step ms=1.000";
        assertEquals(ok, BenchCommand.lineOrFailure(w, () -> ok));
    }

    @Test
    void medianIsPythonsStatisticsMedian() {
        assertEquals(2.0, Meter.median(new long[] {3, 1, 2}));
        assertEquals(2.5, Meter.median(new long[] {4, 1, 3, 2}));
    }
}
