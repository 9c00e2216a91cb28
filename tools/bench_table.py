#!/usr/bin/python3
"""Turn one benchmark sitting (tools/bench_sitting.sh output) into the Markdown table of docs/performance.md.

    /usr/bin/python3 tools/bench_table.py sitting.txt [torch_cpu_reference.out]

A sitting alternates PyTorch and Ember runs on one machine (torch, ember, torch, ...). On a shared machine other
jobs only ever slow a run down, so each side is scored by its best run: the lowest time (highest GFLOPS) per
workload, and the ratio is Ember's best over PyTorch's best. The table also gives every run's figure, the issue's
target and whether it is met, and Ember's allocation per step and GC share (each Ember run's, in run order).
With a second argument, PyTorch's reference run (another day, maybe another machine) is added for context; it
never enters the verdict.
Targets (issue "CPU performance"): sgemm >= 0.9x PyTorch GFLOPS; each training step and the convolution's forward
pass <= 1.0x PyTorch's time;
scalar neuron <= 0.2x PyTorch's time; every workload under -Xmx512m with GC < 5% of wall time.
"""
import re
import sys

LINE = re.compile(r"^(sgemm n=\d+|\S+) (ms|us)=([0-9.]+)(?: (GFLOPS|tokens_per_s)=([0-9.]+))?"
                  r"(?: alloc_mb_per_step=([0-9.]+) gc_pct=([0-9.]+))?")


def parse(lines):
    out = {}
    for line in lines:
        m = LINE.match(line.strip())
        if m:
            out[m.group(1)] = m
    return out


def runs(path):
    """[(kind, {name: match})] in file order; kind is 'torch' or 'ember'."""
    result, kind, lines = [], None, []
    for line in list(open(path)) + ["## end"]:
        if line.startswith("## "):
            if kind:
                result.append((kind, parse(lines)))
            kind = "torch" if line.startswith("## torch") else "ember" if line.startswith("## ember") else None
            lines = []
        elif kind:
            lines.append(line)
    return result


def main():
    all_runs = runs(sys.argv[1])
    ref = parse(open(sys.argv[2])) if len(sys.argv) > 2 else {}
    torch = [r for k, r in all_runs if k == "torch"]
    ember = [r for k, r in all_runs if k == "ember"]
    names = list(ember[0].keys()) if ember else []
    head = "| workload | Ember (best; all runs) | PyTorch (best; all runs) | Ember / PyTorch | target | met |"
    if ref:
        head += " PyTorch ref .out |"
    head += " Ember alloc MB/step | Ember GC % |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for name in names:
        es = [r[name] for r in ember if name in r]
        ts = [r[name] for r in torch if name in r]
        unit = es[0].group(2)
        if name.startswith("sgemm"):
            eg = [float(e.group(5)) for e in es]
            tg = [float(t.group(5)) for t in ts]
            ratio = max(eg) / max(tg) if tg else None
            ember_s = f"{max(eg):.1f} GFLOPS; " + " / ".join(f"{g:.1f}" for g in eg)
            torch_s = (f"{max(tg):.1f} GFLOPS; " + " / ".join(f"{g:.1f}" for g in tg)) if tg else "?"
            rs, target, met = (f"{ratio:.2f}x GFLOPS" if ratio else "?"), ">= 0.9x GFLOPS", ratio and ratio >= 0.9
        else:
            em = [float(e.group(3)) for e in es]
            tm = [float(t.group(3)) for t in ts]
            ratio = min(em) / min(tm) if tm else None
            fmt = (lambda v: f"{v:.3f}") if unit == "ms" else (lambda v: f"{v:.1f}")
            ember_s = f"{fmt(min(em))} {unit}; " + " / ".join(fmt(v) for v in em)
            torch_s = (f"{fmt(min(tm))} {unit}; " + " / ".join(fmt(v) for v in tm)) if tm else "?"
            rs = f"{ratio:.2f}x time" if ratio else "?"
            if name.startswith("scalar_neuron"):
                target, met = "<= 0.2x time", ratio and ratio <= 0.2
            else:
                # the issue lists the convolution's forward pass among the "training-step workloads" it times
                target, met = "<= 1.0x time", ratio and ratio <= 1.0
        gcs = [float(e.group(7)) for e in es if e.group(7)]
        verdict = "-" if met is None else ("yes" if met else "**no**")
        if gcs and min(gcs) >= 5.0:
            verdict += ", **GC >= 5%**"
        row = f"| {name} | {ember_s} | {torch_s} | {rs} | {target} | {verdict} |"
        if ref:
            r = ref.get(name)
            row += f" {r.group(3)} {r.group(2)} |" if r else " |"
        row += f" {es[0].group(6) or '?'} | {' / '.join(f'{g:.1f}' for g in gcs) or '?'} |"
        print(row)


if __name__ == "__main__":
    main()
