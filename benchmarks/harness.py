"""Side-by-side benchmark: every workload in symk, symk with steps_per_execution=10 and ="auto", a hand-written
jax.jit + optax loop and Keras 3 on JAX, one process per workload and system; prints the table and
the ratios, writes JSON.

    python benchmarks/harness.py [--workloads mlp,cnn] [--systems symk,jax,keras] [--quick] [--repeat 2] [--timings 5]
        [--keras-python /tmp/kerasref/bin/python] [--json benchmarks/results.json]

The Keras column runs with the Python of a separate venv that has keras installed (--keras-python or
$SYMK_BENCH_KERAS_PYTHON; default /tmp/kerasref/bin/python) and is skipped, with a message, when that
Python is missing or cannot import keras. symk never depends on keras.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SYSTEMS = ("symk", "symk_spe", "symk_auto", "jax", "keras")
WORKLOAD_NAMES = ("mlp", "wide", "cnn", "lstm", "transformer", "bn_cnn", "resnet")
FIGURES = (("train_samples_s", "train/s", "{:,.0f}"), ("first_epoch_s", "1st epoch s", "{:.2f}"),
           ("predict_samples_s", "predict/s", "{:,.0f}"), ("peak_rss_mb", "RSS MB", "{:,.0f}"),
           ("compiles_before_train", "compiles", "{:d}"))


def keras_python(given) -> str | None:
    python = given or os.environ.get("SYMK_BENCH_KERAS_PYTHON") or "/tmp/kerasref/bin/python"
    if not Path(python).exists():
        print(f"# Keras column skipped: {python} does not exist (pass --keras-python)", file=sys.stderr)
        return None
    check = subprocess.run([python, "-c", "import keras"], env={**os.environ, "KERAS_BACKEND": "jax"},
                           capture_output=True, text=True)
    if check.returncode != 0:
        print(f"# Keras column skipped: {python} cannot import keras ({check.stderr.strip().splitlines()[-1:]})",
              file=sys.stderr)
        return None
    return python


def run_one(workload: str, system: str, python: str, quick: bool, timeout: float, repeats=None) -> dict:
    command = [python, str(HERE / "workloads_measure.py"), workload, system] + (["--quick"] if quick else [])
    command += [f"--repeats={repeats}"] if repeats else []
    env = {**os.environ, "KERAS_BACKEND": "jax", "PYTHONPATH": str(HERE)}
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout, cwd=HERE)
    except subprocess.TimeoutExpired:
        return {"workload": workload, "system": system, "skipped": f"timed out after {timeout:.0f} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"workload": workload, "system": system, "skipped": f"failed: {tail[:200]}"}
    return json.loads(lines[-1][len("RESULT "):])


def ratio(results: dict, workload: str, key: str, a: str, b: str):
    """a's figure over b's, for figures where more is better (train/predict samples/s)."""
    ra, rb = results.get((workload, a), {}), results.get((workload, b), {})
    if key not in ra or key not in rb or not rb[key]:
        return None
    return ra[key] / rb[key]


RATIOS = (("train_samples_s", "symk", "keras"), ("train_samples_s", "symk", "jax"),
          ("train_samples_s", "symk_spe", "jax"), ("train_samples_s", "symk_spe", "symk"),
          ("train_samples_s", "symk_auto", "symk"), ("predict_samples_s", "symk", "jax"),
          ("predict_samples_s", "symk", "keras"), ("first_epoch_s", "symk", "keras"))


def print_table(results: dict, workloads, systems) -> None:
    print("| workload | system | " + " | ".join(label for _, label, _ in FIGURES) + " |")
    print("|---|---|" + "---:|" * len(FIGURES))
    for w in workloads:
        for s in systems:
            r = results.get((w, s))
            if r is None:
                continue
            if "skipped" in r:
                print(f"| {w} | {s} | skipped: {r['skipped']} |")
                continue
            cells = [fmt.format(r[key]) for key, _, fmt in FIGURES]
            print(f"| {w} | {s} | " + " | ".join(cells) + " |")


def print_ratios(ratio_rows: dict, workloads) -> None:
    heads = [f"{key.split('_')[0]} {a}/{b}" for key, a, b in RATIOS]
    print("\n| workload | " + " | ".join(heads) + " |")
    print("|---|" + "---:|" * len(heads))
    for w in workloads:
        cells = []
        for spec in RATIOS:
            values = [v for v in ratio_rows.get((w,) + spec, []) if v is not None]
            cells.append(f"{statistics.median(values):.2f}x" if values else "-")
        print(f"| {w} | " + " | ".join(cells) + " |")
    print("(first ratio: symk's first epoch time over Keras's — less is better; the others: more is better)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default=",".join(WORKLOAD_NAMES))
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--quick", action="store_true", help="fewer batches and repeats (a smoke run)")
    parser.add_argument("--repeat", type=int, default=1, help="run the whole sweep this many times")
    parser.add_argument("--timings", type=int, default=None, help="timed epochs and predicts per process "
                        "(median taken; default 5, 2 with --quick)")
    parser.add_argument("--keras-python", default=None)
    parser.add_argument("--json", default=str(HERE / "results.json"))
    parser.add_argument("--timeout", type=float, default=900, help="seconds per process")
    args = parser.parse_args()
    workloads = [w for w in args.workloads.split(",") if w]
    systems = [s for s in args.systems.split(",") if s]
    for name, known in ((workloads, WORKLOAD_NAMES), (systems, SYSTEMS)):
        unknown = sorted(set(name) - set(known))
        if unknown:
            parser.error(f"unknown {unknown}; choose from {', '.join(known)}")
    pythons = {s: sys.executable for s in systems}
    if "keras" in systems:
        pythons["keras"] = keras_python(args.keras_python)
    load = os.getloadavg()
    runs, ratio_rows = [], {}
    for rep in range(args.repeat):
        results = {}
        for w in workloads:
            for s in systems:
                if pythons[s] is None:
                    continue
                results[(w, s)] = run_one(w, s, pythons[s], args.quick, args.timeout, args.timings)
                print(f"# repeat {rep + 1} {w} {s}: {json.dumps(results[(w, s)])[:160]}", file=sys.stderr)
        for w in workloads:
            for key, a, b in RATIOS:
                value = ratio(results, w, key, a, b)
                ratio_rows.setdefault((w, key, a, b), []).append(value)
        runs.append(list(results.values()))
    import jax

    print(f"\nmachine: {os.cpu_count()} CPUs, jax {jax.__version__} on {jax.devices()[0].platform}; load average "
          f"before: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, after: {os.getloadavg()[0]:.1f}")
    print_table(results, workloads, systems)
    print_ratios(ratio_rows, workloads)
    Path(args.json).write_text(json.dumps({"load_before": load, "load_after": os.getloadavg(), "runs": runs},
                                          indent=1))
    print(f"\nJSON: {args.json}")


if __name__ == "__main__":
    main()
