package dev.ember.cuda;

import dev.ember.backend.Strided;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.driver.CUdeviceptr;

/**
 * Range checks of index tensors that do not wait for the GPU ({@link dev.ember.backend.Backend#checkIndices}). The
 * {@code check_index} kernel (index.cu) reports the first bad value through host memory the device writes
 * directly (mapped, page-locked): the host looks at it after every synchronisation, which costs a memory read, and
 * raises the message of the check that failed. Messages are registered once each and found again by their id, so
 * a captured graph's checks keep reporting at every replay.
 */
final class IndexCheck {
    /** Device memory: 0 until a check claims it. */
    private final Driver driver;
    private final CUdeviceptr flag;
    /** The device's addresses of the report's two fields. */
    private final CUdeviceptr idPtr;
    private final CUdeviceptr valuePtr;
    /** The report as the host sees it: the failed check's id at byte 0 (0: none), the bad value at byte 8. */
    private final ByteBuffer report;
    private final Map<String, Integer> ids = new HashMap<>();
    private final List<String> messages = new ArrayList<>();

    IndexCheck(Driver driver) {
        this.driver = driver;
        flag = driver.allocate(4);
        driver.memsetD32Async(flag, 0, 1);
        driver.synchronize();
        Driver.Mapped mapped = driver.allocateMapped(16);
        report = mapped.host();
        report.putInt(0, 0).putLong(8, 0);
        idPtr = mapped.device();
        valuePtr = idPtr.withByteOffset(8);
    }

    /** Queues the check of {@code index} (int64, any strides); false when its layout needs the host check. */
    boolean queue(CudaRuntime r, Strided index, long lo, long hi, Long allowed, String message) {
        int n = index.numel();
        int[][] d = Desc.of(index);
        if (d == null) {
            return false;
        }
        r.kernels.launch1d("check_index", n, n, d[0], CudaBackend.base(index), lo, hi,
                allowed == null ? 0L : allowed, allowed == null ? 0 : 1, id(message), flag, idPtr, valuePtr);
        return true;
    }

    /**
     * The arguments a kernel that checks indices itself reports through (nll_loss_T): the message's id (never 0),
     * the claim flag, and the report's two fields, as check_index takes them.
     */
    Object[] reportArguments(String message) {
        return new Object[] {id(message), flag, idPtr, valuePtr};
    }

    /** The message's id, registered at its first use: 1, 2, ... */
    private synchronized int id(String message) {
        return ids.computeIfAbsent(message, m -> {
            messages.add(m);
            return messages.size();
        });
    }

    /** After a synchronisation: raises the first failed check's message (and clears the report) if there is one. */
    void raiseIfFailed(CudaRuntime r) {
        int id = report.getInt(0);
        if (id == 0) {
            return;
        }
        long value = report.getLong(8);
        report.putInt(0, 0).putLong(8, 0);
        driver.memsetD32Async(flag, 0, 1);
        String message;
        synchronized (this) {
            message = id <= messages.size() ? messages.get(id - 1) : "an index is out of range: %d";
        }
        throw new IllegalArgumentException(String.format(message, value)
                + " (found by a check on the GPU, reported at the first synchronisation after it)");
    }
}
