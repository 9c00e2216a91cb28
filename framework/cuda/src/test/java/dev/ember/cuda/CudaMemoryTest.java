package dev.ember.cuda;

import static dev.ember.cuda.GpuCheck.CUDA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The caching allocator: statistics, reuse, release on close and on unreachability, out-of-memory errors. */
@Tag("gpu")
class CudaMemoryTest {

    @BeforeAll
    static void gpu() {
        GpuCheck.requireGpu();
    }

    @Test
    void closeReturnsMemoryAndLaterUseIsAnError() {
        long before = Cuda.memoryAllocated();
        Tensor t = Tensor.zeros(DType.FLOAT32, CUDA, 1 << 20);
        assertTrue(Cuda.memoryAllocated() - before >= 4L << 20);
        assertTrue(Cuda.maxMemoryAllocated() >= Cuda.memoryAllocated());
        t.close();
        assertEquals(before, Cuda.memoryAllocated());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.add(1));
        assertTrue(e.getMessage().contains("close"), e.getMessage());
        t.close(); // twice is harmless
    }

    @Test
    void freedBlocksAreReused() {
        Tensor warm = Tensor.zeros(DType.FLOAT32, CUDA, 123_457);
        warm.close();
        long driver = Cuda.allocationCounts()[1];
        for (int i = 0; i < 100; i++) {
            Tensor.zeros(DType.FLOAT32, CUDA, 123_457).close();
        }
        assertEquals(driver, Cuda.allocationCounts()[1], "every request after the first came from the cache");
    }

    @Test
    void unreachableTensorsAreCollected() {
        // twice the device's memory and more in 1 GiB tensors, none kept: only works if unreachable storages give
        // their memory back (about 160 GiB on an 80 GB GPU)
        long gib = Cuda.memGetInfo()[1] >> 30;
        assertTrue(gib > 0, "device memory");
        for (long i = 0; i < 2 * gib + 4; i++) {
            Tensor t = Tensor.zeros(DType.FLOAT32, CUDA, 1 << 28);
            assertEquals(CUDA, t.device());
        }
        Cuda.synchronize();
    }

    /**
     * When the driver has no memory left and the cache holds only blocks of other sizes, the allocator returns its
     * cache to the driver and allocates again, instead of failing.
     */
    @Test
    void cachedBlocksOfOtherSizesMakeRoomWhenNeeded() {
        List<Tensor> blocks = new ArrayList<>();
        while (Cuda.memGetInfo()[0] > (3L << 28)) { // 256 MiB blocks until at most 768 MiB is free
            blocks.add(Tensor.zeros(DType.FLOAT32, CUDA, 1 << 26));
        }
        blocks.forEach(Tensor::close); // cached, not returned: the driver still has at most 768 MiB free
        assertTrue(Cuda.memoryReserved() >= (long) blocks.size() << 28, "the blocks stay cached");
        Tensor big = Tensor.ones(DType.FLOAT32, CUDA, 1L << 28); // 1 GiB: more than the driver has free
        assertEquals(3.0, big.narrow(0, (1 << 28) - 3, 3).sum().item());
        big.close();
        Cuda.emptyCache();
    }

    @Test
    void outOfMemoryNamesTheRequest() {
        List<Tensor> hold = new ArrayList<>();
        try {
            CudaOutOfMemoryException e = assertThrows(CudaOutOfMemoryException.class, () -> {
                for (int i = 0; i < 1000; i++) {
                    hold.add(Tensor.zeros(DType.FLOAT32, CUDA, Integer.MAX_VALUE / 2));
                }
            });
            assertTrue(e.getMessage().contains("CUDA out of memory: tried to allocate 4.00 GiB"), e.getMessage());
            assertTrue(e.getMessage().contains("allocated by live tensors"), e.getMessage());
        } finally {
            hold.forEach(Tensor::close);
            Cuda.emptyCache();
        }
        Tensor after = Tensor.ones(DType.FLOAT32, CUDA, 1000);
        assertEquals(1000.0, after.sum().item());
    }
}
