package dev.ember.cuda;

import java.nio.ByteBuffer;
import jcuda.driver.CUdeviceptr;

/**
 * What ember-cuda asks of a GPU: device facts, memory, copies, kernel launches on one stream, and graph capture.
 * {@link NvidiaDriver} is the NVIDIA driver through JCuda; the tests also run everything on a CPU emulator of the
 * same kernels (src/test/emu), selected with the system property {@code ember.cuda.driver} (see
 * {@link CudaRuntime}). Device addresses are JCuda's {@link CUdeviceptr} in both.
 *
 * <p>"Async" operations are queued on the stream after every earlier one; the others wait for the stream first.
 * Failures are {@link jcuda.CudaException}s.
 */
interface Driver {
    String deviceName();

    int multiprocessors();

    /** Major * 10 + minor, e.g. 90 for an H100. */
    int computeCapability();

    /** Whether the loaded kernel modules have this kernel (gemm_sm90.cu's load only on compute capability 9.0). */
    boolean hasKernel(String name);

    /** Dynamic shared memory one block may use after opting in. */
    int maxSharedPerBlock();

    int driverVersion();

    /** {free, total} bytes of device memory. */
    long[] memoryInfo();

    /** Binds the driver's context to the calling thread (once per thread). */
    void makeCurrent();

    /** Device memory of {@code bytes}; a {@link jcuda.CudaException} when there is not enough. */
    CUdeviceptr allocate(long bytes);

    void free(CUdeviceptr p);

    /**
     * Page-locked host memory the device can address: {@code host} and {@code device} are the same bytes. Kept
     * for the life of the process.
     */
    record Mapped(ByteBuffer host, CUdeviceptr device) {
    }

    Mapped allocateMapped(long bytes);

    /** Copies {@code bytes} from a float[], double[], long[] or byte[] (waits for the stream first). */
    void upload(CUdeviceptr dst, Object hostArray, long bytes);

    /** Copies {@code bytes} into a float[], double[], long[] or byte[] (waits for the stream first). */
    void download(Object hostArray, CUdeviceptr src, long bytes);

    void copyAsync(CUdeviceptr dst, CUdeviceptr src, long bytes);

    /**
     * Copies {@code bytes} from this device's {@code src} to {@code dstDevice}'s {@code dst} (cuMemcpyPeer: after all
     * work queued on either device so far, and before any queued later).
     */
    void copyPeer(CUdeviceptr dst, Driver dstDevice, CUdeviceptr src, long bytes);

    void memsetD8Async(CUdeviceptr p, byte value, long count);

    void memsetD32Async(CUdeviceptr p, int value, long count);

    /**
     * Queues {@code kernel} (an {@code extern "C"} name of ABI.md) with 1-D blocks. Arguments: Integer, Long,
     * Double, int[] (a Desc or any by-value struct of ints), CUdeviceptr, or null for a null device pointer.
     */
    void launch(String kernel, int gx, int gy, int gz, int block, int sharedBytes, Object... args);

    void synchronize();

    /** How kernels are launched, for descriptions: e.g. "cuLaunchKernel called through the FFM API". */
    String launchPath();

    /**
     * True when memory handed out uninitialized should be filled with 0xFF bytes (NaN as floats, -1 as integers)
     * first, so that a kernel that reads what it did not write, or leaves part of its output unwritten, shows it:
     * the emulator's check (cuda-memcheck's initcheck, roughly). The NVIDIA driver: false.
     */
    default boolean poisonsUninitialized() {
        return false;
    }

    /** Starts recording the stream's work instead of running it (relaxed capture mode). */
    void beginCapture();

    /** Ends the recording; the handle to replay. Called after a failed capture too, to leave capture mode. */
    Object endCapture();

    void replay(Object graph);

    void destroy(Object graph);

    /** A timing event (cuEventCreate with default flags), to be recorded on the stream. */
    Object createEvent();

    /** Queues {@code event} on the stream (cuEventRecord): it completes when everything queued before it has. */
    void recordEvent(Object event);

    /** Milliseconds between two recorded events, after waiting for {@code end} (cuEventElapsedTime). */
    float elapsedMs(Object start, Object end);

    void destroyEvent(Object event);
}
