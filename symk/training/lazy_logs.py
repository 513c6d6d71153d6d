"""Logs handed to per-batch callbacks: the metric values are fetched from the device only
if a callback reads them (so a step never waits on the device just to fill a dict)."""
from __future__ import annotations

from collections.abc import Mapping


class LazyLogs(Mapping):
    def __init__(self, compute):
        self._compute = compute
        self._values = None

    def _materialize(self) -> dict:
        if self._values is None:
            self._values = {k: float(v) for k, v in self._compute().items()}
        return self._values

    @property
    def fetched(self) -> bool:
        """True once some reader made the values come from the device (checking costs nothing then)."""
        return self._values is not None

    def __getitem__(self, key):
        return self._materialize()[key]

    def __iter__(self):
        return iter(self._materialize())

    def __len__(self):
        return len(self._materialize())

    def copy(self) -> dict:
        return dict(self._materialize())

    def __repr__(self) -> str:
        return repr(self._materialize())
