package dev.ember.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * The one CUDA context Ember uses (device 0's primary context) and its stream. Created on first use; when that
 * fails (no JCuda native library, no driver, no device, kernels that do not load) the failure is kept as the
 * reason {@link Cuda#unavailableReason()} reports, and nothing else is attempted.
 *
 * <p>All kernels and copies go to one stream, created blocking (flag 0), so the legacy default stream that the
 * synchronous host copies use is ordered with it: a host read waits for every kernel queued before it, and no
 * other synchronisation is needed.
 */
final class CudaRuntime {
    private static volatile CudaRuntime instance;
    private static volatile String failure;

    final CUdevice device;
    final CUcontext context;
    final CUstream stream;
    final String deviceName;
    final int smCount;
    final int computeCapability;
    /** Dynamic shared memory one block may use after opting in (227 KB on an H100, 99 KB on sm_86/89 GPUs). */
    final int maxSharedPerBlock;
    final int driverVersion;
    final Kernels kernels;
    final CachingAllocator allocator;
    final IndexCheck indexCheck;
    /** True while {@link CudaGraph} captures the stream: host reads, uploads and synchronisation are refused. */
    volatile boolean capturing;
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private CudaRuntime() {
        JCudaDriver.setExceptionsEnabled(true);
        cuInit(0);
        int[] count = new int[1];
        cuDeviceGetCount(count);
        if (count[0] == 0) {
            throw new IllegalStateException("the CUDA driver reports no device");
        }
        device = new CUdevice();
        cuDeviceGet(device, 0);
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, device);
        int len = 0;
        while (len < name.length && name[len] != 0) {
            len++;
        }
        deviceName = new String(name, 0, len, java.nio.charset.StandardCharsets.US_ASCII);
        smCount = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        computeCapability = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR) * 10
                + attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        maxSharedPerBlock = optInSharedMemory();
        int[] v = new int[1];
        cuDriverGetVersion(v);
        driverVersion = v[0];
        context = new CUcontext();
        cuDevicePrimaryCtxRetain(context, device);
        cuCtxSetCurrent(context);
        current.set(Boolean.TRUE);
        stream = new CUstream();
        cuStreamCreate(stream, 0);
        kernels = new Kernels(this);
        allocator = new CachingAllocator(this);
        indexCheck = new IndexCheck();
    }

    private int attribute(int which) {
        int[] v = new int[1];
        cuDeviceGetAttribute(v, which, device);
        return v[0];
    }

    /** The opt-in shared memory limit per block; the 48 KB every GPU grants if the driver does not say. */
    private int optInSharedMemory() {
        try {
            return Math.max(48 * 1024, attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN));
        } catch (RuntimeException e) {
            return 48 * 1024;
        }
    }

    /** The runtime, creating it on first use; null when CUDA cannot run here (see {@link #failure()}). */
    static CudaRuntime tryGet() {
        CudaRuntime r = instance;
        if (r != null || failure != null) {
            return r;
        }
        synchronized (CudaRuntime.class) {
            if (instance == null && failure == null) {
                try {
                    instance = new CudaRuntime();
                } catch (UnsatisfiedLinkError e) {
                    failure = linkFailure(String.valueOf(e.getMessage()));
                } catch (Throwable e) {
                    failure = "CUDA could not be initialised: " + e;
                }
            }
            return instance;
        }
    }

    /** One line out of JCuda's many-line loader message: what was missing. */
    static String linkFailure(String message) {
        if (message.contains("libcuda.so")) {
            return "no NVIDIA driver: libcuda.so.1 could not be loaded";
        }
        int nl = message.indexOf('\n');
        return "the JCuda native library could not be loaded: " + (nl < 0 ? message : message.substring(0, nl));
    }

    /** The runtime; a clear exception when CUDA cannot run here. */
    static CudaRuntime get() {
        CudaRuntime r = tryGet();
        if (r == null) {
            throw new IllegalStateException("CUDA is not available: " + failure);
        }
        r.makeCurrent();
        return r;
    }

    static String failure() {
        tryGet();
        return failure;
    }

    /** Binds the context to the calling thread (once per thread). */
    void makeCurrent() {
        if (!current.get()) {
            cuCtxSetCurrent(context);
            current.set(Boolean.TRUE);
        }
    }

    /** Waits for the stream, then raises a failed device-side index check, if any. */
    void synchronize() {
        refuseWhileCapturing("synchronize");
        makeCurrent();
        cuStreamSynchronize(stream);
        indexCheck.raiseIfFailed(this);
    }

    /** A clear error for work that a graph capture cannot record (it would fail inside the driver otherwise). */
    void refuseWhileCapturing(String what) {
        if (capturing) {
            throw new IllegalStateException("cuda: " + what + " is not possible during CUDA graph capture: a graph "
                    + "records device work only, and nothing may wait for the GPU or copy from host memory while it "
                    + "is recorded (read results after replay(); create tensors and optimizer state before capture)");
        }
    }
}
