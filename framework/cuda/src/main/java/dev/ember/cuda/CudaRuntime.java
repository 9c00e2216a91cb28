package dev.ember.cuda;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One GPU Ember uses, through its {@link Driver}, with the kernel launcher, the caching allocator and the index
 * checks: one runtime per device ordinal, each created on first use of its device. When device 0's fails (no JCuda
 * native library, no driver, no device, kernels that do not load) the failure is kept as the reason
 * {@link Cuda#unavailableReason()} reports, and nothing else is attempted.
 *
 * <p>The driver is the NVIDIA driver ({@link NvidiaDriver}) unless the system property {@code ember.cuda.driver}
 * names another {@link Driver} class of this package: the tests' CPU emulator of the kernels
 * ({@code dev.ember.cuda.EmulatedDriver}, src/test/emu), which runs the whole GPU test suite without a GPU.
 *
 * <p>Each device's kernels and copies go to one stream, ordered with the synchronous host copies: a host read waits
 * for every kernel queued before it, and no other synchronisation is needed.
 *
 * <p><b>Which device an op runs on.</b> Ops reach the backend through their operands' storages
 * ({@code storage.backend()}), and a CUDA storage makes its device's runtime the thread's active one as it does
 * (PyTorch's device guard, set from the operands); allocation on a given device does the same. {@link #get()} is
 * the active runtime, device 0's before any.
 */
final class CudaRuntime {
    /** The runtimes by device ordinal, null until first used; sized once the device count is known. */
    private static volatile CudaRuntime[] runtimes;
    private static volatile String failure;
    private static final ThreadLocal<CudaRuntime> ACTIVE = new ThreadLocal<>();

    final int ordinal;
    final Driver driver;
    final Kernels kernels;
    final CachingAllocator allocator;
    final IndexCheck indexCheck;
    /** The tensor-core kernels TF32 and BF16 products take ({@link TensorCoreGemm#choose}). */
    final TensorCoreGemm.Family tensorCores;
    /** The random-number state of the capture in progress; null when the stream is not being captured. */
    volatile GraphRandom graphRandom;

    private CudaRuntime(int ordinal, Driver driver) {
        this.ordinal = ordinal;
        this.driver = driver;
        kernels = new Kernels(driver, () -> graphRandom != null);
        allocator = new CachingAllocator(this);
        indexCheck = new IndexCheck(driver);
        tensorCores = TensorCoreGemm.choose(driver);
        if (ordinal == 0 && Boolean.getBoolean("ember.cuda.profile")) {
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

    /** The Driver class: the NVIDIA driver, or the class the system property ember.cuda.driver names. */
    private static Class<? extends Driver> driverClass() throws ClassNotFoundException {
        String name = System.getProperty("ember.cuda.driver", "");
        return name.isEmpty() ? NvidiaDriver.class : Class.forName(name).asSubclass(Driver.class);
    }

    /** Device {@code ordinal}'s driver: the driver class's constructor of one int. */
    private static Driver openDriver(int ordinal) throws ReflectiveOperationException {
        var constructor = driverClass().getDeclaredConstructor(int.class);
        constructor.setAccessible(true);
        return constructor.newInstance(ordinal);
    }

    /** The devices the driver class reports (its static {@code deviceCount()}). */
    private static int countDevices() throws ReflectiveOperationException {
        var method = driverClass().getDeclaredMethod("deviceCount");
        method.setAccessible(true);
        return (Integer) method.invoke(null);
    }

    /** Device 0's runtime, creating it on first use; null when CUDA cannot run here (see {@link #failure()}). */
    static CudaRuntime tryGet() {
        CudaRuntime[] rs = runtimes;
        if (rs != null && rs[0] != null) {
            return rs[0];
        }
        if (failure != null) {
            return null;
        }
        synchronized (CudaRuntime.class) {
            if (failure == null && (runtimes == null || runtimes[0] == null)) {
                try {
                    int count = countDevices();
                    if (count < 1) {
                        throw new IllegalStateException("the CUDA driver reports no device");
                    }
                    CudaRuntime[] created = new CudaRuntime[count];
                    created[0] = new CudaRuntime(0, openDriver(0));
                    runtimes = created;
                } catch (Throwable e) {
                    failure = reason(e instanceof java.lang.reflect.InvocationTargetException ite ? ite.getCause() : e);
                }
            }
            return runtimes == null ? null : runtimes[0];
        }
    }

    /** The devices Ember can use: 0 when CUDA is not available. */
    static int deviceCount() {
        return tryGet() == null ? 0 : runtimes.length;
    }

    /**
     * Device {@code ordinal}'s runtime, created on first use, made the thread's active one and its context bound;
     * a clear exception when CUDA is not available or there is no such device.
     */
    static CudaRuntime forDevice(int ordinal) {
        if (tryGet() == null) {
            throw new IllegalStateException("CUDA is not available: " + failure);
        }
        CudaRuntime[] rs = runtimes;
        if (ordinal < 0 || ordinal >= rs.length) {
            throw new IllegalArgumentException("cuda: there is no device cuda:" + ordinal + " (this machine has "
                    + rs.length + (rs.length == 1 ? " CUDA device: cuda:0)" : " CUDA devices: cuda:0 to cuda:"
                    + (rs.length - 1) + ")"));
        }
        CudaRuntime r = rs[ordinal];
        if (r == null) {
            synchronized (CudaRuntime.class) {
                r = rs[ordinal];
                if (r == null) {
                    try {
                        r = new CudaRuntime(ordinal, openDriver(ordinal));
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw new IllegalStateException("cuda:" + ordinal + " could not be initialised: "
                                + e.getCause(), e.getCause());
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException("cuda:" + ordinal + " could not be initialised: " + e, e);
                    }
                    rs[ordinal] = r;
                }
            }
        }
        r.activate();
        return r;
    }

    /** The runtimes created so far. */
    static List<CudaRuntime> started() {
        CudaRuntime[] rs = runtimes;
        return rs == null ? List.of() : Arrays.stream(rs).filter(Objects::nonNull).toList();
    }

    /** Makes this the thread's active runtime (the device the thread's ops run on) and binds its context. */
    void activate() {
        ACTIVE.set(this);
        makeCurrent();
    }

    /** Why CUDA cannot run, from what opening the driver threw: one line. */
    private static String reason(Throwable e) {
        if (e instanceof UnsatisfiedLinkError || e instanceof ExceptionInInitializerError
                && e.getCause() instanceof UnsatisfiedLinkError) {
            Throwable link = e instanceof UnsatisfiedLinkError ? e : e.getCause();
            return linkFailure(String.valueOf(link.getMessage()));
        }
        String text = String.valueOf(e);
        int nl = text.indexOf('\n');
        return "CUDA could not be initialised: " + (nl < 0 ? text : text.substring(0, nl));
    }

    /** One line out of JCuda's many-line loader message: what was missing. */
    static String linkFailure(String message) {
        if (message.contains("libcuda.so")) {
            return "no NVIDIA driver: libcuda.so.1 could not be loaded";
        }
        int nl = message.indexOf('\n');
        return "the JCuda native library could not be loaded: " + (nl < 0 ? message : message.substring(0, nl));
    }

    /**
     * The thread's active runtime (the device of the op in progress), device 0's before any; a clear exception
     * when CUDA cannot run here.
     */
    static CudaRuntime get() {
        CudaRuntime r = ACTIVE.get();
        if (r == null) {
            return forDevice(0);
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

    /** {@link #synchronize} on every device in use. */
    static void synchronizeAll() {
        for (CudaRuntime r : started()) {
            r.synchronize();
        }
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
