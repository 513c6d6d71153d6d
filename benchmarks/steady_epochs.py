"""Run one workload in one system for a first epoch and then N more, and print the steady milliseconds per step:
a process to profile, where most of the time is the training step itself.

    perf record -F 499 -g -o symk.data -- python benchmarks/steady_epochs.py lstm symk --epochs 15
    perf report -i symk.data --no-children --sort dso -n -g none

(Keras: `KERAS_BACKEND=jax /tmp/kerasref/bin/python benchmarks/steady_epochs.py lstm keras`.)
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workloads import WORKLOADS  # noqa: E402
from workloads_measure import SYSTEMS  # noqa: E402


def started_system(parser: argparse.ArgumentParser, default_epochs: int):
    """Parse `workload system [--epochs N]` (plus the caller's own options), build that system and run its first
    (compiling) epoch; returns (args, workload, training inputs, one-epoch function)."""
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("system", choices=sorted(SYSTEMS))
    parser.add_argument("--epochs", type=int, default=default_epochs)
    args = parser.parse_args()
    work = WORKLOADS[args.workload]
    x, y = work.data(quick=False)
    first_epoch, epoch, _ = SYSTEMS[args.system](work, x, y)
    first_epoch()
    return args, work, x, epoch


def main():
    args, work, x, epoch = started_system(argparse.ArgumentParser(description=__doc__.splitlines()[0]), 15)
    start = time.perf_counter()
    for _ in range(args.epochs):
        epoch()
    steps = args.epochs * (len(x) // work.batch)
    print(f"{args.workload} {args.system}: {(time.perf_counter() - start) / steps * 1e3:.2f} ms per step")


if __name__ == "__main__":
    main()
