package dev.ember.cuda;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import dev.ember.tensor.Device;
import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Runs everywhere: the backend is found, and without a GPU it says why and fails cleanly when asked for. */
class CudaAvailabilityTest {

    @Test
    void backendIsFoundThroughServiceLoader() {
        assertTrue(Backends.all().stream().anyMatch(b -> b instanceof CudaBackend));
    }

    @Test
    void unavailableMeansAReasonAndCleanErrors() {
        Backend cuda = Backends.all().stream().filter(b -> b.deviceType().equals("cuda")).findFirst().orElseThrow();
        if (Cuda.isAvailable()) {
            assertNull(Cuda.unavailableReason());
            assertTrue(cuda.description().contains("CUDA on "), cuda.description());
            long[] info = Cuda.memGetInfo();
            assertTrue(info[1] > 0 && info[0] >= 0 && info[0] <= info[1], info[0] + " of " + info[1]);
            return;
        }
        String reason = Cuda.unavailableReason();
        assertNotNull(reason);
        assertFalse(reason.isBlank());
        assertFalse(reason.contains("\n"), "one line: " + reason); // JCuda's loader message is dozens
        assertFalse(cuda.isAvailable());
        assertTrue(cuda.unavailableReason().equals(reason));
        assertFalse(Backends.available().contains(cuda));
        assertTrue(cuda.description().contains(reason), cuda.description());
        Tensor x = Tensor.ones(3);
        IllegalStateException e = assertThrows(IllegalStateException.class, x::cuda);
        assertTrue(e.getMessage().contains("cuda") && e.getMessage().contains(reason), e.getMessage());
        // the statistics answer without a device
        assertTrue(Cuda.memoryAllocated() == 0 && Cuda.deviceCount() == 0);
        long[] info = Cuda.memGetInfo();
        assertTrue(info.length == 2 && info[0] == 0 && info[1] == 0);
        Cuda.synchronize();
    }

    @Test
    void cpuTensorsStayOnTheCpu() {
        Tensor x = Tensor.ones(2, 3);
        assertTrue(x.cpu() == x);
        assertTrue(x.to(Device.CPU) == x);
        assertFalse(x.isCuda());
    }
}
