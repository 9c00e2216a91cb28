#!/usr/bin/env bash
# The whole GPU check in one run on the device machine (GPU time is scarce: prepare here, run once there).
#
# Here:  ./mvnw -q -o install -DskipTests && tools/gpu_pack.sh
# There: bash tools/gpu_check.sh            (with .device/ carried; results go to $OUT, or ./gpu-out)
#
# 1. bench: ./ember bench --device cuda (Ember on the GPU, torch_gpu_reference.py's line format), its variants
#    (other kernels and launch paths for comparison), and torch_gpu_reference.py itself, PyTorch eager on the same
#    GPU in the same session, if PyTorch is there,
# 2. graphs: ./ember bench --device cuda --cuda-graphs and torch_gpu_graphs_reference.py (training steps, eager and
#    as one captured CUDA graph),
# 3. tests: every JUnit test tagged "gpu" (CUDA op by op against the CPU backend, memory, training loops),
# 4. kernels: the GPU time of every kernel of each training step (Cuda.startKernelProfile's CUDA events, through
#    -Dember.cuda.profile=true), one short bench run per workload,
# 5. vision: ./ember vision train --device cuda for 3 epochs on the bundled MNIST sample.
# After bench and graphs (and again at the end) it prints their results as tables, targets marked (summary.md).
# Stage names run those parts only, any number of them, always in this order (the measurements first: a run cut
# short by the device's time limit keeps them), plus profile (a JFR recording of the host side of the workloads in
# PROFILE_WORKLOADS, by default the MLP and LSTM steps; only when named). Each stage prints its seconds.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$root/gpu-out}
mkdir -p "$out"
cd "$root"
stages=" ${*:-all} "
# whether stage $1 was asked for (by name or through "all"; profile only by name)
want() { [[ $stages == *" $1 "* || ($1 != profile && $stages == *" all "*) ]]; }
# Runs each workload that failed in bench output $1 ("<id> failed=...") again, alone in a JVM of its own, appending
# its line there: a GPU fault poisons its process's context, so every workload after it failed too. The rest of the
# arguments are the bench options.
rerun_failed() {
  local file=$1 w
  shift
  for w in $(grep -o "^[A-Za-z0-9_]* failed=" "$file" | cut -d' ' -f1); do
    echo "# $w again, alone in a fresh JVM:" >> "$file"
    timeout 90 bash .device/run.sh --main dev.ember.apps.EmberCli bench --device cuda "$@" -w "$w" 2>&1 \
      | grep -E "^[A-Za-z0-9_]+( n=[0-9]+)? [A-Za-z_]+=" >> "$file"
    report "${PIPESTATUS[0]}" "rerun of $w"
  done
}
# Prints "<what> exit <status>" and counts a failure; the script exits with 1 if any step failed.
failures=0
report() {
  echo "$2 exit $1"
  [ "$1" -eq 0 ] || failures=$((failures + 1))
}
# The bench and graphs results as docs/performance.md's tables, each target marked met or not (tools/gpu_table.py),
# written to summary.md and printed: after the graphs stage, and again at the end, where the tool's reply shows it.
summary() {
  if [ -e "$out/ember_gpu.txt" ] || [ -e "$out/ember_graphs.txt" ]; then
    python3 tools/gpu_table.py "$out" > "$out/summary.md" 2>&1
    echo "== summary ($out/summary.md)"
    cat "$out/summary.md"
  fi
}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt"
# Preflight: the TF32/BF16 products in a JVM of their own, first (their wgmma kernels had not run on a GPU before; a
# fault there would poison every later kernel of its process, and the start-up self-test cannot catch that). If it
# fails, every later JVM takes the mma.sync kernels. (PREFLIGHT_OPTS: JVM options for it alone, which
# tools/gpu_rehearse.sh uses.)
timeout 90 bash .device/run.sh --main ${PREFLIGHT_OPTS:-} dev.ember.apps.EmberCli bench --device cuda \
  -w sgemm_tf32 -w gemm_bf16 --reps 3 --warmups 1 --warmup-ms 0 --stats-ms 0 > "$out/preflight.txt" 2>&1
status=$?
report $status "preflight (tensor-core products)"
grep -v "^WARNING" "$out/preflight.txt" | tail -6
if grep -q "failed their self-test" "$out/preflight.txt"; then
  # which operand element each output came from, to work the kernels' layout out offline
  timeout 60 bash .device/run.sh --main dev.ember.cuda.WgmmaProbe > "$out/wgmma_probe.txt" 2>&1
  report $? "wgmma probe"
  grep "probe:" "$out/wgmma_probe.txt"
fi
if [ $status -ne 0 ]; then
  export JAVA_TOOL_OPTIONS="${JAVA_TOOL_OPTIONS:-} -Dember.cuda.gemm.tc=mma"  # every later JVM, JUnit's too
  echo "preflight failed: the rest of the run uses -Dember.cuda.gemm.tc=mma"
fi
if want bench; then
  stage_start=$SECONDS
  timeout 240 bash .device/run.sh --main dev.ember.apps.EmberCli bench --device cuda --warmup-ms 1000 \
    --stats-ms 500 > "$out/ember_gpu.txt" 2>&1
  report $? "ember bench"
  rerun_failed "$out/ember_gpu.txt" --warmup-ms 1000 --stats-ms 500
  cat "$out/ember_gpu.txt" | grep -v "^WARNING" | head -40
  # PyTorch eager on the same GPU right after, so that a run cut short still has both sides
  if python3 -c 'import torch' 2>/dev/null; then
    timeout 120 python3 .device/torch_gpu_reference.py > "$out/torch_gpu.txt" 2>&1
    report $? "torch"
    cat "$out/torch_gpu.txt"
  fi
  # the FP32 products with the 16-deep big kernel (gemm_f32_k16) in gemm_f32's place, for the comparison
  timeout 120 bash .device/run.sh --main -Dember.cuda.gemm.f32=k16 dev.ember.apps.EmberCli bench --device cuda \
    --warmup-ms 1000 --stats-ms 500 -w sgemm > "$out/ember_gpu_k16.txt" 2>&1
  report $? "ember bench (gemm_f32_k16)"
  grep -v "^WARNING" "$out/ember_gpu_k16.txt" | head -10
  # the TF32 and BF16 products on gemm_sm90.cu's 128x128-tile wgmma kernels, then on gemm_tc.cu's mma.sync kernels,
  # instead of the 128x256-tile wgmma kernels
  for family in wgmma128 mma; do
    timeout 120 bash .device/run.sh --main -Dember.cuda.gemm.tc=$family dev.ember.apps.EmberCli bench \
      --device cuda --warmup-ms 1000 --stats-ms 500 -w sgemm_tf32 -w gemm_bf16 > "$out/ember_gpu_tc_$family.txt" 2>&1
    report $? "ember bench (tensor-core kernels: $family)"
    grep -v "^WARNING" "$out/ember_gpu_tc_$family.txt" | head -10
  done
  # the LSTM step on grids of 16 and 64 blocks (32 by default): finer work per step against more arrivals per barrier
  : > "$out/ember_gpu_lstm_blocks.txt"  # appended to below, one line per grid
  for blocks in 16 64; do
    timeout 60 bash .device/run.sh --main -Dember.cuda.lstm.blocks=$blocks dev.ember.apps.EmberCli bench \
      --device cuda --warmup-ms 1000 --stats-ms 500 -w lstm_s64_b32_h128_train_step 2>&1 | grep "^lstm" \
      | sed "s/^/lstm_blocks=$blocks /" | tee -a "$out/ember_gpu_lstm_blocks.txt"
  done
  # the same eager training steps launched through JCuda instead of KernelLauncher (FFM), for the comparison
  timeout 120 bash .device/run.sh --main -Dember.cuda.launch=jcuda dev.ember.apps.EmberCli bench --device cuda \
    --warmup-ms 1000 --stats-ms 500 -w mlp784_256_10_b64_train_step -w lenet_b64_train_step \
    -w chargpt_L4_d128_T64_b32_train_step > "$out/ember_gpu_jcuda_launch.txt" 2>&1
  report $? "ember bench (JCuda launches)"
  grep -v "^WARNING" "$out/ember_gpu_jcuda_launch.txt" | head -10
  echo "stage bench: $((SECONDS - stage_start)) s"
fi
if want graphs; then
  stage_start=$SECONDS
  timeout 200 bash .device/run.sh --main dev.ember.apps.EmberCli bench --device cuda --cuda-graphs \
    --warmup-ms 1000 --stats-ms 500 > "$out/ember_graphs.txt" 2>&1
  report $? "ember graphs"
  rerun_failed "$out/ember_graphs.txt" --cuda-graphs --warmup-ms 1000 --stats-ms 500
  grep -v "^WARNING" "$out/ember_graphs.txt" | head -20
  if python3 -c 'import torch' 2>/dev/null; then
    timeout 120 python3 .device/torch_gpu_graphs_reference.py > "$out/torch_graphs.txt" 2>&1
    report $? "torch graphs"
    cat "$out/torch_graphs.txt"
  fi
  echo "stage graphs: $((SECONDS - stage_start)) s"
fi
if want bench || want graphs; then
  summary
fi
if want tests; then
  stage_start=$SECONDS
  # the tensor-core tests in a JVM of their own, last: a fault of a kernel never run on a GPU before would poison
  # every later test of its process
  # (run.sh passes --details=tree itself: given --details a second time beside --exclude-classname, the console
  # launcher 1.14.1 dropped the tag filter and ran every test on the class path, the apps' CPU tests included)
  timeout 300 bash .device/run.sh --include-tag=gpu --scan-classpath --disable-banner \
    --exclude-classname=dev.ember.cuda.CudaTensorCoreTest --reports-dir="$out/tests-xml" > "$out/tests.txt" 2>&1
  report $? "tests"
  grep -E "tests (successful|failed|aborted|skipped)|\[X\]|✘" "$out/tests.txt" | head -60
  # a GPU fault fails every later test of its JVM (the context is lost): each class with a failure again, alone,
  # tells the broken kernels from the collateral
  for class in $(python3 - "$out/tests-xml" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
failed = set()
for f in glob.glob(sys.argv[1] + "/*.xml"):
    for case in ET.parse(f).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed.add(case.get("classname"))
print("\n".join(sorted(failed)))
PY
  ); do
    timeout 120 bash .device/run.sh --select-class="$class" --disable-banner > "$out/tests_alone_$class.txt" 2>&1
    report $? "$class alone"
    grep -E "tests (successful|failed)|✘" "$out/tests_alone_$class.txt" | head -10
  done
  timeout 120 bash .device/run.sh --select-class=dev.ember.cuda.CudaTensorCoreTest --disable-banner \
    > "$out/tests_tensor_cores.txt" 2>&1
  report $? "tensor-core tests"
  grep -E "tests (successful|failed|aborted|skipped)|\[X\]|✘" "$out/tests_tensor_cores.txt" | head -20
  echo "stage tests: $((SECONDS - stage_start)) s"
fi
if want kernels; then
  stage_start=$SECONDS
  # 20 timed steps after 5 warm-ups each: the launch counts divided by 25 are per step
  for w in ${KERNEL_WORKLOADS:-mlp784_256_10_b64_train_step lenet_b64_train_step conv64x64_3x3_32x32_b32_fwd \
      lstm_s64_b32_h128_train_step \
      chargpt_L4_d128_T64_b32_train_step mf_b1024_d32_train_step}; do
    timeout 60 bash .device/run.sh --main -Dember.cuda.profile=true dev.ember.apps.EmberCli bench --device cuda \
      -w "$w" --warmups 5 --reps 20 --warmup-ms 0 --stats-ms 0 > "$out/kernels_$w.txt" 2>&1
    report $? "kernels $w"
    grep -v "^WARNING" "$out/kernels_$w.txt" | grep -E "^(kernel|# kernel|$w)" | head -14
  done
  echo "stage kernels: $((SECONDS - stage_start)) s"
fi
if want vision; then
  stage_start=$SECONDS
  # the unchanged vision training loop with --device cuda (no plots: the packed runtime has no java.desktop)
  timeout 120 bash .device/run.sh --main dev.ember.apps.EmberCli vision train --device cuda --epochs 3 \
    --no-plots --runs-dir "$out/runs" > "$out/vision.txt" 2>&1
  report $? "vision train"
  grep -v "^WARNING" "$out/vision.txt" | tr '\r' '\n' | grep -v "it/s ETA" | tail -8
  echo "stage vision: $((SECONDS - stage_start)) s"
fi
if want profile; then
  stage_start=$SECONDS
  # where the host's time goes in launch-bound steps: a JFR recording of two workloads (read it with `jfr print`)
  JAVA_TOOL_OPTIONS="${JAVA_TOOL_OPTIONS:-} -XX:StartFlightRecording=filename=$out/steps.jfr,settings=profile" \
    timeout 120 \
    bash .device/run.sh --main dev.ember.apps.EmberCli bench --device cuda --warmup-ms 1500 --stats-ms 1500 \
    $(for w in ${PROFILE_WORKLOADS:-mlp784_256_10_b64_train_step lstm_s64_b32_h128_train_step}; do echo -w $w; done) \
    > "$out/profile.txt" 2>&1
  report $? "profile"
  grep -v "^WARNING" "$out/profile.txt" | tail -5
  echo "stage profile: $((SECONDS - stage_start)) s"
fi
if (want bench || want graphs) && (want tests || want kernels || want vision || want profile); then
  summary
fi
echo "gpu_check: $failures step(s) failed"
[ $failures -eq 0 ]
