package dev.ember.cuda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.backend.DeviceGraph;
import dev.ember.tensor.Device;
import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** CudaEvent, torch.cuda.Event(enable_timing=True): timing between recorded events, and its misuse refused clearly. */
@Tag("gpu")
class CudaEventTest {

    @BeforeAll
    static void gpu() {
        GpuCheck.requireGpu();
    }

    @Test
    void timesTheWorkBetweenTwoEvents() {
        Tensor a = Tensor.randn(300, 300).cuda();
        try (CudaEvent start = CudaEvent.create(); CudaEvent end = CudaEvent.create()) {
            start.record();
            Tensor c = a.matmul(a).matmul(a);
            end.record();
            double ms = start.elapsedTime(end);
            assertTrue(ms >= 0 && ms < 60_000, "elapsed " + ms + " ms");
            assertTrue(Double.isFinite(c.sum().item()));
        }
    }

    @Test
    void misuseIsAClearError() {
        CudaEvent start = CudaEvent.create();
        CudaEvent end = CudaEvent.create();
        IllegalStateException notRecorded = assertThrows(IllegalStateException.class, () -> start.elapsedTime(end));
        assertTrue(notRecorded.getMessage().contains("this event is not"), notRecorded.getMessage());
        start.record();
        assertTrue(assertThrows(IllegalStateException.class, () -> start.elapsedTime(end)).getMessage()
                .contains("the end event is not"));
        end.close();
        assertTrue(assertThrows(IllegalStateException.class, end::record).getMessage().contains("closed"));
        start.close();
        assertThrows(IllegalArgumentException.class, () -> CudaEvent.create(Device.CPU));
        try (CudaEvent inGraph = CudaEvent.create()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> DeviceGraph.capture(Device.cuda(), inGraph::record));
            assertTrue(e.getMessage().contains("recording a CudaEvent"), e.getMessage());
        }
    }

    @Test
    void eventsOfTwoDevicesDoNotMix() {
        GpuCheck.requireTwoDevices();
        try (CudaEvent a = CudaEvent.create(Device.cuda(0)).record();
             CudaEvent b = CudaEvent.create(Device.cuda(1)).record()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.elapsedTime(b));
            assertTrue(e.getMessage().contains("cuda:0 and cuda:1"), e.getMessage());
        }
    }
}
