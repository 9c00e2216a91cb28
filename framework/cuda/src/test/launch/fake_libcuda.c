// A stand-in for libcuda.so.1 with the one entry point tools/launch_overhead.sh times: cuLaunchKernel, returning
// success at once after reading its first argument (so the call cannot be optimised away). JCuda's native library
// links against libcuda.so.1, so this also lets JCuda load on a machine without a GPU; any other driver call
// would fail to resolve, and the benchmark makes none.
typedef int CUresult;

volatile int ember_fake_sink;

CUresult cuLaunchKernel(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned shared, void* stream, void** params, void** extra) {
    (void) f, (void) gx, (void) gy, (void) gz, (void) bx, (void) by, (void) bz, (void) shared, (void) stream;
    (void) extra;
    ember_fake_sink = params ? *(int*) params[0] : 0;
    return 0;
}
