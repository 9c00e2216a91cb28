package dev.ember.cuda;

import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.CudaException;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUmodule;

/**
 * Ember's own kernels, compiled ahead of time from {@code src/main/cuda} (see its build.sh) and shipped as
 * resources: for each source file a fatbin (SASS for sm_80 and sm_90, plus PTX) and the PTX alone. The fatbin is
 * tried first; a GPU it has no SASS for JIT-compiles its PTX, and if the fatbin is refused the plain PTX is
 * loaded. Functions are looked up by their {@code extern "C"} names (ABI.md) and cached.
 */
final class Kernels {
    static final String[] MODULES = {"elementwise", "reduce", "index", "random", "gemm", "fused", "lstm"};
    private static final String DIR = "/dev/ember/cuda/kernels/";

    private final CudaRuntime runtime;
    private final List<CUmodule> modules = new ArrayList<>();
    private final Map<String, CUfunction> functions = new ConcurrentHashMap<>();
    private final Map<CUfunction, Integer> sharedLimits = new ConcurrentHashMap<>();

    Kernels(CudaRuntime runtime) {
        this.runtime = runtime;
        List<String> missing = new ArrayList<>();
        for (String name : MODULES) {
            CUmodule m = load(name);
            if (m == null) {
                missing.add(name);
            } else {
                modules.add(m);
            }
        }
        if (modules.isEmpty()) {
            throw new IllegalStateException("no kernel module could be loaded from the resources " + DIR
                    + " (missing or refused: " + missing + ")");
        }
    }

    private static CUmodule load(String name) {
        byte[] fatbin = resource(name + ".fatbin", false);
        if (fatbin != null) {
            try {
                CUmodule m = new CUmodule();
                cuModuleLoadData(m, fatbin);
                return m;
            } catch (CudaException e) {
                // fall through to the PTX, which the driver compiles for whatever GPU this is
            }
        }
        byte[] ptx = resource(name + ".ptx", true);
        if (ptx == null) {
            return null;
        }
        CUmodule m = new CUmodule();
        cuModuleLoadData(m, ptx);
        return m;
    }

    /** The resource's bytes (NUL-terminated for PTX text, as the driver expects), or null. */
    private static byte[] resource(String file, boolean terminate) {
        try (InputStream in = Kernels.class.getResourceAsStream(DIR + file)) {
            if (in == null) {
                return null;
            }
            byte[] b = in.readAllBytes();
            return terminate ? java.util.Arrays.copyOf(b, b.length + 1) : b;
        } catch (IOException e) {
            return null;
        }
    }

    CUfunction function(String name) {
        CUfunction f = functions.get(name);
        if (f != null) {
            return f;
        }
        for (CUmodule m : modules) {
            try {
                CUfunction candidate = new CUfunction();
                cuModuleGetFunction(candidate, m, name);
                functions.put(name, candidate);
                return candidate;
            } catch (CudaException e) {
                // not in this module
            }
        }
        throw new IllegalStateException("CUDA kernel '" + name + "' is not in the shipped kernel modules");
    }

    /** 1-D launch with 256-thread blocks covering {@code n} elements (grid-stride kernels, at most 65535 blocks). */
    void launch1d(String name, int n, Object... args) {
        int grid = (int) Math.max(1, Math.min(65535, (n + 255L) / 256));
        launch(name, grid, 1, 1, 256, 0, args);
    }

    /**
     * Launches {@code name} on the runtime's stream. Arguments: Integer, Long, Double, int[] (a Desc or any
     * by-value struct of ints), CUdeviceptr, or null for a null device pointer.
     */
    void launch(String name, int gx, int gy, int gz, int block, int sharedBytes, Object... args) {
        CUfunction f = function(name);
        if (sharedBytes > 48 * 1024 && !Integer.valueOf(sharedBytes).equals(sharedLimits.get(f))) {
            cuFuncSetAttribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, sharedBytes);
            sharedLimits.put(f, sharedBytes);
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
                default -> throw new IllegalArgumentException("kernel " + name + ": unsupported argument type "
                        + args[i].getClass().getName());
            };
        }
        cuLaunchKernel(f, gx, gy, gz, block, 1, 1, sharedBytes, runtime.stream, Pointer.to(params), null);
    }
}
