package dev.ember.cuda;

import static jcuda.driver.JCudaDriver.CU_MEMHOSTALLOC_DEVICEMAP;
import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuMemcpyPeer;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;
import static jcuda.driver.JCudaDriver.cuGraphDestroy;
import static jcuda.driver.JCudaDriver.cuGraphExecDestroy;
import static jcuda.driver.JCudaDriver.cuGraphInstantiate;
import static jcuda.driver.JCudaDriver.cuGraphLaunch;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuMemHostAlloc;
import static jcuda.driver.JCudaDriver.cuMemHostGetDevicePointer;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuMemsetD8Async;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuStreamBeginCapture;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamEndCapture;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.CudaException;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstreamCaptureMode;
import jcuda.driver.JCudaDriver;

/**
 * The NVIDIA driver through JCuda's driver API: one device's primary context, one stream, and Ember's kernels
 * compiled ahead of time from {@code src/main/cuda} (see its build.sh) and shipped as resources: for each source
 * file a fatbin (SASS for sm_80 and sm_90, plus PTX) and the PTX alone. The fatbin is tried first; a GPU it has no
 * SASS for JIT-compiles its PTX, and if the fatbin is refused the plain PTX is loaded. Functions are looked up by
 * their {@code extern "C"} names (ABI.md) and cached.
 *
 * <p>The stream is created blocking (flag 0), so the legacy default stream that the synchronous host copies use is
 * ordered with it: a host read waits for every kernel queued before it.
 */
final class NvidiaDriver implements Driver {
    static final String[] MODULES =
            {"elementwise", "reduce", "index", "random", "gemm", "gemm_tc", "fused", "lstm", "gru", "pool", "loss",
                "norm", "attention"};
    /**
     * Modules built for sm_90a alone (Hopper's wgmma, build.sh's *_sm90.cu): loaded on a compute capability 9.0
     * GPU only, and skipped if the driver refuses them (their kernels then have fallbacks).
     */
    static final String[] MODULES_SM90 = {"gemm_sm90"};
    private static final String DIR = "/dev/ember/cuda/kernels/";

    private final CUdevice device;
    private final CUcontext context;
    private final CUstream stream;
    private final String name;
    private final int multiprocessors;
    private final int computeCapability;
    private final int maxShared;
    private final int version;
    /** The driver whose context is bound to the thread (cuCtxSetCurrent), so that switching devices rebinds. */
    private static final ThreadLocal<NvidiaDriver> BOUND = new ThreadLocal<>();
    private final List<CUmodule> modules = new ArrayList<>();
    private final Map<String, Kernel> functions = new ConcurrentHashMap<>();
    private final Map<Kernel, Integer> sharedLimits = new ConcurrentHashMap<>();
    /**
     * cuLaunchKernel through the FFM API; null: through JCuda ({@code -Dember.cuda.launch=jcuda}, no libcuda, or
     * a failed self-test).
     */
    private final KernelLauncher launcher;
    private final MemorySegment streamHandle;

    /** A kernel: JCuda's handle and its native value. */
    private record Kernel(CUfunction function, MemorySegment handle) {
    }

    /** The devices the driver reports (initialising it). */
    static int deviceCount() {
        JCudaDriver.setExceptionsEnabled(true);
        cuInit(0);
        int[] count = new int[1];
        cuDeviceGetCount(count);
        return count[0];
    }

    /** Device {@code ordinal} (0 to {@link #deviceCount()} - 1). */
    NvidiaDriver(int ordinal) {
        if (ordinal < 0 || ordinal >= deviceCount()) {
            throw new IllegalStateException("the CUDA driver reports no device " + ordinal);
        }
        device = new CUdevice();
        cuDeviceGet(device, ordinal);
        byte[] bytes = new byte[256];
        cuDeviceGetName(bytes, bytes.length, device);
        int len = 0;
        while (len < bytes.length && bytes[len] != 0) {
            len++;
        }
        name = new String(bytes, 0, len, StandardCharsets.US_ASCII);
        multiprocessors = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        computeCapability = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR) * 10
                + attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        maxShared = optInSharedMemory();
        int[] v = new int[1];
        cuDriverGetVersion(v);
        version = v[0];
        context = new CUcontext();
        cuDevicePrimaryCtxRetain(context, device);
        cuCtxSetCurrent(context);
        BOUND.set(this);
        stream = new CUstream();
        cuStreamCreate(stream, 0);
        streamHandle = DeviceAddress.handle(stream);
        loadModules();
        launcher = checked(launcher());
    }

    /**
     * {@code l} if it passes {@link KernelLauncher#selfTest}, else null with a line on stderr: a launch path that
     * cannot work on this driver then costs a warning instead of every kernel.
     */
    private KernelLauncher checked(KernelLauncher l) {
        if (l == null) {
            return null;
        }
        String failure;
        try {
            MemorySegment fill = function("fill_f32").handle();
            failure = KernelLauncher.selfTest(this,
                    args -> l.launch(fill, 1, 1, 1, 256, 0, streamHandle, "fill_f32", args));
        } catch (RuntimeException e) {
            failure = e.toString();
        }
        if (failure == null) {
            return l;
        }
        System.err.println("ember-cuda: kernels launch through JCuda: the direct cuLaunchKernel failed its self-test: "
                + failure);
        return null;
    }

    /**
     * libcuda's own cuLaunchKernel, called through {@link KernelLauncher} (JCuda has loaded the library, so this
     * finds the same one); null where it cannot be found or {@code ember.cuda.launch} is {@code jcuda}.
     */
    private static KernelLauncher launcher() {
        if ("jcuda".equals(System.getProperty("ember.cuda.launch"))) {
            return null;
        }
        try {
            return SymbolLookup.libraryLookup("libcuda.so.1", Arena.global()).find("cuLaunchKernel")
                    .map(KernelLauncher::new).orElse(null);
        } catch (RuntimeException e) {
            return null; // no such library under that name: JCuda's launch still works
        }
    }

    private int attribute(int which) {
        int[] v = new int[1];
        cuDeviceGetAttribute(v, which, device);
        return v[0];
    }

    /** The opt-in shared memory limit per block; the 48 KB every GPU grants if the driver does not say. */
    private int optInSharedMemory() {
        try {
            return Math.max(48 * 1024,
                    attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN));
        } catch (RuntimeException e) {
            return 48 * 1024;
        }
    }

    private void loadModules() {
        List<String> missing = new ArrayList<>();
        for (String module : MODULES) {
            CUmodule m = load(module);
            if (m == null) {
                missing.add(module);
            } else {
                modules.add(m);
            }
        }
        if (modules.isEmpty()) {
            throw new IllegalStateException("no kernel module could be loaded from the resources " + DIR
                    + " (missing or refused: " + missing + ")");
        }
        if (computeCapability == 90) {
            for (String module : MODULES_SM90) {
                try {
                    CUmodule m = load(module);
                    if (m != null) {
                        modules.add(m);
                    }
                } catch (CudaException e) {
                    System.err.println("ember-cuda: " + module + " not loaded (" + e.getMessage()
                            + "); its products take the sm_80 kernels");
                }
            }
        }
    }

    private static CUmodule load(String module) {
        byte[] fatbin = resource(module + ".fatbin", false);
        if (fatbin != null) {
            try {
                CUmodule m = new CUmodule();
                cuModuleLoadData(m, fatbin);
                return m;
            } catch (CudaException e) {
                // fall through to the PTX, which the driver compiles for whatever GPU this is
            }
        }
        byte[] ptx = resource(module + ".ptx", true);
        if (ptx == null) {
            return null;
        }
        CUmodule m = new CUmodule();
        cuModuleLoadData(m, ptx);
        return m;
    }

    /** The resource's bytes (NUL-terminated for PTX text, as the driver expects), or null. */
    private static byte[] resource(String file, boolean terminate) {
        try (InputStream in = NvidiaDriver.class.getResourceAsStream(DIR + file)) {
            if (in == null) {
                return null;
            }
            byte[] b = in.readAllBytes();
            return terminate ? Arrays.copyOf(b, b.length + 1) : b;
        } catch (IOException e) {
            return null;
        }
    }

    private Kernel function(String kernel) {
        Kernel f = functions.get(kernel);
        if (f != null) {
            return f;
        }
        for (CUmodule m : modules) {
            try {
                CUfunction candidate = new CUfunction();
                cuModuleGetFunction(candidate, m, kernel);
                Kernel k = new Kernel(candidate, DeviceAddress.handle(candidate));
                functions.put(kernel, k);
                return k;
            } catch (CudaException e) {
                // not in this module
            }
        }
        throw new IllegalStateException("CUDA kernel '" + kernel + "' is not in the shipped kernel modules");
    }

    @Override
    public boolean hasKernel(String kernel) {
        try {
            function(kernel);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    @Override
    public String deviceName() {
        return name;
    }

    @Override
    public int multiprocessors() {
        return multiprocessors;
    }

    @Override
    public int computeCapability() {
        return computeCapability;
    }

    @Override
    public int maxSharedPerBlock() {
        return maxShared;
    }

    @Override
    public int driverVersion() {
        return version;
    }

    @Override
    public long[] memoryInfo() {
        long[] f = new long[1];
        long[] t = new long[1];
        makeCurrent();
        cuMemGetInfo(f, t);
        return new long[] {f[0], t[0]};
    }

    @Override
    public void makeCurrent() {
        if (BOUND.get() != this) {
            cuCtxSetCurrent(context);
            BOUND.set(this);
        }
    }

    @Override
    public CUdeviceptr allocate(long bytes) {
        CUdeviceptr p = new CUdeviceptr();
        cuMemAlloc(p, bytes);
        return p;
    }

    @Override
    public void free(CUdeviceptr p) {
        cuMemFree(p);
    }

    @Override
    public Mapped allocateMapped(long bytes) {
        Pointer host = new Pointer();
        cuMemHostAlloc(host, bytes, CU_MEMHOSTALLOC_DEVICEMAP);
        CUdeviceptr dev = new CUdeviceptr();
        cuMemHostGetDevicePointer(dev, host, 0);
        return new Mapped(host.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder()), dev);
    }

    @Override
    public void upload(CUdeviceptr dst, Object hostArray, long bytes) {
        cuMemcpyHtoD(dst, hostPointer(hostArray), bytes);
    }

    @Override
    public void download(Object hostArray, CUdeviceptr src, long bytes) {
        cuMemcpyDtoH(hostPointer(hostArray), src, bytes);
    }

    private static Pointer hostPointer(Object array) {
        return switch (array) {
            case float[] a -> Pointer.to(a);
            case double[] a -> Pointer.to(a);
            case long[] a -> Pointer.to(a);
            case byte[] a -> Pointer.to(a);
            default -> throw new IllegalArgumentException("cuda: unsupported host array " + array.getClass());
        };
    }

    @Override
    public void copyAsync(CUdeviceptr dst, CUdeviceptr src, long bytes) {
        cuMemcpyDtoDAsync(dst, src, bytes, stream);
    }

    /** On the legacy stream, which the blocking streams of both devices are ordered with. */
    @Override
    public void copyPeer(CUdeviceptr dst, Driver dstDevice, CUdeviceptr src, long bytes) {
        makeCurrent();
        cuMemcpyPeer(dst, ((NvidiaDriver) dstDevice).context, src, context, bytes);
    }

    @Override
    public void memsetD8Async(CUdeviceptr p, byte value, long count) {
        cuMemsetD8Async(p, value, count, stream);
    }

    @Override
    public void memsetD32Async(CUdeviceptr p, int value, long count) {
        cuMemsetD32Async(p, value, count, stream);
    }

    @Override
    public void launch(String kernel, int gx, int gy, int gz, int block, int sharedBytes, Object... args) {
        Kernel f = function(kernel);
        if (sharedBytes > 48 * 1024 && !Integer.valueOf(sharedBytes).equals(sharedLimits.get(f))) {
            cuFuncSetAttribute(f.function(), CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                    sharedBytes);
            // these kernels are built around shared memory (the 128x128 wgmma GEMM fits two blocks per
            // multiprocessor only with all of it): ask for the largest shared part of the L1/shared split
            cuFuncSetAttribute(f.function(),
                    CUfunction_attribute.CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT, 100);
            sharedLimits.put(f, sharedBytes);
        }
        if (launcher != null) {
            int rc = launcher.launch(f.handle(), gx, gy, gz, block, sharedBytes, streamHandle, kernel, args);
            if (rc != CUresult.CUDA_SUCCESS) {
                throw new CudaException(CUresult.stringFor(rc)); // what JCuda throws for the same result
            }
            return;
        }
        NativePointerObject[] params = new NativePointerObject[args.length];
        for (int i = 0; i < args.length; i++) {
            params[i] = switch (args[i]) {
                case null -> Pointer.to(new long[] {0});
                case Integer v -> Pointer.to(new int[] {v});
                case Long v -> Pointer.to(new long[] {v});
                case Double v -> Pointer.to(new double[] {v});
                case int[] v -> Pointer.to(v);
                case CUdeviceptr p -> Pointer.to(p);
                default -> throw new IllegalArgumentException("kernel " + kernel + ": unsupported argument type "
                        + args[i].getClass().getName());
            };
        }
        cuLaunchKernel(f.function(), gx, gy, gz, block, 1, 1, sharedBytes, stream, Pointer.to(params), null);
    }

    @Override
    public String launchPath() {
        return launcher != null ? "cuLaunchKernel called through the FFM API" : "JCuda's cuLaunchKernel";
    }

    @Override
    public void synchronize() {
        cuStreamSynchronize(stream);
    }

    @Override
    public void beginCapture() {
        cuStreamBeginCapture(stream, CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_RELAXED);
    }

    private record Graph(CUgraph graph, CUgraphExec exec) {
    }

    @Override
    public Object endCapture() {
        CUgraph graph = new CUgraph();
        cuStreamEndCapture(stream, graph);
        CUgraphExec exec = new CUgraphExec();
        try {
            cuGraphInstantiate(exec, graph, 0);
        } catch (CudaException e) {
            cuGraphDestroy(graph);
            throw e;
        }
        return new Graph(graph, exec);
    }

    @Override
    public void replay(Object graph) {
        cuGraphLaunch(((Graph) graph).exec(), stream);
    }

    @Override
    public Object createEvent() {
        CUevent e = new CUevent();
        cuEventCreate(e, 0);
        return e;
    }

    @Override
    public void recordEvent(Object event) {
        cuEventRecord((CUevent) event, stream);
    }

    @Override
    public float elapsedMs(Object start, Object end) {
        cuEventSynchronize((CUevent) end);
        float[] ms = new float[1];
        cuEventElapsedTime(ms, (CUevent) start, (CUevent) end);
        return ms[0];
    }

    @Override
    public void destroyEvent(Object event) {
        cuEventDestroy((CUevent) event);
    }

    @Override
    public void destroy(Object graph) {
        Graph g = (Graph) graph;
        cuGraphExecDestroy(g.exec());
        cuGraphDestroy(g.graph());
    }
}
