package dev.ember.cuda;

import static dev.ember.cuda.GpuCheck.randn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The kernel profile counts and times eager launches by kernel name, and leaves captured ones alone. */
@Tag("gpu")
class KernelProfileTest {

    private static Map<String, Cuda.KernelTime> byName(List<Cuda.KernelTime> report) {
        return report.stream().collect(Collectors.toMap(Cuda.KernelTime::name, Function.identity()));
    }

    @Test
    void countsEagerLaunchesByKernelAndSortsByTime() {
        GpuCheck.requireGpu();
        Tensor a = randn(1, DType.FLOAT32, 64, 64).cuda();
        Tensor b = randn(2, DType.FLOAT32, 64, 64).cuda();
        Cuda.synchronize();
        Cuda.startKernelProfile();
        a.add(b);
        a.add(b);
        a.matmul(b);
        List<Cuda.KernelTime> report = Cuda.stopKernelProfile();
        Map<String, Cuda.KernelTime> kernels = byName(report);
        assertEquals(2, kernels.get("binary_f32").launches(), report.toString());
        assertEquals(1, kernels.entrySet().stream().filter(e -> e.getKey().startsWith("gemm_f32"))
                .mapToLong(e -> e.getValue().launches()).sum(), report.toString());
        for (int i = 0; i < report.size(); i++) {
            assertTrue(report.get(i).totalMs() >= 0, report.toString());
            assertTrue(i == 0 || report.get(i - 1).totalMs() >= report.get(i).totalMs(), report.toString());
        }
        String table = Cuda.KernelTime.table(report);
        assertTrue(table.startsWith("# kernel profile: GPU time of eager launches") && table.contains(
                "kernel name=binary_f32 launches=2 total_ms="), table);
        assertEquals(List.of(), Cuda.stopKernelProfile(), "no profile runs after the stop");
    }

    @Test
    void launchesCapturedIntoAGraphAreNotTimed() {
        GpuCheck.requireGpu();
        Tensor a = randn(3, DType.FLOAT32, 32).cuda();
        Tensor out = Tensor.zeros(DType.FLOAT32, a.device(), 32);
        Cuda.startKernelProfile();
        try (CudaGraph g = CudaGraph.capture(() -> out.copyi(a.mul(a)))) {
            g.replay();
        }
        a.neg();
        Map<String, Cuda.KernelTime> kernels = byName(Cuda.stopKernelProfile());
        assertTrue(kernels.containsKey("unary_f32"), kernels.toString());
        assertTrue(!kernels.containsKey("binary_f32") && !kernels.containsKey("scalar_binary_f32"),
                "the captured multiplication was timed: " + kernels);
    }
}
