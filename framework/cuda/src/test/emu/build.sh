#!/usr/bin/env bash
# Builds the CPU emulator of ember-cuda's kernels: one shared library, $1 (default: target/emu/libember_emu.so
# under framework/cuda), from the CUDA sources in ../../main/cuda compiled by the host C++ compiler ($CXX, else
# g++) with emu.h force-included, and emu_runtime.cpp. dev.ember.cuda.EmulatedDriver runs it; see README.md here.
#
# Per source X.cu: the preprocessed source gives the names of its extern "C" kernels, and X.cu plus one
# EMBER_EMU_REGISTER line per kernel is compiled as one translation unit. Dynamic shared memory declarations
# (extern __shared__ ... name[];) become pointers to the worker's buffer, the one rewrite the sources need.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$here/../../main/cuda"
out="${1:-$here/../../../target/emu/libember_emu.so}"
cxx="${CXX:-g++}"
if ! command -v "$cxx" > /dev/null; then
    echo "emu/build.sh: no C++ compiler ($cxx; set CXX or install g++)" >&2
    exit 1
fi

work="$(mktemp -d)"
trap 'wait; rm -rf "$work"' EXIT
base=(-std=c++17 -O1 -fPIC -pthread -ffp-contract=off -fno-strict-aliasing -w -fsanitize=alignment -fno-sanitize-recover=alignment -I"$here" -I"$here/include")
flags=("${base[@]}" -I"$work" -include "$here/emu.h")

cp "$src"/*.cuh "$work/"
objects=()
pids=()
for cu in "$src"/*.cu; do
    name="$(basename "$cu" .cu)"
    dynamic='s/extern __shared__ (__align__\([0-9]+\) )?unsigned char ([A-Za-z_0-9]+)\[\];/'
    dynamic+='unsigned char* \2 = (unsigned char*) ember_emu::dynamic_smem();/'
    sed -E "$dynamic" "$cu" > "$work/$name.cu.cpp"
    # the names of the extern "C" kernels, from the preprocessed source on one line (macros make most of them)
    kernels="$("$cxx" "${flags[@]}" -E "$work/$name.cu.cpp" | tr '\n' ' ' \
        | { grep -oE 'extern "C" +void +[A-Za-z_0-9]+ *\(' || true; } \
        | sed -E 's/.*void +([A-Za-z_0-9]+).*/\1/' | sort -u)"
    {
        echo "#include \"$name.cu.cpp\""
        echo "#include \"emu_register.h\""
        for k in $kernels; do
            echo "EMBER_EMU_REGISTER($k)"
        done
    } > "$work/$name.emu.cpp"
    "$cxx" "${flags[@]}" -c "$work/$name.emu.cpp" -o "$work/$name.o" &
    pids+=($!)
    objects+=("$work/$name.o")
done
"$cxx" "${base[@]}" -c "$here/emu_runtime.cpp" -o "$work/emu_runtime.o" &
pids+=($!)
status=0
for p in "${pids[@]}"; do
    wait "$p" || status=1
done
if (( status != 0 )); then
    echo "emu/build.sh: compilation failed" >&2
    exit 1
fi
mkdir -p "$(dirname "$out")"
"$cxx" -shared -pthread -fsanitize=alignment -o "$out.tmp" "${objects[@]}" "$work/emu_runtime.o"
mv "$out.tmp" "$out"
echo "emu/build.sh: $out ($(ls "$src"/*.cu | wc -l) sources)" >&2
