"""keras.utils.Progbar: the progress bar users drive themselves in a hand-written loop.

    bar = Progbar(target=100)
    for step in range(100):
        bar.update(step + 1, values=[("loss", loss)])     # shows the mean loss so far

Values named in `stateful_metrics` are shown as given; the others as their mean over the steps
seen, weighted by the steps each update covers (Keras's rule). Drawing is symk's training bar.
"""
from __future__ import annotations

from ..training.progbar import Progbar as _Bar


class Progbar:
    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None, unit_name="step"):
        self.target, self.width, self.verbose, self.interval = target, width, verbose, interval
        self.stateful_metrics = set(stateful_metrics or ())
        self.unit_name = unit_name
        self._values: dict = {}
        self._seen_so_far = 0
        self._bar = _Bar(target, verbose=verbose, refresh_seconds=interval, unit_name=unit_name)

    def _means(self) -> dict:
        return {k: (v[0] / max(1, v[1]) if k not in self.stateful_metrics else v) for k, v in self._values.items()}

    def update(self, current, values=None, finalize=None):
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or []:
            if name in self.stateful_metrics:
                self._values[name] = float(value)
                continue
            covered = max(current - self._seen_so_far, 1)
            total, count = self._values.get(name, (0.0, 0))
            self._values[name] = (total + float(value) * covered, count + covered)
        self._seen_so_far = current
        if finalize:
            self._bar.seen = current
            self._bar.finish(self._means())
        else:
            self._bar.update(current, self._means())

    def add(self, n, values=None):
        self.update(self._seen_so_far + n, values)
