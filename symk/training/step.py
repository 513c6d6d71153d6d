"""The jitted train and test steps: forward, loss, gradients, optax update, constraints and
metric accumulation in one XLA computation, with the carried buffers donated.

Array data lives on the device; a step receives the epoch's index table and its row number
and gathers its own batch, so a step costs the host one dispatch. With
`compile(steps_per_execution=N)` one dispatch runs N steps (a `lax.scan` over N rows of the
table, or over N stacked batches from an iterable). With `compile(run_eagerly=True)` the same
step functions run op by op under `jax.disable_jit()` (a debugging path: same numbers, slower).
"""
from __future__ import annotations

import functools
from functools import partial

import jax
import jax.numpy as jnp

from ..optimizers.slots import stage_on_device
from ..passes.derived import with_derived
from ..passes.logits_loss import expose_logits, split_logits


class Steps:
    """Train/test step functions of one compiled model (built lazily, cached by jax.jit)."""

    def __init__(self, model, compiled, optimizer, extra_loss_count: int = 0, trainable=None):
        self.model, self.compiled, self.optimizer = model, compiled, optimizer
        # numerics: crossentropy on a softmax/sigmoid output reads its logits, which these programs
        # return after their outputs (symk.passes.logits_loss; off when 'stabilize' is not in the pipeline)
        kinds = [None if entry is None else entry[0] for entry in compiled.logit_losses]
        self.train_program = expose_logits(model._training_program(True), kinds, model._optimize, "training")
        self.test_program = expose_logits(model._training_program(False), kinds, model._optimize, "inference")
        self.n_outputs = len(model.outputs)
        # the weights trained: those trainable at compile() time (the model passes them)
        trainable = {id(v) for v in (model.trainable_weights if trainable is None else trainable)}
        variables = self.train_program.variables
        self.param_paths = [p for p, v in variables.items() if id(v) in trainable]
        self.state_paths = [p for p, v in variables.items() if id(v) not in trainable]
        self.regularized = [(p, variables[p].regularizer) for p in self.param_paths
                            if variables[p].regularizer is not None]
        self.constrained = [(p, variables[p].constraint) for p in self.param_paths
                            if variables[p].constraint is not None]
        self.variables = variables
        # NOTE: XLA:CPU leaves backward convolutions inside a lax.scan body in a layout that falls back to a
        # slow generic kernel (the tutorial CNN: 38 instead of 495 samples/s at steps_per_execution=10);
        # a Python loop inside the one jit keeps the fast kernels, so such models unroll their executions
        self.unroll_executions = _has_op_family(self.train_program, CONVOLUTION_FAMILIES)
        self.eager = bool(getattr(model, "run_eagerly", False))
        compile_step = _run_eagerly if self.eager else jax.jit
        self.train_batch = compile_step(self._train_batch, donate_argnums=(0,))
        self.train_indexed = compile_step(self._train_indexed, donate_argnums=(0,))
        # the number of steps in one execution is static: scan needs its length at trace time
        self.train_rows = compile_step(self._train_rows, donate_argnums=(0,), static_argnums=(5,))
        self.train_stacked = compile_step(self._train_stacked, donate_argnums=(0,))
        # test steps donate only the metric sums: the weights stay the Variables' own arrays
        self.test_batch = compile_step(self._test_batch, donate_argnums=(0,))
        self.test_indexed = compile_step(self._test_indexed, donate_argnums=(0,))
        self.results = compile_step(compiled.results)

    # -- carried state --------------------------------------------------------------------
    def initial_carry(self, rng) -> dict:
        stage_on_device(self.variables.values())
        params = {p: self.variables[p].device_value() for p in self.param_paths}
        state = {p: self.variables[p].device_value() for p in self.state_paths}
        return {"params": params, "state": state, "opt": self.optimizer._state_from_variables(params),
                "metrics": self.compiled.initial_metric_state(), "rng": rng}

    def with_host_learning_rate(self, carry: dict) -> dict:
        """A zero-argument callable learning rate (Keras 3) is read on the host before each
        execution, so a value it returns later reaches the compiled step as data."""
        opt = self.optimizer._with_host_learning_rate(carry["opt"])
        return carry if opt is carry["opt"] else {**carry, "opt": opt}

    def fresh_metrics(self, carry: dict) -> dict:
        return {**carry, "metrics": self.compiled.initial_metric_state()}

    def write_back(self, carry: dict) -> None:
        """Weights and optimizer state back into the Variables (device arrays: no host copy)."""
        for path, value in carry["params"].items():
            self.variables[path].set_value(value)
        for path, value in carry["state"].items():
            self.variables[path].set_value(value)
        self.optimizer._write_state(carry["opt"])

    # -- pieces ---------------------------------------------------------------------------
    def _penalties(self, params, extra_losses):
        total = jnp.zeros((), jnp.float32)
        for path, regularizer in self.regularized:
            total = total + jnp.asarray(regularizer(params[path]), jnp.float32)
        for value in extra_losses:
            total = total + jnp.sum(jnp.asarray(value, jnp.float32))
        return total

    def _forward_loss(self, params, state, xs, ys, sws, mask, rng, consts, training):
        program = self.train_program if training else self.test_program
        if not training:
            # the inference pipeline may read folded weights: derive them from the weights being trained
            state = with_derived(program, {**params, **state})
        outputs, new_state = program(params, state, xs, rng, consts, training=training)
        outputs, logits = split_logits(program, outputs)
        preds, extra = outputs[:self.n_outputs], outputs[self.n_outputs:]
        total, per_output = self.compiled.loss_values(ys, preds, sws, mask, logits)
        total = total + self._penalties(params, extra)
        return total, (preds, per_output, new_state)

    def _scaled_forward_loss(self, params, opt_state, *args):
        """The loss the gradients are taken of: scaled by the optimizer (loss_scale_factor,
        LossScaleOptimizer's dynamic scale), with the unscaled loss kept for the logs."""
        total, aux = self._forward_loss(params, *args)
        return self.optimizer._scale_loss(total, opt_state), (total, aux)

    def _train(self, carry, xs, ys, sws, mask):
        rng, step_rng = jax.random.split(carry["rng"])
        grad_fn = jax.value_and_grad(self._scaled_forward_loss, has_aux=True)
        (_, (loss, (preds, per_output, new_state))), grads = grad_fn(
            carry["params"], carry["opt"], carry["state"], xs, ys, sws, mask, step_rng, self.train_program.consts,
            True)
        params, opt = self.optimizer._apply(grads, carry["params"], carry["opt"])
        for path, constraint in self.constrained:
            params[path] = constraint(params[path])
        state = {**carry["state"], **{p: v for p, v in new_state.items() if p in carry["state"]}}
        metrics = self.compiled.update_metrics(carry["metrics"], loss, per_output, ys, preds, sws, mask)
        return {"params": params, "state": state, "opt": opt, "metrics": metrics, "rng": rng}

    def weights(self) -> dict:
        """The current weights for test steps (not donated)."""
        return {"params": {p: self.variables[p].device_value() for p in self.param_paths},
                "state": {p: self.variables[p].device_value() for p in self.state_paths}}

    def _test(self, metrics, weights, xs, ys, sws, mask):
        loss, (preds, per_output, _) = self._forward_loss(
            weights["params"], weights["state"], xs, ys, sws, mask, jax.random.PRNGKey(0), self.test_program.consts,
            False)
        return self.compiled.update_metrics(metrics, loss, per_output, ys, preds, sws, mask)

    # -- entry points ---------------------------------------------------------------------
    def _train_batch(self, carry, xs, ys, sws, mask):
        return self._train(carry, xs, ys, sws, mask)

    def _test_batch(self, metrics, weights, xs, ys, sws, mask):
        return self._test(metrics, weights, xs, ys, sws, mask)

    @staticmethod
    def _gather(data, order, mask, row):
        index = jax.lax.dynamic_index_in_dim(order, row, keepdims=False)
        take = partial(jnp.take, indices=index, axis=0)
        xs, ys, sws = data
        return ([take(a) for a in xs], [take(a) for a in ys],
                None if sws is None else [None if w is None else take(w) for w in sws],
                jax.lax.dynamic_index_in_dim(mask, row, keepdims=False))

    def _train_indexed(self, carry, data, order, mask, row):
        xs, ys, sws, batch_mask = self._gather(data, order, mask, row)
        return self._train(carry, xs, ys, sws, batch_mask)

    def _test_indexed(self, metrics, weights, data, order, mask, row):
        xs, ys, sws, batch_mask = self._gather(data, order, mask, row)
        return self._test(metrics, weights, xs, ys, sws, batch_mask)

    def _train_rows(self, carry, data, order, mask, first_row, count: int):
        """`count` train steps over rows first_row .. first_row + count - 1 of the epoch's table."""
        if self.unroll_executions:
            for k in range(count):
                carry = self._train_indexed(carry, data, order, mask, first_row + k)
            return carry

        def one_step(carry, row):
            return self._train_indexed(carry, data, order, mask, row), None

        carry, _ = jax.lax.scan(one_step, carry, first_row + jnp.arange(count, dtype=jnp.int32))
        return carry

    def _train_stacked(self, carry, xs, ys, sws, mask):
        """One train step per leading index of batches stacked along a new first axis."""
        def one_step(carry, batch):
            return self._train(carry, *batch), None

        if self.unroll_executions:
            for k in range(mask.shape[0]):
                batch = jax.tree_util.tree_map(lambda a, k=k: a[k], (xs, ys, sws, mask))
                carry = self._train(carry, *batch)
            return carry
        carry, _ = jax.lax.scan(one_step, carry, (xs, ys, sws, mask))
        return carry


# the op families (the ops/ modules that declare them) whose kernels a scanned multi-step body slows down
CONVOLUTION_FAMILIES = ("symk.ops.conv",)


def _has_op_family(program, families) -> bool:
    return any(getattr(step.op.lower, "__module__", "") in families for step in program.steps)


def _run_eagerly(fn, donate_argnums=(), static_argnums=()):
    """jax.jit's stand-in for run_eagerly=True: every jnp/lax call runs at once on concrete
    arrays (print and breakpoints work inside losses, metrics and layers)."""
    @functools.wraps(fn)
    def eager(*args):
        with jax.disable_jit():
            return fn(*args)

    return eager
