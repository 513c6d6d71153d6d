"""Keras's progress display on tqdm: `verbose=1` a live bar per epoch
("32/32 [==============================] - 0s 2ms/step - loss: 0.1000 - accuracy: 0.5000"),
`verbose=2` one line per epoch. Values are fetched from the device at most every
`refresh_seconds`, never every step."""
from __future__ import annotations

import sys
import time

from tqdm import tqdm


def format_value(value) -> str:
    value = float(value)
    return f"{value:.4f}" if value == 0 or abs(value) >= 1e-3 else f"{value:.4e}"


def format_logs(logs) -> str:
    return "".join(f" - {k}: {format_value(v)}" for k, v in logs.items() if _is_number(v))


def _is_number(v) -> bool:
    try:
        float(v)
        return True
    except (TypeError, ValueError):
        return False


def format_time(seconds: float) -> str:
    return f"{seconds:.0f}s" if seconds >= 1 or seconds == 0 else f"{seconds * 1000:.0f}ms"


class _KerasBar(tqdm):
    """tqdm with a `{keras}` field for Keras's ' - 2ms/step - loss: ...' tail."""

    keras_text = ""

    @property
    def format_dict(self):
        return {**super().format_dict, "keras": self.keras_text}


class Progbar:
    """One epoch's (or one evaluate/predict pass's) progress; `target` may be None (unknown)."""

    def __init__(self, target, verbose: int = 1, refresh_seconds: float = 0.5, unit_name: str = "step", file=None):
        self.target, self.verbose, self.refresh_seconds = target, verbose, refresh_seconds
        self.unit_name = unit_name
        self.file = file or sys.stdout
        self.start = time.perf_counter()
        self.last_refresh = 0.0
        self.seen = 0
        self.bar = None
        if verbose == 1:
            self.bar = _KerasBar(total=target, file=self.file, ascii=".=", leave=True,
                                 bar_format="{n_fmt}/{total_fmt} [{bar:30}] - {elapsed_s:.0f}s {keras}",
                                 mininterval=refresh_seconds)

    def update(self, current: int, logs=None, finalize: bool = False) -> None:
        """Advance to `current` steps; `logs` (possibly lazy) are read only when the bar redraws."""
        step = current - self.seen
        self.seen = current
        now = time.perf_counter()
        if self.bar is None:
            return
        if finalize or now - self.last_refresh >= self.refresh_seconds:
            self.last_refresh = now
            per_step = (now - self.start) / max(current, 1)
            text = f"{format_time(per_step)}/{self.unit_name}" + (format_logs(logs) if logs is not None else "")
            self.bar.keras_text = text
        self.bar.update(step)

    def finish(self, logs=None) -> None:
        elapsed = time.perf_counter() - self.start
        per_step = elapsed / max(self.seen, 1)
        text = f"{format_time(per_step)}/{self.unit_name}" + (format_logs(logs) if logs else "")
        if self.bar is not None:
            if self.bar.total is None:
                self.bar.total = self.seen
            self.bar.keras_text = text
            self.bar.refresh()
            self.bar.close()
        elif self.verbose == 2:
            print(f"{self.seen}/{self.seen} - {format_time(elapsed)} - {text}", file=self.file, flush=True)
