#!/usr/bin/python3
"""Turn one run of tools/gpu_check.sh (its output folder) into the Markdown tables of docs/performance.md's GPU
section, with the GPU issue's targets checked, so that a device session sees at once which are met.

    /usr/bin/python3 tools/gpu_table.py OUT_DIR

Reads what the run wrote there: ember_gpu.txt and torch_gpu.txt (Ember and PyTorch eager, same GPU, same run),
ember_graphs.txt and torch_graphs.txt (training steps eager and as a captured CUDA graph), and the candidates'
files (ember_gpu_k16.txt, ember_gpu_tc_*.txt, ember_gpu_lstm_blocks.txt, ember_gpu_jcuda_launch.txt). A missing
file leaves its rows out and says so. Within a file the last line of a workload wins: gpu_check appends the rerun
of a failed workload after its failure.

Targets (the GPU issue, as a ratio to PyTorch in the same run): FP32 GEMM >= 0.8x cuBLAS's FLOP rate and TF32 and
BF16 >= 0.5x, at n=4096 and 8192; every training step faster than PyTorch eager. The graph replays are "aimed at"
PyTorch's and have no pass mark here.
"""
import os
import re
import sys

# "<name>[ n=<n>] key=value ..." (a value may hold spaces: cudagraph_failed=<exception>: <message>), or
# "<id> failed=<exception>: <message>", where a GEMM's id is "sgemm_n4096" for the line "sgemm n=4096"
LINE = re.compile(r"^(?:(lstm_blocks=\d+) )?([A-Za-z0-9_]+(?: n=\d+)?) ([A-Za-z_]+=.*)$")
PAIR = re.compile(r"([A-Za-z_]+)=(.*?)(?= [A-Za-z_]+=|$)")
GEMM_ID = re.compile(r"^(\w+)_n(\d+)$")
GEMM_TARGETS = {"sgemm": 0.8, "sgemm_tf32": 0.5, "gemm_bf16": 0.5}
TARGET_SIZES = ("n=4096", "n=8192")


def read(out, name):
    """{workload: {key: value}} of one output file (values as strings; a failure as {'failed': message}), or None."""
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return None
    rows = {}
    for line in open(path, errors="replace"):
        m = LINE.match(line.strip())
        if not m:
            continue
        name, rest = m.group(2), m.group(3)
        if rest.startswith("failed="):
            name = GEMM_ID.sub(r"\1 n=\2", name)
            row = {"failed": rest[len("failed="):][:100]}
        else:
            row = dict(PAIR.findall(rest))
        rows[(m.group(1) + " " if m.group(1) else "") + name] = row
    return rows


def header_note(out, name):
    """What Ember's bench header says of the tensor-core kernels (e.g. 'TF32/BF16 products with wgmma')."""
    path = os.path.join(out, name)
    if os.path.exists(path):
        for line in open(path, errors="replace"):
            if line.startswith("# ember bench:"):
                m = re.search(r"TF32/BF16 products with ([^;]+)$", line.strip())
                return m.group(1).strip() if m else "?"
    return "?"


def family(name):
    return name.split(" ")[0]


def shown(row):
    """A workload's figure as a table cell."""
    if row is None:
        return "-"
    if "failed" in row:
        return "failed: " + row["failed"].replace("|", "/")
    if "ms" in row:
        s = row["ms"] + " ms"
        if "GFLOPS" in row:
            s += f", {float(row['GFLOPS']) / 1000:.1f} TFLOP/s"
        return s
    return row.get("us", "?") + " us"


def compare(e, t, name):
    """(ratio cell, target cell, verdict or None) for Ember's row e against PyTorch's t."""
    if e is None or t is None or "failed" in e or "failed" in t:
        return "-", "-", None
    if "GFLOPS" in e and "GFLOPS" in t and family(name) in GEMM_TARGETS:
        rate = float(e["GFLOPS"]) / float(t["GFLOPS"])
        if name.endswith(TARGET_SIZES):
            need = GEMM_TARGETS[family(name)]
            return f"{rate:.2f}x the FLOP rate", f">= {need}x", rate >= need
        return f"{rate:.2f}x the FLOP rate", "-", None
    unit = "ms" if "ms" in e else "us"
    ratio = float(e[unit]) / float(t[unit])
    if name.endswith("_train_step"):
        return f"{ratio:.2f}x the time", "< 1.0x", ratio < 1.0
    return f"{ratio:.2f}x the time", "-", None


def verdict(ok):
    return "-" if ok is None else ("yes" if ok else "**no**")


def table(head, rows):
    print("| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head))
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print()


def eager(out, missed):
    ember, torch = read(out, "ember_gpu.txt"), read(out, "torch_gpu.txt")
    if ember is None:
        print("No ember_gpu.txt: the bench stage did not run.\n")
        return ember, torch
    print(f"### Ember against PyTorch eager (TF32/BF16 kernels: {header_note(out, 'ember_gpu.txt')})\n")
    if torch is None:
        print("No torch_gpu.txt: PyTorch did not run; Ember's figures alone.\n")
    rows = []
    # PyTorch's workloads that Ember printed no line for (its JVM timed out or crashed) show as missing
    names = list(ember) + [name for name in (torch or {}) if name not in ember]
    for name in names:
        e = ember.get(name, {"failed": "no line (the run stopped before it)"})
        t = (torch or {}).get(name)
        ratio, target, ok = compare(e, t, name)
        if ok is False or "failed" in e:
            missed.append(name)
        rows.append([name, shown(e), shown(t), ratio, target, verdict(ok)])
    table(["workload", "Ember", "PyTorch", "Ember / PyTorch", "target", "met"], rows)
    return ember, torch


def candidates(out, ember, torch):
    """The kernels and launch paths gpu_check times beside the defaults, each against the same PyTorch rows."""
    rows, met = [], {}
    sources = [("ember_gpu_k16.txt", "-Dember.cuda.gemm.f32=k16")]
    for name in sorted(os.listdir(out)):
        m = re.match(r"ember_gpu_tc_(\w+)\.txt$", name)
        if m:
            sources.append((name, "-Dember.cuda.gemm.tc=" + m.group(1)))
    sources.append(("ember_gpu_jcuda_launch.txt", "-Dember.cuda.launch=jcuda"))
    for file, flag in sources:
        for name, e in (read(out, file) or {}).items():
            t = (torch or {}).get(name)
            ratio, target, ok = compare(e, t, name)
            default = shown((ember or {}).get(name))
            if ok:
                met.setdefault(name, []).append(flag)
            rows.append([name, flag, shown(e), default, shown(t), ratio, target, verdict(ok)])
    for key, e in (read(out, "ember_gpu_lstm_blocks.txt") or {}).items():
        blocks, name = key.split(" ", 1)
        t = (torch or {}).get(name)
        ratio, target, ok = compare(e, t, name)
        flag = "-Dember.cuda." + blocks.replace("_", ".")
        if ok:
            met.setdefault(name, []).append(flag)
        rows.append([name, flag, shown(e), shown((ember or {}).get(name)),
                     shown(t), ratio, target, verdict(ok)])
    if rows:
        print("### Candidates (each beside the default's figure of the main run)\n")
        table(["workload", "option", "Ember with it", "Ember default", "PyTorch", "Ember with it / PyTorch",
               "target", "met"], rows)
    return met


def graph_cell(row):
    """A graph replay's time, or why its capture failed."""
    if "cudagraph_failed" in row:
        return "capture failed: " + row["cudagraph_failed"].replace("|", "/")
    return row.get("cudagraph_ms", "-")


def graphs(out):
    ember, torch = read(out, "ember_graphs.txt"), read(out, "torch_graphs.txt")
    if ember is None:
        print("No ember_graphs.txt: the graphs stage did not run.\n")
        return
    rows = []
    for name, e in ember.items():
        t = (torch or {}).get(name, {})
        ratio = "-"
        if "cudagraph_ms" in e and "cudagraph_ms" in t:
            ratio = f"{float(e['cudagraph_ms']) / float(t['cudagraph_ms']):.2f}"
        rows.append([name, e.get("eager_ms", shown(e)), graph_cell(e), t.get("eager_ms", "-"), graph_cell(t), ratio])
    print("### Training steps as one captured CUDA graph, ms per step\n")
    table(["workload", "Ember eager", "Ember graph", "PyTorch eager", "PyTorch graph", "graph: Ember / PyTorch"],
          rows)


def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        sys.exit("usage: gpu_table.py OUT_DIR (the folder tools/gpu_check.sh wrote)")
    out = sys.argv[1]
    gpu = os.path.join(out, "gpu.txt")
    print(f"## GPU run: {open(gpu).readline().strip() if os.path.exists(gpu) else 'GPU unknown (no gpu.txt)'}\n")
    missed = []
    ember, torch = eager(out, missed)
    met = candidates(out, ember, torch) if ember is not None else {}
    graphs(out)
    if ember is not None and torch is not None:
        notes = [n + (f" (met with {', '.join(met[n])})" if n in met else "") for n in missed]
        print("Targets missed or failed by the defaults: " + (", ".join(notes) if notes else "none") + ".")


if __name__ == "__main__":
    main()
