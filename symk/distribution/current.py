"""The distribution in effect: `distribution()`, `set_distribution(d)` (also usable as
`with set_distribution(d): ...`, which restores the previous one on exit).

    symk.distribution.set_distribution(symk.distribution.DataParallel())   # the one line
"""
from __future__ import annotations

_current = {"distribution": None}


def distribution():
    """The current Distribution, or None (single device)."""
    return _current["distribution"]


class _Setting:
    """What set_distribution returns: ignorable, or a context manager that undoes the setting."""

    def __init__(self, previous):
        self._previous = previous

    def __enter__(self):
        return distribution()

    def __exit__(self, *exc) -> None:
        _current["distribution"] = self._previous


def set_distribution(value) -> _Setting:
    """Make `value` (a Distribution, or None for one device) the global distribution."""
    from .strategies import Distribution

    if value is not None and not isinstance(value, Distribution):
        raise ValueError(f"set_distribution expects a Distribution (DataParallel, ModelParallel) or None; got "
                         f"{type(value).__name__}")
    previous = _current["distribution"]
    _current["distribution"] = value
    return _Setting(previous)
