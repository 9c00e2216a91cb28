// The CPU emulator's runtime: runs the host-compiled kernels of ember-cuda (see emu.h) with CUDA's execution
// model, for dev.ember.cuda.EmulatedDriver, which calls the C functions at the end of this file through the
// Java FFM API.
//
// - A launch is synchronous: emu_launch returns when every block has run (a stream's order is kept trivially).
// - Blocks run on a pool of worker threads, as many as the emulated multiprocessors; a worker takes the next block
//   when it has finished one. A grid no larger than the pool is therefore wholly resident, which is what the
//   LSTM kernels' grid barrier relies on (the host caps those grids at the multiprocessor count).
// - Within a block, each CUDA thread is a fiber on the worker's thread with a 64 KiB stack of its own. Warps run
//   one at a time, each to its next __syncthreads (its lanes in turn until they block, the order flipping at each
//   step); a warp exchange releases when every live lane of the warp waits there, __syncthreads when every live
//   thread of the block does. A block whose live threads wait at different barriers can never go on; the launch
//   then fails with a message (a real GPU would hang or misbehave).
// - cp.async copies land when a cp.async.wait_group retires them, and dynamic shared memory starts as 0xFF bytes.
#include <sys/mman.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "emu.h"
#include "emu_register.h"

namespace ember_emu {

thread_local Thread* current;
thread_local Block* block;

namespace {

constexpr size_t STACK = 64 * 1024;  // per fiber, the lowest page of it a guard page
constexpr size_t GUARD = 4096;
constexpr size_t MAX_THREADS = 1024;
constexpr size_t MAX_DYNAMIC_SMEM = 227 * 1024;

// Shared memory of the block the worker runs, the dynamic part: the launch's bytes (in 128-byte granules) at the end
// of a per-worker region that an inaccessible guard page follows, so that a kernel reading or writing past the
// dynamic shared memory it was launched with crashes at once, as a GPU would fault, instead of reading what a
// bigger buffer held. 32-bit shared addresses (cvta.to.shared) count from DYNAMIC_AT bytes before it, so that
// dynamic shared memory has small addresses, as on a GPU (a wgmma descriptor holds 18 bits of one), but is not
// 1024-aligned: a kernel that needs an aligned base must align it. Static __shared__ variables are in this
// library's TLS block, at whatever address that gives them; their 32-bit addresses are their distance from the
// same origin, so the region is mapped near the TLS block (map_near_tls).
constexpr size_t REGION = (MAX_DYNAMIC_SMEM + 4095) / 4096 * 4096;
thread_local unsigned char* dynamic_region;  // REGION bytes, then the guard page
thread_local unsigned char* dynamic_shared;  // the launch's dynamic shared memory, ending at the guard
thread_local unsigned char tls_anchor;       // in this library's TLS block, beside the static __shared__ variables
constexpr int DYNAMIC_AT = 128;

// `bytes` mapped within 1.875 GiB of this thread's TLS block, so that the distance from the dynamic region to any
// static __shared__ variable fits the 32 bits of a shared address. An mmap left to the kernel had once put them on
// either side of a JVM's 32 GiB heap reservation: the truncated addresses of the small GEMM's cp.async copies then
// pointed into the heap, and a test JVM died at random (-Xmx32g, the GPU check's setting).
void* map_near_tls(size_t bytes) {
    const uintptr_t anchor = reinterpret_cast<uintptr_t>(&tls_anchor) & ~(uintptr_t) 0xFFFFF;
    for (uintptr_t k = 1; k <= 480; k++) {  // 4 MiB steps out to 1.875 GiB on either side
        for (uintptr_t hint : {anchor - k * (4u << 20), anchor + k * (4u << 20)}) {
            void* m = mmap(reinterpret_cast<void*>(hint), bytes, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
            if (m == reinterpret_cast<void*>(hint)) {
                return m;
            }
            if (m != MAP_FAILED) {
                munmap(m, bytes);  // a kernel without MAP_FIXED_NOREPLACE took the hint as a hint
            }
        }
    }
    return MAP_FAILED;
}

void place_dynamic_shared(size_t bytes) {
    if (dynamic_region == nullptr) {
        void* m = map_near_tls(REGION + 4096);
        if (m == MAP_FAILED || mprotect((char*) m + REGION, 4096, PROT_NONE) != 0) {
            std::perror("ember emulator: shared memory near the TLS block");
            std::abort();
        }
        dynamic_region = (unsigned char*) m;
    }
    dynamic_shared = dynamic_region + REGION - (bytes + 127) / 128 * 128;
}

enum State { READY, WAIT_BLOCK, WAIT_WARP, DONE };

// A cp.async copy in flight: its source bytes (read at issue; zeros past `bytes`), written to shared memory only
// when a cp.async.wait_group retires its group, as late as the PTX ISA allows.
struct Copy {
    unsigned char* dst;
    unsigned char data[16];
    int size;
    int group;  // the commit group it belongs to (the count of commits before it)
};

// A wgmma in flight: it runs when a wgmma.wait_group retires its group.
struct Mma {
    float* d;
    int n;
    uint64_t a, b;
    bool bf16;
    int group;
};

struct Fiber {
    void* sp;
    Thread thread;
    State state;
    std::vector<Copy> copies;
    int commits;
    std::vector<Mma> mmas;
    int mma_commits;
};

// switch_to(&save, next): saves the callee-saved registers and the FP control words on the current stack, stores
// the stack pointer in save, and resumes the context whose stack pointer is next (x86-64 System V).
extern "C" void ember_emu_switch(void** save, void* next);
asm(R"(
    .text
    .p2align 4
    .type ember_emu_switch,@function
ember_emu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size ember_emu_switch, .-ember_emu_switch
)");

struct Launch {
    Thunk thunk;
    void** args;
    dim3 grid;
    dim3 dim;
    size_t smem;
    std::atomic<long> next{0};
    std::atomic<bool> failed{false};
    std::mutex error_lock;
    std::string error;

    void fail(const std::string& why) {
        std::lock_guard<std::mutex> g(error_lock);
        if (!failed.exchange(true)) {
            error = why;
        }
    }
};

struct Worker {
    std::vector<Fiber> fibers;
    char* stacks = nullptr;
    unsigned guarded = 0;  // fibers whose stack has its guard page yet
    void* scheduler_sp = nullptr;
    Fiber* running = nullptr;
    Launch* launch = nullptr;
    Block blk{};
    bool early = false;  // the block's cp.async copies land at issue (odd blocks), else at their wait
    std::vector<unsigned char> deposits;  // per warp: 32 lanes x SLOT bytes
    std::vector<unsigned char> results;   // the same, copied out when the warp is released

    Worker() : fibers(MAX_THREADS), deposits(MAX_THREADS * SLOT), results(MAX_THREADS * SLOT) {
        stacks = (char*) mmap(nullptr, MAX_THREADS * STACK, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (stacks == MAP_FAILED) {
            std::perror("ember emulator: fiber stacks");
            std::abort();
        }
    }

    // A fiber that outgrows its stack faults at once instead of overwriting its neighbour's. Guards are added as
    // blocks first need the fibers: each splits the mapping in two, and guarding all 1024 up front took 2048 of
    // the kernel's 65530 mappings per worker, too many for 32 workers.
    void guard(unsigned n) {
        for (; guarded < n; guarded++) {
            mprotect(stacks + (size_t) guarded * STACK, GUARD, PROT_NONE);
        }
    }

    void run_block(long linear_block);
    void run_warp(unsigned w, bool reverse);
};

thread_local Worker* worker;

void fiber_main() {
    Worker* w = worker;
    w->launch->thunk(w->launch->args);
    w->running->state = DONE;
    ember_emu_switch(&w->running->sp, w->scheduler_sp);
    std::abort();  // a finished fiber is never resumed
}

void* initial_stack(char* stack) {
    auto* sp = (uint64_t*) (stack + STACK);
    *--sp = 0;                             // fiber_main's return address slot: it never returns
    *--sp = (uint64_t) (void*) fiber_main;  // popped by ret
    for (int i = 0; i < 6; i++) {
        *--sp = 0;  // rbp rbx r12-r15
    }
    --sp;
    uint32_t mxcsr;
    uint16_t fpucw;
    asm volatile("stmxcsr %0" : "=m"(mxcsr));
    asm volatile("fnstcw %0" : "=m"(fpucw));
    std::memcpy(sp, &mxcsr, 4);
    std::memcpy((char*) sp + 4, &fpucw, 2);
    return sp;
}

void Worker::run_block(long b) {
    const dim3 g = launch->grid;
    blk.grid = g;
    blk.dim = launch->dim;
    blk.idx = {(unsigned) (b % g.x), (unsigned) (b / g.x % g.y), (unsigned) (b / ((long) g.x * g.y))};
    block = &blk;
    early = (b & 1) != 0;
    const unsigned n = blk.dim.x * blk.dim.y * blk.dim.z;
    guard(n);
    for (unsigned i = 0; i < n; i++) {
        Fiber& f = fibers[i];
        f.thread.linear = i;
        f.thread.tid = {i % blk.dim.x, i / blk.dim.x % blk.dim.y, i / (blk.dim.x * blk.dim.y)};
        f.state = READY;
        f.sp = initial_stack(stacks + (size_t) i * STACK);
        f.copies.clear();
        f.commits = 0;
        f.mmas.clear();
        f.mma_commits = 0;
    }
    // Dynamic shared memory starts as NaN bytes, as device memory does: a stage read before its copies landed
    // (a missing cp.async wait) gives NaNs, not the previous block's tile.
    place_dynamic_shared(launch->smem);
    if (launch->smem > 0) {
        std::memset(dynamic_shared, 0xFF, launch->smem);
    }
    const unsigned warps = (n + 31) / 32;
    // Warps run one after the other, each as far as it can go (to its next __syncthreads, or its end); the warp
    // order flips at every barrier and starts the other way round in odd blocks, and within a warp the lanes'
    // order flips at every step. A kernel that relies on another warp (or lane) having run first - a missing
    // barrier, a missing cp.async wait - then reads what is not there yet in some block.
    bool reverse = (b & 1) != 0;
    for (;; reverse = !reverse) {
        for (unsigned j = 0; j < warps; j++) {
            run_warp(reverse ? warps - 1 - j : j, reverse);
        }
        unsigned done = 0, at_block = 0;
        for (unsigned i = 0; i < n; i++) {
            done += fibers[i].state == DONE;
            at_block += fibers[i].state == WAIT_BLOCK;
        }
        if (done == n) {
            return;
        }
        if (at_block + done == n) {
            for (unsigned i = 0; i < n; i++) {
                if (fibers[i].state == WAIT_BLOCK) {
                    fibers[i].state = READY;
                }
            }
            continue;
        }
        char buf[200];
        std::snprintf(buf, sizeof buf,
                      "block (%u,%u,%u): its live threads wait at different barriers (%u at __syncthreads, %u at a "
                      "warp collective, %u done of %u): the kernel would hang on a GPU",
                      blk.idx.x, blk.idx.y, blk.idx.z, at_block, n - done - at_block, done, n);
        launch->fail(buf);
        return;
    }
}

// Runs warp w's ready lanes, and again whenever all its live lanes meet at a warp collective, until they are
// at __syncthreads, done, or apart (some at a collective, some not: the block check above reports that).
void Worker::run_warp(unsigned w, bool reverse) {
    const unsigned n = blk.dim.x * blk.dim.y * blk.dim.z;
    const unsigned lo = w * 32, hi = std::min(n, lo + 32);
    for (;; reverse = !reverse) {
        for (unsigned j = lo; j < hi; j++) {
            Fiber& f = fibers[reverse ? hi - 1 - (j - lo) : j];
            if (f.state == READY) {
                running = &f;
                current = &f.thread;
                ember_emu_switch(&scheduler_sp, f.sp);
            }
        }
        bool any = false, all = true;
        for (unsigned i = lo; i < hi; i++) {
            if (fibers[i].state != DONE) {
                any = true;
                all &= fibers[i].state == WAIT_WARP;
            }
        }
        if (!any || !all) {
            return;
        }
        std::memcpy(&results[(size_t) lo * SLOT], &deposits[(size_t) lo * SLOT], 32 * SLOT);
        for (unsigned i = lo; i < hi; i++) {
            if (fibers[i].state == WAIT_WARP) {
                fibers[i].state = READY;
            }
        }
    }
}

void block_wait(State s) {
    Worker* w = worker;
    Fiber* f = w->running;
    f->state = s;
    ember_emu_switch(&f->sp, w->scheduler_sp);
    current = &f->thread;
}

// The worker pool: started by ember_emu_init, one launch at a time (the caller holds launch_lock). Never
// destroyed: the workers wait on its condition variables for the life of the process, and destroying a condition
// variable with waiters at exit would hang the JVM's exit.
struct Pool {
    std::mutex launch_lock;
    std::mutex lock;
    std::condition_variable wake;
    std::condition_variable done;
    Launch* pending = nullptr;
    long generation = 0;
    int busy = 0;
    int size = 0;
};
Pool& pool = *new Pool();

void worker_loop() {
    worker = new Worker();
    long seen = 0;
    for (;;) {
        Launch* l;
        {
            std::unique_lock<std::mutex> g(pool.lock);
            pool.wake.wait(g, [&] { return pool.generation != seen; });
            seen = pool.generation;
            l = pool.pending;
        }
        worker->launch = l;
        const long blocks = (long) l->grid.x * l->grid.y * l->grid.z;
        for (long b; !l->failed.load() && (b = l->next.fetch_add(1)) < blocks;) {
            worker->run_block(b);
        }
        std::lock_guard<std::mutex> g(pool.lock);
        if (--pool.busy == 0) {
            pool.done.notify_all();
        }
    }
}

}  // namespace

void syncthreads() { block_wait(WAIT_BLOCK); }

const unsigned char* exchange(const void* mine, int bytes) {
    Worker* w = worker;
    const unsigned linear = w->running->thread.linear;
    std::memcpy(&w->deposits[(size_t) linear * SLOT], mine, (size_t) bytes);
    block_wait(WAIT_WARP);
    return &w->results[(size_t) (linear & ~31u) * SLOT];
}

void* dynamic_smem() { return dynamic_shared; }

unsigned shared_address(const void* p) {
    const long long d = (const unsigned char*) p - dynamic_shared + DYNAMIC_AT;
    if (d != (int) d) {  // map_near_tls keeps static __shared__ variables near: never, unless that breaks
        std::fprintf(stderr, "ember emulator: shared variable %p is %lld bytes from the dynamic region\n", p, d);
        std::abort();
    }
    return (unsigned) (int) d;
}

void* shared_pointer(unsigned address) { return dynamic_shared + ((int) address - DYNAMIC_AT); }

void spin_hint() { std::this_thread::yield(); }

// ---------------------------------------------------------------- gemm.cuh's inline PTX

// In even blocks a copy lands when the wait that retires its group comes, as late as the PTX ISA allows (a stage
// read too early holds NaNs); in odd blocks at once, as early as it may (a stage refilled while an asynchronous
// wgmma may still read it feeds that wgmma the next tile).
void cp_async(unsigned dst, const void* src, int size, int bytes) {
    if ((reinterpret_cast<uintptr_t>(src) | dst) % (unsigned) size != 0) {  // the GPU faults on these
        char buf[160];
        std::snprintf(buf, sizeof buf, "cp.async of %d bytes from %p to shared %u: both must be %d-byte aligned",
                      size, src, dst, size);
        worker->launch->fail(buf);
        return;
    }
    Fiber* f = worker->running;
    Copy c{(unsigned char*) shared_pointer(dst), {}, size, f->commits};
    std::memcpy(c.data, src, (size_t) bytes);
    std::memset(c.data + bytes, 0, (size_t) (size - bytes));
    if (worker->early) {
        std::memcpy(c.dst, c.data, (size_t) size);
    } else {
        f->copies.push_back(c);
    }
}

void cp_async_commit() { worker->running->commits++; }

namespace {

// What a wait_group n does to a thread's asynchronous operations (cp.async copies, wgmmas): those of every
// committed group but the newest n complete, in issue order (done); the others, uncommitted ones too, stay.
template <typename T, typename F>
void retire(std::vector<T>& in_flight, int commits, int n, F done) {
    size_t kept = 0;
    for (T& e : in_flight) {
        if (e.group < commits - n) {
            done(e);
        } else {
            in_flight[kept++] = e;
        }
    }
    in_flight.resize(kept);
}

}  // namespace

void cp_async_wait(int n) {
    Fiber* f = worker->running;
    retire(f->copies, f->commits, n, [](Copy& c) { std::memcpy(c.dst, c.data, (size_t) c.size); });
}

void ldmatrix_x4(unsigned addr, unsigned& r0, unsigned& r1, unsigned& r2, unsigned& r3) {
    const unsigned char* all = exchange(&addr, 4);
    auto row = [&](int l) {  // lane l gives the address of row l % 8 of matrix l / 8: 8 b16 elements
        unsigned a;
        std::memcpy(&a, all + (size_t) l * SLOT, 4);
        return (const uint16_t*) shared_pointer(a);
    };
    const int l = lane(), g = l / 4, t = l % 4;
    unsigned r[4];
    for (int i = 0; i < 4; i++) {  // elements (g, 2t) and (g, 2t + 1) of matrix i
        r[i] = row(8 * i + g)[2 * t] | (unsigned) row(8 * i + g)[2 * t + 1] << 16;
    }
    r0 = r[0];
    r1 = r[1];
    r2 = r[2];
    r3 = r[3];
}

namespace {

struct Fragments {
    unsigned a[4];
    unsigned b[2];
};

float word(const unsigned char* all, int lane, int reg) {
    unsigned u;
    std::memcpy(&u, all + (size_t) lane * SLOT + 4 * reg, 4);
    return __uint_as_float(u);
}

float half(const unsigned char* all, int lane, int reg, int hi) {
    unsigned u;
    std::memcpy(&u, all + (size_t) lane * SLOT + 4 * reg, 4);
    return __uint_as_float((hi ? u >> 16 : u & 0xffffu) << 16);
}

// d = c + a b over the K of the shape; each lane owns d at rows g, g + 8 and columns 2t, 2t + 1.
template <int K, typename A, typename B>
void mma(float c[4], A a, B b) {
    const int l = lane(), g = l / 4, t = l % 4;
    for (int r = 0; r < 4; r++) {
        const int row = g + 8 * (r >> 1), col = 2 * t + (r & 1);
        double acc = c[r];
        for (int k = 0; k < K; k++) {
            acc += (double) a(row, k) * b(k, col);
        }
        c[r] = (float) acc;
    }
}

}  // namespace

void mma_tf32(float c[4], const unsigned a[4], unsigned b0, unsigned b1) {
    Fragments f{{a[0], a[1], a[2], a[3]}, {b0, b1}};
    const unsigned char* all = exchange(&f, sizeof f);
    // A 16x8: a0 (g, t), a1 (g + 8, t), a2 (g, t + 4), a3 (g + 8, t + 4); B 8x8: b0 (t, g), b1 (t + 4, g)
    mma<8>(
        c, [&](int row, int k) { return word(all, (row % 8) * 4 + k % 4, (row >= 8) + 2 * (k >= 4)); },
        [&](int k, int n) { return word(all, n * 4 + k % 4, 4 + (k >= 4)); });
}

void mma_bf16(float c[4], const unsigned a[4], unsigned b0, unsigned b1) {
    Fragments f{{a[0], a[1], a[2], a[3]}, {b0, b1}};
    const unsigned char* all = exchange(&f, sizeof f);
    // A 16x16: a0 (g, 2t..2t+1), a1 (g + 8, ..), a2 (g, 2t+8..2t+9), a3 (g + 8, ..); B 16x8: b0 (2t..2t+1, g),
    // b1 (2t+8..2t+9, g); the lower k of a pair in the low half
    mma<16>(
        c, [&](int row, int k) { return half(all, (row % 8) * 4 + (k % 8) / 2, (row >= 8) + 2 * (k >= 8), k & 1); },
        [&](int k, int n) { return half(all, n * 4 + (k % 8) / 2, 4 + (k >= 8), k & 1); });
}

// ---------------------------------------------------------------- gemm_sm90.cu's warpgroup MMA

namespace {

// Element (r, k) of a K-major operand in the 128-byte swizzle, found as the hardware finds it: rows of 128 bytes
// from the start address, in groups of 8 a stride byte offset apart, and address bits 4-6 (the 16-byte chunk)
// XOR-ed with bits 7-9 (the row within its 1024-byte pattern).
float operand(uint64_t desc, int r, int k, bool bf16) {
    const unsigned start = (unsigned) (desc & 0x3FFF) << 4;
    const unsigned sbo = (unsigned) ((desc >> 32) & 0x3FFF) << 4;
    const unsigned linear = start + (unsigned) (r / 8) * sbo + (unsigned) (r % 8) * 128 + (unsigned) k * (bf16 ? 2 : 4);
    const void* p = shared_pointer(linear ^ (((linear >> 7) & 7) << 4));
    if (bf16) {
        uint16_t h;
        std::memcpy(&h, p, 2);
        return __uint_as_float((unsigned) h << 16);
    }
    unsigned u;
    std::memcpy(&u, p, 4);
    return __uint_as_float(u & 0xffffe000u);
}

// This thread's part of one wgmma: accumulator 4i + j at row 16 (warp % 4) + lane / 4 + 8 (j / 2) of the 64,
// column 8i + 2 (lane % 4) + j % 2.
void run_mma(const Mma& m) {
    const unsigned linear = worker->running->thread.linear;
    const int w = (int) (linear >> 5) & 3, g = (int) (linear & 31) >> 2, t = (int) linear & 3;
    const int K = m.bf16 ? 16 : 8;
    float a[2][16], b[2][16];  // the thread's two rows of A; two columns of B at a time
    for (int h = 0; h < 2; h++) {
        for (int k = 0; k < K; k++) {
            a[h][k] = operand(m.a, 16 * w + g + 8 * h, k, m.bf16);
        }
    }
    for (int i = 0; i < m.n / 8; i++) {
        for (int e = 0; e < 2; e++) {
            for (int k = 0; k < K; k++) {
                b[e][k] = operand(m.b, 8 * i + 2 * t + e, k, m.bf16);
            }
        }
        for (int j = 0; j < 4; j++) {
            double acc = m.d[4 * i + j];
            for (int k = 0; k < K; k++) {
                acc += (double) a[j >> 1][k] * b[j & 1][k];
            }
            m.d[4 * i + j] = (float) acc;
        }
    }
}

}  // namespace

void wgmma(float* d, int n, uint64_t a, uint64_t b, bool bf16) {
    // .sync.aligned: every lane of the warp issues it, with the same descriptors
    const uint64_t mine[2] = {a, b};
    const unsigned char* all = exchange(mine, sizeof mine);
    for (int l = 1; l < 32; l++) {
        if (std::memcmp(all + (size_t) l * SLOT, all, sizeof mine) != 0) {
            worker->launch->fail("wgmma: the lanes of a warp gave different descriptors");
            return;
        }
    }
    for (uint64_t desc : mine) {
        if ((desc >> 62) != 1 || ((desc >> 49) & 7) != 0) {
            char buf[160];
            std::snprintf(buf, sizeof buf,
                          "wgmma: descriptor %016llx is not the 128-byte swizzle with base offset 0 (the one layout "
                          "the emulator knows)",
                          (unsigned long long) desc);
            worker->launch->fail(buf);
            return;
        }
    }
    Fiber* f = worker->running;
    f->mmas.push_back({d, n, a, b, bf16, f->mma_commits});
}

void wgmma_commit() { worker->running->mma_commits++; }

void wgmma_wait(int n) {
    Fiber* f = worker->running;
    retire(f->mmas, f->mma_commits, n, run_mma);
}

unsigned to_tf32(float x) {  // cvt.rna: to 10 mantissa bits, ties away from zero
    unsigned u = __float_as_uint(x);
    if ((u & 0x7f800000u) == 0x7f800000u) {
        return u;
    }
    return (u + 0x1000u) & 0xffffe000u;
}

static unsigned bf16_rn(float x) {
    unsigned u = __float_as_uint(x);
    if (std::isnan(x)) {
        return 0x7fc0u;
    }
    return (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
}

unsigned pack_bf16(float lo, float hi) { return bf16_rn(lo) | bf16_rn(hi) << 16; }

Registrar::Registrar(const char* name, Thunk thunk) { kernels()[name] = thunk; }

std::map<std::string, Thunk>& kernels() {
    static auto* m = new std::map<std::string, Thunk>();  // never destroyed: see Pool
    return *m;
}

}  // namespace ember_emu

using namespace ember_emu;

extern "C" {

// Starts `multiprocessors` workers (once; later calls return the first count).
int ember_emu_init(int multiprocessors) {
    std::lock_guard<std::mutex> g(pool.launch_lock);
    if (pool.size == 0) {
        pool.size = multiprocessors;
        for (int i = 0; i < multiprocessors; i++) {
            std::thread(worker_loop).detach();
        }
    }
    return pool.size;
}

// The handle of kernel `name` (its entry in the kernel table, which never moves), or null when there is none.
void* ember_emu_function(const char* name) {
    auto it = kernels().find(name);
    return it == kernels().end() ? nullptr : (void*) &*it;
}

// ember_emu_malloc's mappings: the address it returned -> {mapping, length}.
static std::mutex mappings_lock;
static std::map<void*, std::pair<char*, size_t>> mappings;

// Why the calling thread's last launch failed.
thread_local std::string last_error;

const char* ember_emu_last_error() { return last_error.c_str(); }

// cuLaunchKernel's signature, so that the Java side reaches the emulator as it reaches the driver
// (dev.ember.cuda.KernelLauncher): runs kernel `f` (from ember_emu_function) over the grid, with the arguments in
// kernelParams; the stream and `extra` are unused. 0, or 1 with the reason in ember_emu_last_error.
int ember_emu_launch(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                     unsigned smem, void* stream, void** params, void** extra) {
    (void) stream;
    (void) extra;
    auto* kernel = (std::pair<const std::string, Thunk>*) f;
    auto fail = [&](const std::string& why) {
        last_error = (kernel ? kernel->first : std::string("(null kernel)")) + ": " + why;
        return 1;
    };
    if (kernel == nullptr) {
        return fail("no such kernel");
    }
    if ((long) bx * by * bz > (long) MAX_THREADS || bx < 1 || by < 1 || bz < 1) {
        return fail("block of " + std::to_string((long) bx * by * bz) + " threads (1 to 1024)");
    }
    if (gx < 1 || gy < 1 || gz < 1 || gx > 0x7fffffffu || gy > 65535 || gz > 65535) {
        return fail("bad grid");
    }
    if ((size_t) smem > MAX_DYNAMIC_SMEM) {
        return fail("dynamic shared memory of " + std::to_string(smem) + " bytes (at most 227 KiB)");
    }
    std::lock_guard<std::mutex> serial(pool.launch_lock);
    if (pool.size == 0) {
        return fail("ember_emu_init was not called");
    }
    Launch l;
    l.thunk = kernel->second;
    l.args = params;
    l.grid = {gx, gy, gz};
    l.dim = {bx, by, bz};
    l.smem = (size_t) smem;
    {
        std::unique_lock<std::mutex> g(pool.lock);
        pool.pending = &l;
        pool.busy = pool.size;
        pool.generation++;
        pool.wake.notify_all();
        pool.done.wait(g, [] { return pool.busy == 0; });
    }
    return l.failed ? fail(l.error) : 0;
}

// Device memory: every allocation gets its own mapping between two inaccessible guard pages, its end (256-byte
// granules, the driver's alignment) at the second one, so that a kernel reading or writing past the end of an
// allocation faults at once, where a GPU would raise an illegal address, instead of touching a neighbour.
void* ember_emu_malloc(long bytes) {
    const size_t page = 4096, used = (size_t) (bytes + 255) / 256 * 256, data = (used + page - 1) / page * page;
    void* m = mmap(nullptr, data + 2 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
        return nullptr;
    }
    char* base = (char*) m;
    if (mprotect(base + page, data, PROT_READ | PROT_WRITE) != 0) {
        munmap(base, data + 2 * page);
        return nullptr;
    }
    char* p = base + page + (data - used);
    std::lock_guard<std::mutex> g(mappings_lock);
    mappings[p] = {base, data + 2 * page};
    return p;
}

void ember_emu_free(void* p) {
    std::pair<char*, size_t> m;
    {
        std::lock_guard<std::mutex> g(mappings_lock);
        auto it = mappings.find(p);
        if (it == mappings.end()) {  // a double free, or a pointer the emulator never returned: a host-side bug
            std::fprintf(stderr, "ember emulator: free of %p, which is not a live allocation\n", p);
            std::abort();
        }
        m = it->second;
        mappings.erase(it);
    }
    munmap(m.first, m.second);
}

}  // extern "C"
