package dev.ember.cuda;

import java.util.List;

/**
 * The one GPU Ember uses, through its {@link Driver}, with the kernel launcher, the caching allocator and the
 * index checks. Created on first use; when that fails (no JCuda native library, no driver, no device, kernels
 * that do not load) the failure is kept as the reason {@link Cuda#unavailableReason()} reports, and nothing else
 * is attempted.
 *
 * <p>The driver is the NVIDIA driver ({@link NvidiaDriver}) unless the system property {@code ember.cuda.driver}
 * names another {@link Driver} class of this package: the tests' CPU emulator of the kernels
 * ({@code dev.ember.cuda.EmulatedDriver}, src/test/emu), which runs the whole GPU test suite without a GPU.
 *
 * <p>All kernels and copies go to one stream, ordered with the synchronous host copies: a host read waits for
 * every kernel queued before it, and no other synchronisation is needed.
 */
final class CudaRuntime {
    private static volatile CudaRuntime instance;
    private static volatile String failure;

    final Driver driver;
    final Kernels kernels;
    final CachingAllocator allocator;
    final IndexCheck indexCheck;
    /** The tensor-core kernels TF32 and BF16 products take ({@link TensorCoreGemm#choose}). */
    final TensorCoreGemm.Family tensorCores;
    /** The random-number state of the capture in progress; null when the stream is not being captured. */
    volatile GraphRandom graphRandom;

    private CudaRuntime(Driver driver) {
        this.driver = driver;
        kernels = new Kernels(driver, () -> graphRandom != null);
        allocator = new CachingAllocator(this);
        indexCheck = new IndexCheck(driver);
        tensorCores = TensorCoreGemm.choose(driver);
        if (Boolean.getBoolean("ember.cuda.profile")) {
            startProfile();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                List<Cuda.KernelTime> report = stopProfile();
                System.err.print(Cuda.KernelTime.table(report));
            }, "ember-cuda-profile"));
        }
    }

    /** Starts a new kernel profile (see {@link KernelProfile}), ending any running one. */
    synchronized void startProfile() {
        stopProfile();
        kernels.profile = new KernelProfile(driver);
    }

    /** Ends the running profile and returns its totals; empty when none runs. */
    synchronized List<Cuda.KernelTime> stopProfile() {
        KernelProfile p = kernels.profile;
        if (p == null) {
            return List.of();
        }
        kernels.profile = null;
        List<Cuda.KernelTime> report = p.report();
        p.close();
        return report;
    }

    /** The NVIDIA driver, or the Driver class the system property ember.cuda.driver names. */
    private static Driver openDriver() throws ReflectiveOperationException {
        String name = System.getProperty("ember.cuda.driver", "");
        if (name.isEmpty()) {
            return new NvidiaDriver();
        }
        var constructor = Class.forName(name).asSubclass(Driver.class).getDeclaredConstructor();
        constructor.setAccessible(true);
        return constructor.newInstance();
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
                    instance = new CudaRuntime(openDriver());
                } catch (UnsatisfiedLinkError e) {
                    failure = linkFailure(String.valueOf(e.getMessage()));
                } catch (java.lang.reflect.InvocationTargetException e) {
                    failure = "CUDA could not be initialised: " + e.getCause();
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
        driver.makeCurrent();
    }

    /** Waits for the stream, then raises a failed device-side index check, if any. */
    void synchronize() {
        refuseWhileCapturing("synchronize");
        makeCurrent();
        driver.synchronize();
        indexCheck.raiseIfFailed(this);
    }

    /** True while {@link CudaGraph} captures the stream: host reads, uploads and synchronisation are refused. */
    boolean capturing() {
        return graphRandom != null;
    }

    /** A clear error for work that a graph capture cannot record (it would fail inside the driver otherwise). */
    void refuseWhileCapturing(String what) {
        if (capturing()) {
            throw new IllegalStateException("cuda: " + what + " is not possible during CUDA graph capture: a graph "
                    + "records device work only, and nothing may wait for the GPU or copy from host memory while it "
                    + "is recorded (read results after replay(); create tensors and optimizer state before capture)");
        }
    }
}
