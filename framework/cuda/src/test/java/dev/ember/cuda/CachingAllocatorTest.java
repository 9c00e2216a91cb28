package dev.ember.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

/**
 * The caching allocator's bookkeeping, without a GPU: size classes, reuse from the free lists, and the private
 * pool of a graph capture (blocks of a live graph never serve eager requests; a closed graph's blocks do). Only
 * cached blocks are handed out here, so the driver is never called.
 */
class CachingAllocatorTest {

    private static CachingAllocator.Block block(CachingAllocator.Pool pool, long size) {
        return new CachingAllocator.Block(new CUdeviceptr(), size, pool);
    }

    @Test
    void sizeClassesRoundUpBy512BytesThenByAnEighth() {
        assertEquals(512, CachingAllocator.sizeClass(0));
        assertEquals(512, CachingAllocator.sizeClass(1));
        assertEquals(1024, CachingAllocator.sizeClass(513));
        assertEquals(1 << 20, CachingAllocator.sizeClass((1 << 20) - 1));
        assertEquals((1 << 20) + (1 << 17), CachingAllocator.sizeClass((1 << 20) + 1));
        assertEquals(9L << 27, CachingAllocator.sizeClass((1L << 30) + 1));
    }

    @Test
    void sizesPrintAsPyTorchsAllocatorPrintsThem() {
        assertEquals("512 bytes", CachingAllocator.formatSize(512));
        assertEquals("1024 bytes", CachingAllocator.formatSize(1024));
        assertEquals("1.00 KiB", CachingAllocator.formatSize(1025)); // 1024 < size <= 1 MiB: KiB
        assertEquals("20.00 KiB", CachingAllocator.formatSize(20 << 10));
        assertEquals("1024.00 KiB", CachingAllocator.formatSize(1 << 20));
        assertEquals("2.50 MiB", CachingAllocator.formatSize(5L << 19));
        assertEquals("4.00 GiB", CachingAllocator.formatSize(4L << 30));
        assertEquals("unknown", CachingAllocator.formatSize(-1));
    }

    @Test
    void freedBlocksServeTheNextRequestOfTheirClass() {
        CachingAllocator a = new CachingAllocator(null);
        CachingAllocator.Block b = block(a.sharedPool(), 1024);
        a.release(b);
        assertSame(b, a.allocate(600)); // 600 B rounds up to the 1024 B class
        assertEquals(1, a.counts()[0]);
        assertEquals(0, a.counts()[1], "no driver allocation");
    }

    @Test
    void aCaptureUsesItsOwnPoolAndAClosedGraphGivesItsBlocksBack() {
        CachingAllocator a = new CachingAllocator(null);
        CachingAllocator.Block eager = block(a.sharedPool(), 2048);
        a.release(eager);
        CachingAllocator.Pool graph = a.beginCapture();
        assertThrows(IllegalStateException.class, a::beginCapture, "one capture at a time");
        // freed during the capture: serves a later request of the same capture, never an eager block
        CachingAllocator.Block temp = block(graph, 2048);
        a.release(temp);
        assertSame(temp, a.allocate(2048));
        assertNull(a.takeCached(graph, 2048));
        a.endCapture();
        // the graph is live: its block, freed now, stays in its pool; eager requests take the shared block
        a.release(temp);
        assertSame(eager, a.allocate(2048));
        assertNull(a.takeCached(a.sharedPool(), 2048));
        // closed: its free blocks, and the ones freed later, join the shared cache
        CachingAllocator.Block live = block(graph, 4096);
        a.retire(graph);
        assertSame(temp, a.allocate(2048));
        a.release(live);
        assertSame(live, a.allocate(4096));
    }
}
