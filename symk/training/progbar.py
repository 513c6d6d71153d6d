"""Keras's progress display: `verbose=1` a per-epoch bar
(" 5/32 [===>..........................] - ETA: 1s - loss: 0.1000 - accuracy: 0.5000", ending
"32/32 [==============================] - 0s 2ms/step - loss: ..."), `verbose=2` one line per epoch.

On a terminal (or in a notebook) the bar redraws in place with tqdm. When stdout is a pipe or a
file (CI logs) nothing is redrawn: each shown update is a line of its own, as Keras's Progbar
does without a dynamic display, and the final line is written once.
NOTE: Keras 3 also treats every POSIX system as a dynamic display ('posix' in sys.modules), so
real Keras writes '\\r' into Linux pipes too; symk follows the intent (clean logs) instead.

Showing values fetches them from the device, so updates are shown at most every
`refresh_seconds`, never every step; the time shown is taken after the values were fetched, so
it counts the device's work, not just the dispatches.
"""
from __future__ import annotations

import logging
import sys
import time

from tqdm import tqdm

from .. import config

BAR_WIDTH = 30


def format_value(value) -> str:
    value = float(value)
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def format_logs(logs) -> str:
    return "".join(f" - {k}: {format_value(v)}" for k, v in logs.items() if _is_number(v))


def _is_number(v) -> bool:
    try:
        float(v)
        return True
    except (TypeError, ValueError):
        return False


def format_time(seconds: float) -> str:
    """Keras's per-unit time: '2s', '15ms' or '300us'."""
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms"
    return f"{seconds * 1e6:.0f}us"


def format_eta(seconds: float) -> str:
    if seconds > 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds > 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{int(seconds)}s"


def is_dynamic_display(stream) -> bool:
    """True where a line can be redrawn in place: a terminal, or an IPython kernel."""
    return bool(getattr(stream, "isatty", None) and stream.isatty()) or "ipykernel" in sys.modules


def keras_count(current: int, target) -> str:
    if target is None:
        return f"{current:7d}/Unknown"
    return f"{current:{len(str(target))}d}/{target}"


def keras_bar(current: int, target: int) -> str:
    """'[=====>........]' as Keras 2 draws it (used where tqdm is not redrawing)."""
    done = int(BAR_WIDTH * current / target) if target else 0
    if done <= 0:
        return "[" + "." * BAR_WIDTH + "]"
    head = "=" if current >= target else ">"
    return "[" + "=" * (done - 1) + head + "." * (BAR_WIDTH - done) + "]"


class _KerasBar(tqdm):
    """tqdm with Keras's count (' 5/32') and tail (' - ETA: 1s - loss: ...') as format fields."""

    def __init__(self, *args, count_text: str = "", keras_text: str = "", **kwargs):
        self.count_text, self.keras_text = count_text, keras_text
        super().__init__(*args, **kwargs)

    @property
    def format_dict(self):
        return {**super().format_dict, "count": self.count_text, "keras": self.keras_text}



class LogStream:
    """Where progress goes when symk.config.disable_interactive_logging() is in force: Python's logging
    (logger 'symk', level INFO), one record per line."""

    def __init__(self):
        self._pending = ""

    def write(self, text: str) -> int:
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            if line.strip():
                logging.getLogger("symk").info(line)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


class Progbar:
    """One epoch's (or one evaluate/predict pass's) progress; `target` may be None (unknown).

        bar = Progbar(32); bar.update(5, logs); ...; bar.finish(epoch_logs)
    """

    def __init__(self, target, verbose: int = 1, refresh_seconds: float = 0.5, unit_name: str = "step", file=None,
                 dynamic=None):
        self.target, self.verbose, self.refresh_seconds = target, verbose, refresh_seconds
        self.unit_name = unit_name
        self.file = file or (sys.stdout if config.is_interactive_logging_enabled() else LogStream())
        self.dynamic = is_dynamic_display(self.file) if dynamic is None else bool(dynamic)
        self.start = time.perf_counter()
        self.after_first_step = None
        # a terminal shows the first step at once (as Keras does); a log waits a full interval
        self.last_shown = 0.0 if self.dynamic else self.start
        self.seen = 0
        self.bar = None
        self.finished = False

    def _time_per_step(self, current: int, now: float) -> float:
        """Keras's estimate: the first step (which compiles) is left out once there are more."""
        if not current:
            return 0.0
        if self.after_first_step is not None and current > 1:
            return (now - self.after_first_step) / (current - 1)
        return (now - self.start) / current

    def update(self, current: int, logs=None) -> None:
        """Progress to `current` steps; `logs` (possibly lazy) are read only when shown."""
        self.seen = current
        if current == 1 and self.after_first_step is None:
            self.after_first_step = time.perf_counter()
        if self.verbose != 1 or self.finished:
            return
        if time.perf_counter() - self.last_shown < self.refresh_seconds:
            return
        if self.target is not None and current >= self.target:
            return  # the full bar is drawn once, by finish(), with the epoch's logs
        values = format_logs(logs) if logs is not None else ""   # fetching waits for the device
        now = time.perf_counter()
        self.last_shown = now
        if self.target is not None:
            tail = f" - ETA: {format_eta(self._time_per_step(current, now) * (self.target - current))}"
        else:
            tail = f" - {now - self.start:.0f}s {format_time(self._time_per_step(current, now))}/{self.unit_name}"
        self._show(current, tail + values, final=False)

    def finish(self, logs=None) -> None:
        """The final line: total time, time per step and `logs`, written once."""
        if self.finished:
            return
        self.finished = True
        if self.target is None:
            self.target = self.seen
        values = format_logs(logs) if logs else ""
        now = time.perf_counter()
        per_step = f"{format_time(self._time_per_step(self.seen, now))}/{self.unit_name}"
        if self.verbose == 1:
            self._show(self.seen, f" - {now - self.start:.0f}s {per_step}" + values, final=True)
        elif self.verbose == 2:
            print(f"{keras_count(self.seen, self.target)} - {now - self.start:.0f}s - {per_step}{values}",
                  file=self.file, flush=True)

    def _show(self, current: int, tail: str, final: bool) -> None:
        count = keras_count(current, self.target)
        if not self.dynamic:
            bar = f" {keras_bar(current, self.target)}" if self.target else ""
            print(f"{count}{bar}{tail}", file=self.file, flush=True)
            return
        layout = "{count} [{bar:%d}]{keras}" % BAR_WIDTH if self.target else "{count}{keras}"
        if self.bar is None:
            # created on the first display (which draws it), so no empty '0/N' line is ever drawn
            self.bar = _KerasBar(total=self.target, initial=current, file=self.file, ascii=".=", leave=True,
                                 bar_format=layout, mininterval=float("inf"), count_text=count, keras_text=tail)
            drawn = True
        else:
            drawn = False
        self.bar.count_text, self.bar.keras_text, self.bar.bar_format = count, tail, layout
        self.bar.total = self.target
        self.bar.n = current
        if final:
            self.bar.close()  # redraws the line in place with the final text, then a newline
        elif not drawn:
            self.bar.refresh()
