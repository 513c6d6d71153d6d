"""Callback base class with every Keras hook, the list that dispatches them, History and
ProgbarLogger (added by fit/evaluate/predict as Keras adds them)."""
from __future__ import annotations

from ..distribution.host_files import writes_files
from ..io_utils import print_msg
from ..training.progbar import Progbar


class Callback:
    """Override any `on_*` hook; `self.model` and `self.params` are set by fit()."""

    def __init__(self):
        self.model = None
        self.params = {}
        self.validation_data = None

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params

    def on_train_begin(self, logs=None): pass
    def on_train_end(self, logs=None): pass
    def on_epoch_begin(self, epoch, logs=None): pass
    def on_epoch_end(self, epoch, logs=None): pass
    def on_train_batch_begin(self, batch, logs=None): self.on_batch_begin(batch, logs)
    def on_train_batch_end(self, batch, logs=None): self.on_batch_end(batch, logs)
    def on_batch_begin(self, batch, logs=None): pass
    def on_batch_end(self, batch, logs=None): pass
    def on_test_begin(self, logs=None): pass
    def on_test_end(self, logs=None): pass
    def on_test_batch_begin(self, batch, logs=None): pass
    def on_test_batch_end(self, batch, logs=None): pass
    def on_predict_begin(self, logs=None): pass
    def on_predict_end(self, logs=None): pass
    def on_predict_batch_begin(self, batch, logs=None): pass
    def on_predict_batch_end(self, batch, logs=None): pass

    def _uses_batch_hooks(self) -> bool:
        """True when a subclass overrides a per-batch hook (then fit keeps Variables current per step)."""
        hooks = ("on_batch_begin", "on_batch_end", "on_train_batch_begin", "on_train_batch_end",
                 "on_test_batch_begin", "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end")
        return any(getattr(type(self), h) is not getattr(Callback, h) for h in hooks)


class CallbackList:
    """Calls each hook on every callback in order."""

    def __init__(self, callbacks=None, model=None, params=None):
        self.callbacks = list(callbacks or [])
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks must be Callback instances; got {type(cb).__name__} ({cb!r})")
            if model is not None:
                cb.set_model(model)
            if params is not None:
                cb.set_params(params)

    def __getattr__(self, hook):
        if not hook.startswith("on_"):
            raise AttributeError(hook)
        # made once per list and hook (kept in __dict__): a per-batch hook no callback overrides costs
        # nothing, which matters for short training steps
        dispatch = self._dispatcher(hook) if any(_overrides(cb, hook) for cb in self.callbacks) else _nothing
        self.__dict__[hook] = dispatch
        return dispatch

    def _dispatcher(self, hook):
        indexed = hook in _INDEXED_HOOKS

        def dispatch(*args, **kwargs):
            # Keras: every hook gets a logs dict (empty where there is nothing to report), nested
            # result dicts lifted to the top level
            args = list(args)
            logs = kwargs.pop("logs", None)
            if len(args) > int(indexed):
                logs = args.pop()
            logs = _as_logs(logs)
            for cb in self.callbacks:
                getattr(cb, hook)(*args, logs, **kwargs)

        return dispatch

    def uses_batch_hooks(self, ignore=()) -> bool:
        return any(cb._uses_batch_hooks() for cb in self.callbacks if not isinstance(cb, ignore))


def _nothing(*args, **kwargs):
    return None


# Callback's own on_train_batch_* call these: a callback that overrides only on_batch_end still wants them
_BATCH_ALIASES = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


def _overrides(cb, hook) -> bool:
    """Whether `cb` does something in `hook`: a method of its own class, or a function set on the instance
    (LambdaCallback); Callback's empty methods do nothing."""
    bound = getattr(cb, hook, None)
    if bound is None or getattr(bound, "__func__", None) is not getattr(Callback, hook, None):
        return True
    alias = _BATCH_ALIASES.get(hook)
    return alias is not None and _overrides(cb, alias)


_INDEXED_HOOKS = {"on_epoch_begin", "on_epoch_end", "on_batch_begin", "on_batch_end", "on_train_batch_begin",
                  "on_train_batch_end", "on_test_batch_begin", "on_test_batch_end", "on_predict_batch_begin",
                  "on_predict_batch_end"}


def _as_logs(logs):
    if logs is None:
        return {}
    if isinstance(logs, dict) and any(isinstance(v, dict) for v in logs.values()):
        flat = {}
        for key, value in logs.items():
            flat.update(_as_logs(value) if isinstance(value, dict) else {key: value})
        return flat
    return logs


class History(Callback):
    """Records each epoch's logs: `history.history['loss']` is one value per epoch."""

    def __init__(self):
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)


class ProgbarLogger(Callback):
    """The progress display of fit (per `verbose`), evaluate and predict. Batch hooks only
    advance the bar; the full line is drawn once, at the end of the epoch (or pass), with
    its final logs, as Keras's ProgbarLogger finalizes in on_epoch_end."""

    def __init__(self, count_mode: str = "steps", verbose: int = 1):
        super().__init__()
        self.verbose = verbose
        self._bar = None
        self._epochs = 1

    def _new_bar(self):
        return Progbar(self.params.get("steps"), verbose=self.verbose)

    def _shows(self) -> bool:
        """Several processes run the same loop: only process 0 prints (one bar, not one per host)."""
        return bool(self.verbose) and writes_files()

    def on_train_begin(self, logs=None):
        self._epochs = self.params.get("epochs", 1)
        self._in_fit = True  # fit's validation passes draw no bar of their own (as Keras's)

    def on_train_end(self, logs=None):
        self._in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        if self._shows():
            print_msg(f"Epoch {epoch + 1}/{self._epochs}")
        self._bar = self._new_bar() if writes_files() else None

    def on_train_batch_end(self, batch, logs=None):
        if self._bar is not None:
            self._bar.update(batch + 1, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self._bar is not None:
            self._bar.finish(logs)
            self._bar = None

    def on_test_begin(self, logs=None):
        if not self._fitting() and self._shows():
            self._bar = self._new_bar()

    def on_test_batch_end(self, batch, logs=None):
        if not self._fitting() and self._bar is not None:
            self._bar.update(batch + 1, logs)

    def _fitting(self) -> bool:
        return bool(self.params.get("in_fit") or getattr(self, "_in_fit", False))

    def on_test_end(self, logs=None):
        if not self._fitting() and self._bar is not None:
            self._bar.finish(logs)
            self._bar = None

    def on_predict_begin(self, logs=None):
        if self._shows():
            self._bar = self._new_bar()

    def on_predict_batch_end(self, batch, logs=None):
        if self._bar is not None:
            self._bar.update(batch + 1)

    def on_predict_end(self, logs=None):
        if self._bar is not None:
            self._bar.finish()
            self._bar = None
