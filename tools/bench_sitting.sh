#!/usr/bin/env bash
# One benchmark sitting: PyTorch's CPU reference, then `ember bench`, then PyTorch again, on the same machine
# back to back (these machines are noisy; a number from another hour says little); with ROUNDS=N, N Ember runs
# each followed by a PyTorch run. Prints everything, with the load average between runs, in the format
# tools/bench_table.py reads (it scores each side by its best run):
#
#   tools/bench_sitting.sh > sitting.txt            # JAVA_OPTS defaults to -Xmx512m, the issue's heap
#   /usr/bin/python3 tools/bench_table.py sitting.txt
#
# Environment:
#   ROUNDS     how many Ember runs (each followed by a PyTorch run); default 1
#   THREADS    unset: the reference's 2 threads and Ember's default (one per core); set: both use that many,
#              PyTorch through a wrapper that overrides the script's torch.set_num_threads(2), and
#              OPENBLAS_NUM_THREADS for its GEMMs (OpenBLAS ignores set_num_threads). On a machine
#              shared with other jobs THREADS=1 is the fairer test: OpenMP's spinning threads collapse there.
#   JAVA_OPTS  default -Xmx512m (the issue's heap)
#   JVM_PER_WORKLOAD  1 (default, when no arguments are given): each workload in a JVM of its own; 0: all in one
#              `ember bench` run
#   EMBER      the launcher, default ./ember (EMBER_NO_BUILD=1 is passed through to it)
#   TORCH_REF  default ../shared/bench/torch_cpu_reference.py or /work/shared/bench/torch_cpu_reference.py
# Extra arguments go to `ember bench` (e.g. -w lstm_s64_b32_h128_train_step).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ember="${EMBER:-$root/ember}"
ref="${TORCH_REF:-}"
if [[ -z "$ref" ]]; then
  for f in "$root/../shared/bench/torch_cpu_reference.py" /work/shared/bench/torch_cpu_reference.py; do
    [[ -f "$f" ]] && { ref="$f"; break; }
  done
fi
[[ -n "$ref" && -f "$ref" ]] || { echo "bench_sitting: torch_cpu_reference.py not found (set TORCH_REF)" >&2; exit 1; }
export JAVA_OPTS="${JAVA_OPTS--Xmx512m}"
threads_args=()
torch_ref() {
  if [[ -n "${THREADS:-}" ]]; then
    # OpenBLAS (Debian's pthread build) ignores torch.set_num_threads: it has its own variable
    OPENBLAS_NUM_THREADS="$THREADS" OMP_NUM_THREADS="$THREADS" /usr/bin/python3 -c "import sys, torch; f = torch.set_num_threads; f($THREADS)
torch.set_num_threads = lambda n: f($THREADS)
sys.argv = [sys.argv[1]]; exec(compile(open(sys.argv[0]).read(), sys.argv[0], 'exec'))" "$ref"
  else
    /usr/bin/python3 "$ref"
  fi
}
[[ -n "${THREADS:-}" ]] && threads_args=(--threads "$THREADS")

echo "## start $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "## cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
echo "## threads: ${THREADS:-default (PyTorch 2, Ember one per core)}"
echo "## torch before"
torch_ref
ember_bench() {
  if [[ "${JVM_PER_WORKLOAD:-1}" == 1 && $# -eq 0 ]]; then
    # one JVM per workload, as a training program runs one model: in a shared JVM the JIT compiles the kernels
    # with the profiles of every workload before, and what it inlines (so what it boxes) moves from run to run
    local names
    names="$("$ember" bench --list | grep -v -- '--device' )"
    local first=1
    for name in $names; do
      if [[ $first == 1 ]]; then
        "$ember" bench "${threads_args[@]}" -w "$name"
        first=0
      else
        "$ember" bench "${threads_args[@]}" -w "$name" | grep -v '^#'
      fi
    done
  else
    "$ember" bench "${threads_args[@]}" "$@"
  fi
}
for ((round = 1; round <= ${ROUNDS:-1}; round++)); do
  echo "## ember JAVA_OPTS=$JAVA_OPTS load: $(cut -d' ' -f1-3 /proc/loadavg)"
  ember_bench "$@"
  echo "## torch after load: $(cut -d' ' -f1-3 /proc/loadavg)"
  torch_ref
done
echo "## end $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
