package dev.ember.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import jcuda.CudaException;
import jcuda.driver.CUdeviceptr;

/**
 * A {@link Driver} that runs Ember's CUDA kernels on the CPU: the same .cu sources, compiled for the host by
 * {@code src/test/emu/build.sh} into a shared library and called through the FFM API (see emu_runtime.cpp for
 * the execution model). Selected with {@code -Dember.cuda.driver=dev.ember.cuda.EmulatedDriver}; the Maven build's
 * {@code gpu-emulated} test run does so for every test tagged {@code gpu}.
 *
 * <p>It checks what a GPU run checks except timing and the hardware itself: kernel logic, launch configurations,
 * shared-memory layouts and barriers, the Java side's argument lists, the caching allocator, graph capture and
 * replay, the index checks. Device memory is host memory (addresses in {@link CUdeviceptr}s); work runs when it is
 * queued, so the stream is always idle; a captured graph is the list of its launches, copies and fills. The
 * device has 8 multiprocessors ({@code ember.cuda.emulator.multiprocessors}; 32 gives the LSTM kernels an
 * H100's grid) and {@code ember.cuda.emulator.memory} bytes (3 GiB: the memory tests touch all of it). There are
 * {@code ember.cuda.emulator.devices} devices (1 unless set), each with its own memory budget; their memory is the
 * one host's, so a launch or copy on one device that is given another's memory fails, as it would on GPUs without
 * peer access.
 */
final class EmulatedDriver implements Driver {
    /** In the failure reason when no C++ compiler is installed (the emulated tests then skip, not fail). */
    static final String NO_COMPILER = "no C++ compiler";
    /** Emulated multiprocessors (worker threads), 8 unless {@code ember.cuda.emulator.multiprocessors} says. */
    static final int MULTIPROCESSORS = Integer.getInteger("ember.cuda.emulator.multiprocessors", 8);
    private static final Linker LINKER = Linker.nativeLinker();
    private final long total = Long.getLong("ember.cuda.emulator.memory", 3L << 30);
    /**
     * Live allocations of all emulated devices together at most ({@code ember.cuda.emulator.maxAllocations}). Each is
     * a host mapping of its own, three with its guard pages, and Linux refuses a process more than vm.max_map_count
     * mappings (65,530 by default), the JVM's own included: a dry-run bench whose small tensors waited for the
     * collector took all of them, and the JVM died failing to grow its heap. Past the limit an allocation fails as on
     * a full device, and the caching allocator collects garbage and retries.
     */
    private static final int MAX_LIVE = Integer.getInteger("ember.cuda.emulator.maxAllocations", 12_000);
    private static final AtomicInteger LIVE = new AtomicInteger();
    /** {@code -Dember.cuda.emulator.trace=true}: every launch, copy and fill to stderr as it is queued. */
    private final boolean trace = Boolean.getBoolean("ember.cuda.emulator.trace");
    /**
     * {@code -Dember.cuda.emulator.dry=true}: launches, copies and fills are checked and traced but not run, so a
     * bench times Ember's host side alone (autograd, allocation, argument lists: what an eager step spends besides
     * the driver's own calls and the kernels). Results are garbage.
     */
    private final boolean dry = Boolean.getBoolean("ember.cuda.emulator.dry");
    /** The emulator's cuLaunchKernel twin, reached as NvidiaDriver reaches the driver's. */
    private final KernelLauncher launcher;
    private final MethodHandle function;
    private final MethodHandle lastError;
    private final MethodHandle malloc;
    private final MethodHandle free;
    private final Map<Long, Long> sizes = new ConcurrentHashMap<>();
    /** The library's handles of the kernels launched so far, by name (looked up once each). */
    private final Map<String, MemorySegment> kernels = new ConcurrentHashMap<>();
    private long used;
    private final int ordinal;
    /** Every emulated device's allocations: start address -> {end address, device ordinal}. */
    private static final NavigableMap<Long, long[]> OWNERS = new ConcurrentSkipListMap<>();
    /** The launches, copies and fills of the capture in progress; null when not capturing. */
    private List<Runnable> recording;

    /** The emulated devices: {@code ember.cuda.emulator.devices}, 1 unless set. */
    static int deviceCount() {
        return Integer.getInteger("ember.cuda.emulator.devices", 1);
    }

    EmulatedDriver(int ordinal) throws IOException, InterruptedException {
        this.ordinal = ordinal;
        if (MULTIPROCESSORS < 1 || MULTIPROCESSORS > 1024) {
            throw new IllegalArgumentException("ember.cuda.emulator.multiprocessors: expected 1 to 1024, got "
                    + MULTIPROCESSORS);
        }
        Path lib = build();
        SymbolLookup symbols = SymbolLookup.libraryLookup(lib, Arena.global());
        MethodHandle init = handle(symbols, "ember_emu_init", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        launcher = new KernelLauncher(symbols.find("ember_emu_launch").orElseThrow());
        function = handle(symbols, "ember_emu_function", FunctionDescriptor.of(ADDRESS, ADDRESS));
        lastError = handle(symbols, "ember_emu_last_error", FunctionDescriptor.of(ADDRESS));
        malloc = handle(symbols, "ember_emu_malloc", FunctionDescriptor.of(ADDRESS, JAVA_LONG));
        free = handle(symbols, "ember_emu_free", FunctionDescriptor.ofVoid(ADDRESS));
        int started;
        try {
            started = (int) init.invokeExact(MULTIPROCESSORS);
        } catch (Throwable t) {
            throw new IllegalStateException("ember emulator: init failed", t);
        }
        if (started != MULTIPROCESSORS) { // the library's workers live as long as the process
            throw new IllegalStateException("ember emulator: already running with " + started
                    + " multiprocessors in this process, not " + MULTIPROCESSORS);
        }
    }

    private static MethodHandle handle(SymbolLookup symbols, String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(symbols.find(name).orElseThrow(), d);
    }

    /**
     * The emulator library under target/emu, rebuilt (src/test/emu/build.sh) when any kernel or emulator source
     * is newer. Paths are relative to the ember-cuda module, the working directory of its tests, unless
     * {@code ember.cuda.emulator.module} says where the module is.
     */
    private static Path build() throws IOException, InterruptedException {
        Path module = Path.of(System.getProperty("ember.cuda.emulator.module", "")).toAbsolutePath();
        Path emu = module.resolve("src/test/emu");
        String cxx = System.getenv().getOrDefault("CXX", "g++");
        if (new ProcessBuilder("bash", "-c", "command -v \"$0\"", cxx).start().waitFor() != 0) {
            throw new IllegalStateException(NO_COMPILER + " (" + cxx + ") to build the CUDA emulator");
        }
        Path lib = module.resolve(System.getProperty("ember.cuda.emulator.lib", "target/emu/libember_emu.so"));
        if (!Files.isDirectory(emu)) {
            throw new IllegalStateException("the emulator sources are not at " + emu);
        }
        long newest = Math.max(newest(emu), newest(module.resolve("src/main/cuda")));
        if (Files.exists(lib) && Files.getLastModifiedTime(lib).toMillis() >= newest) {
            return lib;
        }
        Process p = new ProcessBuilder("bash", emu.resolve("build.sh").toString(), lib.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("building the CUDA emulator failed:\n" + out);
        }
        return lib;
    }

    private static long newest(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().lastModified()).max().orElse(0);
        }
    }

    /** The host address a device pointer stands for. */
    static long address(CUdeviceptr p) {
        return DeviceAddress.of(p);
    }

    private static MemorySegment memory(CUdeviceptr p, long bytes) {
        return MemorySegment.ofAddress(address(p)).reinterpret(bytes);
    }

    @Override
    public String deviceName() {
        return "Ember CUDA emulator (CPU, " + MULTIPROCESSORS + " SMs)";
    }

    @Override
    public int multiprocessors() {
        return MULTIPROCESSORS;
    }

    @Override
    public int computeCapability() {
        return 90;
    }

    @Override
    public int maxSharedPerBlock() {
        return 227 * 1024;
    }

    @Override
    public int driverVersion() {
        return 13000;
    }

    @Override
    public synchronized long[] memoryInfo() {
        return new long[] {total - used, total};
    }

    @Override
    public void makeCurrent() {
    }

    @Override
    public CUdeviceptr allocate(long bytes) {
        synchronized (this) {
            if (used + bytes > total) {
                throw new CudaException("CUDA_ERROR_OUT_OF_MEMORY (emulated device: " + used + " of " + total
                        + " bytes in use, " + bytes + " asked)");
            }
            if (LIVE.incrementAndGet() > MAX_LIVE) {
                LIVE.decrementAndGet();
                throw new CudaException("CUDA_ERROR_OUT_OF_MEMORY (emulated devices: " + MAX_LIVE
                        + " allocations live, the emulator's limit; " + bytes + " bytes asked)");
            }
            used += bytes;
        }
        MemorySegment m;
        try {
            m = (MemorySegment) malloc.invokeExact(bytes);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (m.address() == 0) {
            synchronized (this) {
                used -= bytes;
            }
            LIVE.decrementAndGet();
            throw new CudaException("CUDA_ERROR_OUT_OF_MEMORY (emulated device: the host has no " + bytes + " bytes)");
        }
        sizes.put(m.address(), bytes);
        OWNERS.put(m.address(), new long[] {m.address() + bytes, ordinal});
        return new CUdeviceptr().withByteOffset(m.address());
    }

    @Override
    public void free(CUdeviceptr p) {
        long a = address(p);
        Long bytes = sizes.remove(a);
        if (bytes == null) {
            throw new CudaException("CUDA_ERROR_INVALID_VALUE: free of " + Long.toHexString(a) + ", not allocated"
                    + " on cuda:" + ordinal);
        }
        OWNERS.remove(a);
        synchronized (this) {
            used -= bytes;
        }
        LIVE.decrementAndGet();
        try {
            free.invokeExact(MemorySegment.ofAddress(a));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public Mapped allocateMapped(long bytes) {
        CUdeviceptr p = allocate(bytes);
        return new Mapped(memory(p, bytes).asByteBuffer().order(ByteOrder.nativeOrder()), p);
    }

    @Override
    public void upload(CUdeviceptr dst, Object hostArray, long bytes) {
        refuseWhileRecording("cuMemcpyHtoD");
        MemorySegment.copy(host(hostArray), 0, memory(dst, bytes), 0, bytes);
    }

    @Override
    public void download(Object hostArray, CUdeviceptr src, long bytes) {
        refuseWhileRecording("cuMemcpyDtoH");
        MemorySegment.copy(memory(src, bytes), 0, host(hostArray), 0, bytes);
    }

    private static MemorySegment host(Object array) {
        return switch (array) {
            case float[] a -> MemorySegment.ofArray(a);
            case double[] a -> MemorySegment.ofArray(a);
            case long[] a -> MemorySegment.ofArray(a);
            case byte[] a -> MemorySegment.ofArray(a);
            default -> throw new IllegalArgumentException("cuda: unsupported host array " + array.getClass());
        };
    }

    private void refuseWhileRecording(String what) {
        if (recording != null) {
            throw new CudaException("CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED: " + what + " during stream capture");
        }
    }

    /** Runs {@code work} now, or records it into the graph being captured. */
    private void queue(String what, Runnable work) {
        if (trace) {
            System.err.println("ember emulator: " + (recording != null ? "record " : "") + what);
        }
        if (dry) {
            return;
        }
        if (recording != null) {
            recording.add(work);
        } else {
            work.run();
        }
    }

    @Override
    public void copyAsync(CUdeviceptr dst, CUdeviceptr src, long bytes) {
        checkOwn("cuMemcpyDtoDAsync", dst);
        checkOwn("cuMemcpyDtoDAsync", src);
        queue("copy " + bytes + " B",
                () -> MemorySegment.copy(memory(src, bytes), 0, memory(dst, bytes), 0, bytes));
    }

    @Override
    public void copyPeer(CUdeviceptr dst, Driver dstDevice, CUdeviceptr src, long bytes) {
        refuseWhileRecording("cuMemcpyPeer");
        checkOwn("cuMemcpyPeer", src);
        ((EmulatedDriver) dstDevice).checkOwn("cuMemcpyPeer", dst);
        if (!dry) {
            MemorySegment.copy(memory(src, bytes), 0, memory(dst, bytes), 0, bytes);
        }
    }

    @Override
    public void memsetD8Async(CUdeviceptr p, byte value, long count) {
        queue("memset " + count + " B", () -> memory(p, count).fill(value));
    }

    @Override
    public void memsetD32Async(CUdeviceptr p, int value, long count) {
        queue("memset " + count + " words", () -> {
            MemorySegment m = memory(p, 4 * count);
            for (long i = 0; i < count; i++) {
                m.setAtIndex(JAVA_INT, i, value);
            }
        });
    }

    @Override
    public boolean hasKernel(String name) {
        return kernels.containsKey(name) || handle(name).address() != 0;
    }

    /** The emulator's handle of a kernel; NULL when it has none of that name. */
    private MemorySegment handle(String name) {
        try (Arena a = Arena.ofConfined()) {
            return (MemorySegment) function.invokeExact(a.allocateFrom(name));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void launch(String kernel, int gx, int gy, int gz, int block, int sharedBytes, Object... args) {
        MemorySegment f = kernels.computeIfAbsent(kernel, name -> {
            MemorySegment handle = handle(name);
            if (handle.address() == 0) {
                throw new IllegalStateException("CUDA kernel '" + name + "' is not in the shipped kernel modules");
            }
            return handle;
        });
        for (Object a : args) {
            if (a instanceof CUdeviceptr p) {
                checkOwn(kernel, p);
            }
        }
        Object[] values = args.clone();
        for (int i = 0; i < values.length; i++) {
            if (values[i] instanceof int[] v) {
                values[i] = v.clone(); // the graph keeps the values of capture time, as the driver does
            }
        }
        queue(kernel + " <<<" + gx + ", " + block + ", " + sharedBytes + ">>>", () -> {
            int rc = launcher.launch(f, gx, gy, gz, block, sharedBytes, MemorySegment.NULL, kernel, values);
            if (rc != 0) {
                String error;
                try {
                    error = ((MemorySegment) lastError.invokeExact()).reinterpret(4096).getString(0);
                } catch (Throwable t) {
                    throw new IllegalStateException(t);
                }
                throw new CudaException("CUDA_ERROR_LAUNCH_FAILED (emulator): " + error);
            }
        });
    }

    /** Refuses memory another emulated device allocated (a GPU without peer access would fault on it). */
    private void checkOwn(String what, CUdeviceptr p) {
        long a = address(p);
        Map.Entry<Long, long[]> e = OWNERS.floorEntry(a);
        if (e != null && a < e.getValue()[0] && e.getValue()[1] != ordinal) {
            throw new CudaException("CUDA_ERROR_ILLEGAL_ADDRESS (emulator): " + what + " on cuda:" + ordinal
                    + " was given memory of cuda:" + e.getValue()[1]);
        }
    }

    @Override
    public String launchPath() {
        return "the emulator's cuLaunchKernel twin, called through the FFM API";
    }

    /** {@code ember.cuda.emulator.poison} (true unless set to false): see {@link Driver#poisonsUninitialized}. */
    @Override
    public boolean poisonsUninitialized() {
        return !"false".equals(System.getProperty("ember.cuda.emulator.poison"));
    }

    @Override
    public void synchronize() {
        refuseWhileRecording("cuStreamSynchronize");
    }

    @Override
    public synchronized void beginCapture() {
        if (recording != null) {
            throw new CudaException("CUDA_ERROR_ILLEGAL_STATE: the stream is already capturing");
        }
        recording = new ArrayList<>();
    }

    @Override
    public synchronized Object endCapture() {
        if (recording == null) {
            throw new CudaException("CUDA_ERROR_ILLEGAL_STATE: the stream is not capturing");
        }
        List<Runnable> graph = List.copyOf(recording);
        recording = null;
        return graph;
    }

    @Override
    public void replay(Object graph) {
        refuseWhileRecording("cuGraphLaunch");
        for (Object work : (List<?>) graph) {
            ((Runnable) work).run();
        }
    }

    /** An event is the time it was recorded at: launches run when they are queued, so that is when they ended. */
    @Override
    public Object createEvent() {
        return new long[1];
    }

    @Override
    public void recordEvent(Object event) {
        refuseWhileRecording("event record");
        ((long[]) event)[0] = System.nanoTime();
    }

    @Override
    public float elapsedMs(Object start, Object end) {
        return (((long[]) end)[0] - ((long[]) start)[0]) / 1e6f;
    }

    @Override
    public void destroyEvent(Object event) {
    }

    @Override
    public void destroy(Object graph) {
    }
}
