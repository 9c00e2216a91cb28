#!/usr/bin/env bash
# Regenerates ember-cuda's kernel binaries from the CUDA sources in this folder.
#
# For every X.cu here (elementwise, reduce, index, random, gemm, fused, ...) it writes
#   ../resources/dev/ember/cuda/kernels/X.ptx     PTX for compute_80, which the driver JIT-compiles for any newer GPU
#   ../resources/dev/ember/cuda/kernels/X.fatbin  SASS for sm_80 (A100) and sm_90 (H100) plus that PTX, compressed
# except for X_sm90.cu (Hopper's wgmma, which exists on no other architecture): PTX for compute_90a and a fatbin
# with SASS for sm_90a plus that PTX, which only a compute capability 9.0 GPU loads.
# and the ptxas resource report of the sm_90 code (registers, stack, spills, shared memory of every kernel) into
# resource-usage.txt next to this script, so reviewers see spills without a toolkit; with the SHA-256 of the sources
# and the binaries' sizes, which KernelResourceTest checks against the tree (no spills, binaries current).
#
# The outputs are committed: the Maven build only copies them into the jar and never needs nvcc, and at run time
# the JCuda driver API loads them (dev.ember.cuda.Kernels), so users need a driver but no CUDA toolkit. Run this
# script after changing any .cu or .cuh file here, and commit the sources and outputs together.
#
# No --use_fast_math: the kernels are compared element by element against the CPU backend, so they need IEEE
# division and square roots and the accurate math library. The nvcc is $NVCC, else the one on PATH, else
# /usr/local/bin/nvcc.
#
# A source that fails to compile is reported and keeps its previous outputs; the others are still built, and the
# script then exits with status 1.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/../resources/dev/ember/cuda/kernels"
report="$here/resource-usage.txt"

nvcc="${NVCC:-}"
if [[ -z "$nvcc" ]]; then
    nvcc="$(command -v nvcc || true)"
fi
if [[ -z "$nvcc" && -x /usr/local/bin/nvcc ]]; then
    nvcc=/usr/local/bin/nvcc
fi
if [[ -z "$nvcc" || ! -x "$nvcc" ]]; then
    echo "build.sh: nvcc not found (set NVCC, put it on PATH, or install it as /usr/local/bin/nvcc)" >&2
    exit 1
fi

flags=(-std=c++17 -O3)
gencode=(-gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90
         -gencode arch=compute_80,code=compute_80)
gencode_sm90=(-gencode arch=compute_90a,code=sm_90a -gencode arch=compute_90a,code=compute_90a)
# compress every entry of the fatbin (the driver inflates it at load): about 5x smaller than the default
fatbin_flags=(-Xfatbin -compress-all)

mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

shopt -s nullglob
sources=("$here"/*.cu)
if (( ${#sources[@]} == 0 )); then
    echo "build.sh: no .cu files in $here" >&2
    exit 1
fi

# ptxas -v output -> one line per sm_90 kernel: name, registers, stack, spill stores/loads, shared memory
summarize() {
    awk '
        /Compiling entry function/ {
            name = $0; sub(/.*function \047/, "", name); sub(/\047.*/, "", name)
            arch = $0; sub(/.*for \047/, "", arch); sub(/\047.*/, "", arch)
            if (arch != "sm_90" && arch != "sm_90a") name = ""
            next
        }
        /bytes stack frame/ && name != "" { stack = $1; stores = $5; loads = $9; next }
        /Used [0-9]+ registers/ && name != "" {
            regs = $0; sub(/.*Used /, "", regs); sub(/ registers.*/, "", regs)
            smem = 0
            if ($0 ~ /bytes smem/) { smem = $0; sub(/ bytes smem.*/, "", smem); sub(/.*, /, "", smem) }
            printf "  %-28s %4s regs  %5s B stack  %4s/%-4s B spill st/ld  %6s B smem\n",
                   name, regs, stack, stores, loads, smem
            name = ""
        }' "$1" | sort
}

failed=()
{
    echo "# ptxas resource usage of the sm_90 (and sm_90a) code, written by build.sh (do not edit)"
    echo "# $("$nvcc" --version | tail -n 1)"
    echo "# flags: ${flags[*]}"
    # what the binaries were built from (KernelResourceTest recomputes it: a source changed without a rebuild fails)
    hash=$(cd "$here" && LC_ALL=C ls -- *.cu *.cuh | LC_ALL=C sort | xargs cat | sha256sum | cut -d' ' -f1)
    echo "# sources sha256: $hash"
} > "$tmp/report"

for src in "${sources[@]}"; do
    name="$(basename "$src" .cu)"
    echo "build.sh: $name.cu" >&2
    ptx_arch=compute_80
    codes=("${gencode[@]}")
    if [[ "$name" == *_sm90 ]]; then
        ptx_arch=compute_90a
        codes=("${gencode_sm90[@]}")
    fi
    if "$nvcc" "${flags[@]}" -ptx -arch="$ptx_arch" -o "$tmp/$name.ptx" "$src" \
        && "$nvcc" "${flags[@]}" -fatbin "${codes[@]}" "${fatbin_flags[@]}" -Xptxas -v \
            -o "$tmp/$name.fatbin" "$src" 2> "$tmp/$name.log"; then
        mv "$tmp/$name.ptx" "$tmp/$name.fatbin" "$out/"
        {
            echo
            echo "$name.cu"
            summarize "$tmp/$name.log"
        } >> "$tmp/report"
    else
        [[ -f "$tmp/$name.log" ]] && grep -v '^ptxas info' "$tmp/$name.log" >&2 || true
        echo "build.sh: FAILED to compile $name.cu; its previous outputs are kept" >&2
        failed+=("$name.cu")
        { echo; echo "$name.cu: FAILED to compile (previous outputs kept)"; } >> "$tmp/report"
    fi
done

# any ptxas warning other than the resource lines (e.g. "Registers are spilled") goes to the console as well
for log in "$tmp"/*.log; do
    grep -v -e '^ptxas info' -e 'bytes stack frame' "$log" >&2 || true
done

{
    echo
    echo "binaries (bytes):"
    total=0
    for f in "$out"/*.ptx "$out"/*.fatbin; do
        size=$(wc -c < "$f")
        total=$((total + size))
        printf "  %-28s %9d\n" "$(basename "$f")" "$size"
    done
    printf "  %-28s %9d\n" "total" "$total"
} >> "$tmp/report"
mv "$tmp/report" "$report"
cat "$report"

if (( ${#failed[@]} > 0 )); then
    echo "build.sh: failed: ${failed[*]}" >&2
    exit 1
fi
