package dev.ember.cuda;

import static jcuda.driver.JCudaDriver.CU_MEMHOSTALLOC_DEVICEMAP;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemHostAlloc;
import static jcuda.driver.JCudaDriver.cuMemHostGetDevicePointer;
import static jcuda.driver.JCudaDriver.cuMemsetD32;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;

import dev.ember.backend.Strided;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.Pointer;
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
    private final CUdeviceptr flag = new CUdeviceptr();
    /** The device's addresses of the report's two fields. */
    private final CUdeviceptr idPtr;
    private final CUdeviceptr valuePtr;
    /** The report as the host sees it: the failed check's id at byte 0 (0: none), the bad value at byte 8. */
    private final ByteBuffer report;
    private final Map<String, Integer> ids = new HashMap<>();
    private final List<String> messages = new ArrayList<>();

    IndexCheck() {
        cuMemAlloc(flag, 4);
        cuMemsetD32(flag, 0, 1);
        Pointer host = new Pointer();
        cuMemHostAlloc(host, 16, CU_MEMHOSTALLOC_DEVICEMAP);
        report = host.getByteBuffer(0, 16).order(ByteOrder.nativeOrder());
        report.putInt(0, 0).putLong(8, 0);
        idPtr = new CUdeviceptr();
        cuMemHostGetDevicePointer(idPtr, host, 0);
        valuePtr = idPtr.withByteOffset(8);
    }

    /** Queues the check of {@code index} (int64, any strides); false when its layout needs the host check. */
    boolean queue(CudaRuntime r, Strided index, long lo, long hi, Long allowed, String message) {
        int n = index.numel();
        int[][] d = Desc.of(index);
        if (d == null) {
            return false;
        }
        int id;
        synchronized (this) {
            id = ids.computeIfAbsent(message, m -> {
                messages.add(m);
                return messages.size();
            });
        }
        r.kernels.launch1d("check_index", n, n, d[0], CudaBackend.base(index), lo, hi,
                allowed == null ? 0L : allowed, allowed == null ? 0 : 1, id, flag, idPtr, valuePtr);
        return true;
    }

    /** After a synchronisation: raises the first failed check's message (and clears the report) if there is one. */
    void raiseIfFailed(CudaRuntime r) {
        int id = report.getInt(0);
        if (id == 0) {
            return;
        }
        long value = report.getLong(8);
        report.putInt(0, 0).putLong(8, 0);
        cuMemsetD32Async(flag, 0, 1, r.stream);
        String message;
        synchronized (this) {
            message = id <= messages.size() ? messages.get(id - 1) : "an index is out of range: %d";
        }
        throw new IllegalArgumentException(String.format(message, value)
                + " (found by a check on the GPU, reported at the first synchronisation after it)");
    }
}
