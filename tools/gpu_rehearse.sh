#!/usr/bin/env bash
# Rehearses tools/gpu_check.sh here, without a GPU, before a device session spends its few minutes on it: the same
# script, the same packed runtime and class path (.device/), with the CPU emulator of Ember's kernels as the driver
# (EmulatedDriver, built on first use; needs g++) and a stand-in nvidia-smi. Run it after
#   ./mvnw -q -o install -DskipTests && tools/gpu_pack.sh
# as tools/gpu_rehearse.sh [STAGE...] (gpu_check's stage names; default: all of them, profile included).
#
# The measuring stages (bench, graphs, kernels, vision, profile) run in the emulator's dry mode: launches are checked
# (arguments, memory ownership, shared memory sizes) but not run, so their numbers and results are garbage and only
# the script's flow is tested; the preflight is dry too, so the wgmma self-test "fails" and the probe runs. The tests
# stage runs every kernel for real on the emulator (its preflight dry, to save the minutes the emulator takes over
# products of 8192). Output goes to $OUT (default: a new folder under /tmp), as on the device.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[ -x .device/run.sh ] || { echo "gpu_rehearse: no .device/run.sh: run tools/gpu_pack.sh first" >&2; exit 2; }
export OUT=${OUT:-$(mktemp -d /tmp/gpu-rehearsal.XXXXXX)}
# .device/run.sh unpacks its runtime once into /tmp/ember-jre: a repack (other modules) must be unpacked again
rm -rf /tmp/ember-jre
fake=$(mktemp -d)
cat > "$fake/nvidia-smi" <<'EOF'
#!/bin/sh
echo "Ember CUDA emulator (rehearsal), no driver, 3072 MiB"
EOF
chmod +x "$fake/nvidia-smi"
export PATH="$fake:$PATH"
emulator="-Dember.cuda.driver=dev.ember.cuda.EmulatedDriver -Dember.cuda.emulator.module=$root/framework/cuda"
stages=${*:-all}
stages=${stages//all/bench graphs tests kernels vision profile}  # gpu_check's "all" (the profile with it here)
measuring=$(for s in $stages; do [ "$s" != tests ] && echo -n "$s "; done)
status=0
if [ -n "$measuring" ]; then
  echo "== rehearsal, dry: $measuring"
  JAVA_TOOL_OPTIONS="$emulator -Dember.cuda.emulator.dry=true" bash tools/gpu_check.sh $measuring || status=$?
fi
if [[ " $stages " == *" tests "* ]]; then
  echo "== rehearsal, kernels run: tests"
  JAVA_TOOL_OPTIONS="$emulator" PREFLIGHT_OPTS="-Dember.cuda.emulator.dry=true" bash tools/gpu_check.sh tests \
    || status=$?
fi
rm -rf "$fake"
echo "rehearsal output: $OUT"
exit $status
