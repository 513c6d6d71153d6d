"""How many training steps each dispatch runs: `compile(steps_per_execution=N)` fixes it, `"auto"` measures.

Running N steps per dispatch saves N - 1 host round trips, which matters only when a step is short next to the
dispatch cost (small models); for larger steps it saves nothing and costs a second compilation, and on some
backends a multi-step body is slower (XLA:CPU's convolutions inside a scan: see symk/training/step.py). So
"auto" decides by measuring, in the first epoch, on the steps it runs anyway:

1. time a few one-step executions (the first, which compiles, is not counted);
2. if a step takes PROBE_THRESHOLD_S or more, dispatch overhead is noise: keep 1;
3. else time a few executions of N = the most steps the epoch allows (at most MAX_STEPS, and few enough that
   the timed executions fit in about one epoch), and keep N only if its time per step beats one step's by
   IMPROVEMENT, otherwise go back to 1. The largest N is tried because the gain grows with N while the cost
   (one more compile) does not: measured on a 1 ms MLP step, 4-8 steps gained under 5% where 10 gained 14%.

The choice then holds for the rest of training (until the next compile()). Keras 3 takes only integers; files
record the fixed value 1 for "auto" so Keras can run them.
"""
from __future__ import annotations

import statistics
import time

PROBE_THRESHOLD_S = 0.004   # one dispatch costs tens of microseconds: a 4 ms step gains < 2% from fewer dispatches
MAX_STEPS = 32
TIMED_EXECUTIONS = 4        # timed executions per candidate, after one untimed (compiling) execution
IMPROVEMENT = 0.95          # keep N steps per execution only when a step gets at least 5% faster


def check_steps_per_execution(value):
    """compile()'s argument: a positive integer or "auto"; anything else is refused, naming what to pass."""
    if value == "auto":
        return "auto"
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise ValueError(f"compile(steps_per_execution={value!r}): expected a positive integer or 'auto'")
    if int(value) < 1:
        raise ValueError(f"compile(steps_per_execution={value!r}): it must be at least 1 (1 runs one step per "
                         "dispatch), or 'auto' to let symk measure")
    return int(value)


class FixedSteps:
    """steps_per_execution=N: always N; nothing is timed."""

    timing = False

    def __init__(self, count: int):
        self.count = count

    def next_count(self) -> int:
        return self.count

    def count_for(self, remaining: int) -> int:
        """Steps of the next execution when `remaining` steps are left in the epoch: a shorter last
        execution, as asked (one compile more for its size)."""
        return min(self.count, remaining)

    def epoch_steps(self, steps: int) -> None:
        pass

    def record(self, count: int, seconds: float) -> None:
        pass


class MeasuredSteps:
    """steps_per_execution="auto": 1 or N chosen by timing both (see the module docstring)."""

    def __init__(self):
        self.candidate, self.chosen = 1, None
        self.limit = MAX_STEPS
        self.times: dict = {}       # steps per execution -> timed seconds of each execution
        self.seen: dict = {}        # steps per execution -> executions run (the first one compiles)

    @property
    def timing(self) -> bool:
        return self.chosen is None

    def next_count(self) -> int:
        return self.chosen if self.chosen is not None else self.candidate

    def count_for(self, remaining: int) -> int:
        """An epoch's tail shorter than N runs as single steps: the one-step program is compiled already,
        where a program for the tail's length would be one compile more (and, since the choice is made
        mid-epoch, another one for the next epoch's tail)."""
        count = self.next_count()
        return count if count <= remaining else 1

    def epoch_steps(self, steps: int) -> None:
        """An epoch of `steps` steps: a candidate must fit enough timed executions into about one epoch."""
        self.limit = max(2, min(MAX_STEPS, steps // (TIMED_EXECUTIONS + 2)))

    def record(self, count: int, seconds: float) -> None:
        if self.chosen is not None or count != self.candidate:
            return  # the epoch's shorter last execution says nothing about a full one
        self.seen[count] = self.seen.get(count, 0) + 1
        if self.seen[count] == 1:
            return
        runs = self.times.setdefault(count, [])
        runs.append(seconds)
        if len(runs) < TIMED_EXECUTIONS:
            return
        per_step = statistics.median(runs) / count
        if count == 1:
            if per_step >= PROBE_THRESHOLD_S:
                self.chosen = 1
            else:
                self.candidate = self.limit
        else:
            one = statistics.median(self.times[1])
            self.chosen = count if per_step < IMPROVEMENT * one else 1

    def per_step_seconds(self) -> dict:
        """{steps per execution: median seconds per step} of what was timed (for reports and tests)."""
        return {n: statistics.median(t) / n for n, t in self.times.items() if t}


def tuner_for(value):
    return MeasuredSteps() if value == "auto" else FixedSteps(max(1, int(value or 1)))


def timed(tuner, run, count: int, block):
    """run() (one execution of `count` steps); when the tuner is measuring, waits for the result and records
    the time. `block` waits for the execution's outputs (jax.block_until_ready on the carry)."""
    if not tuner.timing:
        return run()
    start = time.perf_counter()
    result = block(run())
    tuner.record(count, time.perf_counter() - start)
    return result
