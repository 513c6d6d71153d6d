"""Where a training step's time goes, per XLA operation: trace a few steady epochs of one workload in one system
with jax.profiler and print the milliseconds per step of each traced event (XLA:CPU names each fusion, dot and
while loop of the step program), most expensive first.

    python benchmarks/thunk_profile.py lstm symk [--epochs 2] [--top 30]
    KERAS_BACKEND=jax /tmp/kerasref/bin/python benchmarks/thunk_profile.py lstm keras

Compare two systems on the same workload: the step programs' operations carry the same names when their
optimized HLO matches (see the HLO dumps with XLA_FLAGS=--xla_dump_to=DIR --xla_dump_hlo_as_text).
"""
from __future__ import annotations

import argparse
import collections
import glob
import gzip
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from steady_epochs import started_system  # noqa: E402


def event_totals(trace_dir: str) -> tuple[collections.Counter, collections.Counter]:
    """{event name: total microseconds} and {event name: count} of the complete events in the trace."""
    path = sorted(glob.glob(f"{trace_dir}/**/*.trace.json.gz", recursive=True))[-1]
    with gzip.open(path) as f:
        events = json.load(f)["traceEvents"]
    total, count = collections.Counter(), collections.Counter()
    for event in events:
        if event.get("ph") == "X" and "dur" in event:
            total[event["name"]] += event["dur"]
            count[event["name"]] += 1
    return total, count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=30)
    args, work, x, epoch = started_system(parser, 2)
    import jax

    epoch()  # steady state before tracing
    with tempfile.TemporaryDirectory() as trace_dir:
        with jax.profiler.trace(trace_dir, create_perfetto_trace=True):
            for _ in range(args.epochs):
                epoch()
        total, count = event_totals(trace_dir)
    steps = args.epochs * (len(x) // work.batch)
    print(f"{args.workload} {args.system}: ms per step, calls per step, event (Python frames start with $)")
    for name, micros in total.most_common(args.top):
        print(f"{micros / steps / 1000:9.3f} {count[name] / steps:7.1f}  {name[:100]}")


if __name__ == "__main__":
    main()
