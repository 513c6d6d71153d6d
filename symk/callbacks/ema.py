"""SwapEMAWeights: evaluate (and predict) with the optimizer's moving averages of the weights (Keras 3).

    model.compile(optimizer=symk.optimizers.SGD(use_ema=True), loss="mse")
    model.fit(x, y, validation_data=(xv, yv), callbacks=[symk.callbacks.SwapEMAWeights(swap_on_epoch=True)])

Before evaluation the model's trainable weights and their moving averages trade places; after it they
trade back, so training goes on from the raw weights. With `swap_on_epoch=True` the swap happens at each
epoch's end (so checkpoints written then hold the averages) and is undone when the next epoch begins.
"""
from __future__ import annotations

from .base import Callback

__all__ = ["SwapEMAWeights"]


def _ema_optimizer(model):
    optimizer = getattr(model, "optimizer", None)
    optimizer = getattr(optimizer, "inner_optimizer", optimizer)  # LossScaleOptimizer keeps the averages inside
    if optimizer is None or not getattr(optimizer, "use_ema", False):
        raise ValueError("SwapEMAWeights must be used when `use_ema=True` is set on the optimizer. Received: "
                         f"use_ema={getattr(optimizer, 'use_ema', None)} (compile the model with, for example, "
                         "symk.optimizers.Adam(use_ema=True))")
    return optimizer


class SwapEMAWeights(Callback):
    def __init__(self, swap_on_epoch: bool = False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _averages(self) -> list:
        """(weight Variable, its average Variable) pairs; empty before the optimizer has made its slots."""
        optimizer = _ema_optimizer(self.model)
        averages = optimizer._own_variables.get("average") or {}
        return [(weight, averages[weight.path]) for weight in self.model.trainable_weights if weight.path in averages]

    def _swap(self) -> None:
        for weight, average in self._averages():
            raw = weight.numpy()
            weight.set_value(average.numpy())
            average.set_value(raw)

    def _finalize(self) -> None:
        """At the last epoch's end the averages are the model's weights; the slots hold them too (as Keras)."""
        for weight, average in self._averages():
            average.set_value(weight.numpy())

    def _to_averages(self) -> None:
        if not self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = True

    def _to_raw(self) -> None:
        if self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = False

    def on_train_begin(self, logs=None):
        _ema_optimizer(self.model)  # the clear error now, not after the first epoch

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch:
            self._to_raw()

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._to_averages()
            if epoch == self.params.get("epochs", 0) - 1:
                self._finalize()

    def on_test_begin(self, logs=None):
        self._to_averages()

    def on_test_end(self, logs=None):
        self._to_raw()

    # NOTE: Keras 3.15's on_predict_end tests the flag the wrong way round and leaves the averages in the
    # model after predict(); symk swaps back, as its documentation says it does.
    def on_predict_begin(self, logs=None):
        self._to_averages()

    def on_predict_end(self, logs=None):
        self._to_raw()
