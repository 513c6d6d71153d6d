"""Subprocess side of tests/test_distribution*.py: runs distribution scenarios on forced host
CPU devices (XLA_FLAGS must be set before jax is imported, hence a process of its own) and
prints one JSON line of results for the test to assert on.

    python tests/dist_worker.py scenarios OUT.json          # 8 devices, one process
    python tests/dist_worker.py multihost OUT.json PORT ID   # one of two processes, 2 devices each
    python tests/dist_worker.py reference OUT.json           # the multihost run on one device
"""
import json
import os
import sys

ROLE = sys.argv[1]
DEVICES = {"scenarios": 8, "multihost": 2, "reference": 1}[ROLE]
os.environ["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={DEVICES}"

import jax  # noqa: E402
import numpy as np  # noqa: E402

import symk as keras  # noqa: E402
from symk import distribution as dist  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.normal(size=(64, 6)).astype("float32")
Y = RNG.normal(size=(64, 4)).astype("float32")


def mlp(seed=1, optimizer="adam"):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.layers.Dense(16, activation="relu", input_shape=(6,)),
                              keras.layers.Dense(4)])
    model.compile(loss="mse", optimizer=keras.optimizers.get(optimizer), metrics=["mae"])
    return model


def fitted(distribution, shuffle=True, batch_size=16, epochs=2, data=None):
    """Weights, history, evaluation and predictions of a short fit under `distribution`."""
    model = mlp()
    with dist.set_distribution(distribution):
        x = (X, Y) if data is None else data
        history = model.fit(*x, batch_size=batch_size, epochs=epochs, verbose=0, shuffle=shuffle) if data is None \
            else model.fit(data, epochs=epochs, verbose=0)
        logs = model.evaluate(X, Y, batch_size=batch_size, verbose=0)
        preds = model.predict(X, batch_size=batch_size, verbose=0)
    return model, {"weights": [w.tolist() for w in model.get_weights()], "history": history.history,
                   "evaluate": logs, "predict": np.asarray(preds).tolist()}


def step_has_all_reduce(model, distribution) -> bool:
    """The compiled train step of a data-parallel fit reduces gradients with XLA's all-reduce."""
    from symk.distribution import placement
    from symk.training import data_adapter as da

    with dist.set_distribution(distribution):
        steps = model._steps
        carry = placement.place_carry(steps, steps.initial_carry(jax.random.PRNGKey(0)))
        data = placement.place_dataset(([jax.numpy.asarray(X)], [jax.numpy.asarray(Y)], None))
        plan = placement.place_plan(da.plan_epoch(len(X), 16, False))
        text = steps.train_indexed.lower(carry, data, plan.order, plan.mask, 0).compile().as_text()
    return "all-reduce" in text


class CustomStep(keras.Model):
    """A Keras 3 JAX-style train_step written by hand (stateless call, grads, optimizer)."""

    def train_step(self, state, data):
        trainable, non_trainable, optimizer_vars, metrics_vars = state
        x, y = data

        def loss_fn(trainable):
            y_pred, _ = self.stateless_call(trainable, non_trainable, x, training=True)
            return jax.numpy.mean((y_pred - y) ** 2)

        loss, grads = jax.value_and_grad(loss_fn)(trainable)
        trainable, optimizer_vars = self.optimizer.stateless_apply(optimizer_vars, grads, trainable)
        return {"loss": loss}, (trainable, non_trainable, optimizer_vars, metrics_vars)


def custom_fitted(distribution):
    keras.utils.set_random_seed(2)
    inputs = keras.Input(shape=(6,))
    model = CustomStep(inputs, keras.layers.Dense(4)(keras.layers.Dense(8, activation="tanh")(inputs)))
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9), loss="mse")
    with dist.set_distribution(distribution):
        model.fit(X, Y, batch_size=16, epochs=2, verbose=0, shuffle=False)
    return [w.tolist() for w in model.get_weights()]


def scenarios(out_path):
    devices = dist.list_devices()
    results = {"devices": devices, "device_count": dist.get_device_count()}
    _, results["single"] = fitted(None)
    model_dp8, results["dp8"] = fitted(dist.DataParallel(devices=devices))
    _, results["dp4"] = fitted(dist.DataParallel(devices=devices[:4]))
    results["dp8_all_reduce"] = step_has_all_reduce(model_dp8, dist.DataParallel(devices=devices))
    results["dp8_kernel_spec"] = str(model_dp8.layers[0].kernel.value.sharding.spec)

    # batches from a generator: placed batch by batch
    batches = [(X[i:i + 16], Y[i:i + 16]) for i in range(0, 64, 16)]
    _, results["dp8_batches"] = fitted(dist.DataParallel(devices=devices), data=batches, epochs=1)
    _, results["single_batches"] = fitted(None, data=batches, epochs=1)

    # model parallel on a 2x4 mesh: batch split 2 ways, kernels' columns 4 ways
    mesh = dist.DeviceMesh(shape=(2, 4), axis_names=("batch", "model"), devices=devices)
    layout_map = dist.LayoutMap(mesh)
    layout_map["dense.*kernel"] = (None, "model")
    layout_map["dense.*bias"] = ("model",)
    parallel = dist.ModelParallel(layout_map=layout_map, batch_dim_name="batch")
    model_mp, results["mp"] = fitted(parallel)
    kernel = model_mp.layers[0].kernel.value
    results["mp_kernel"] = {"spec": str(kernel.sharding.spec), "shard_shapes": sorted({tuple(s.data.shape) for s in
                                                                                        kernel.addressable_shards}),
                            "devices": len(kernel.sharding.device_set)}
    slot = next(v for v in model_mp.optimizer.variables if tuple(v.shape) == (6, 16))
    results["mp_slot_spec"] = str(getattr(slot.value, "sharding", None) and slot.value.sharding.spec)

    # the clear error: 8 devices cannot split batches of 12
    try:
        with dist.set_distribution(dist.DataParallel(devices=devices)):
            mlp().fit(X, Y, batch_size=12, epochs=1, verbose=0)
        results["indivisible_error"] = None
    except ValueError as err:
        results["indivisible_error"] = str(err)

    # save under the mesh, load on one device (and again under the mesh: re-sharded)
    path = os.path.join(os.path.dirname(out_path), "mp.weights.h5")
    with dist.set_distribution(parallel):
        model_mp.save_weights(path)
        results["mp_predict_saved"] = np.asarray(model_mp.predict(X, verbose=0)).tolist()
    fresh = mlp(seed=7)
    fresh.load_weights(path)
    results["loaded_predict"] = np.asarray(fresh.predict(X, verbose=0)).tolist()
    results["loaded_is_single_device"] = not isinstance(fresh.layers[0].kernel.value, jax.Array) or \
        len(fresh.layers[0].kernel.value.sharding.device_set) == 1
    with dist.set_distribution(parallel):
        again = mlp(seed=8)
        again.load_weights(path)
        results["reloaded_spec"] = str(again.layers[0].kernel.value.sharding.spec)
        results["reloaded_predict"] = np.asarray(again.predict(X, verbose=0)).tolist()

    results["custom_single"] = custom_fitted(None)
    results["custom_dp8"] = custom_fitted(dist.DataParallel(devices=devices))
    with open(out_path, "w") as f:
        json.dump(results, f)


def multihost_fit(checkpoint=None):
    """The run both processes make (and the reference makes alone): a short data-parallel fit."""
    model = mlp(optimizer="sgd")
    distribution = dist.DataParallel() if jax.process_count() > 1 else None
    callbacks = [] if checkpoint is None else [keras.callbacks.ModelCheckpoint(checkpoint, save_weights_only=True,
                                                                               monitor="loss")]
    with dist.set_distribution(distribution):
        history = model.fit(X, Y, batch_size=16, epochs=2, verbose=1, shuffle=True, callbacks=callbacks)
        logs = model.evaluate(X, Y, batch_size=16, verbose=0)
    return model, {"weights": [w.tolist() for w in model.get_weights()], "history": history.history,
                   "evaluate": logs}


def multihost(out_path, port, process_id):
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    os.environ["KERAS_DISTRIBUTION_JOB_ADDRESSES"] = f"127.0.0.1:{port}"
    os.environ["KERAS_DISTRIBUTION_NUM_PROCESSES"] = "2"
    dist.initialize(process_id=process_id)  # address and count from Keras's environment variables
    checkpoint = os.path.join(os.path.dirname(out_path), "shared.weights.h5")  # one file both processes read
    model, results = multihost_fit(checkpoint)
    results.update(process_count=jax.process_count(), devices=dist.get_device_count(),
                   local_devices=jax.local_device_count())
    with dist.set_distribution(dist.DataParallel()):
        model.save_weights(out_path.replace(".json", ".weights.h5"))  # process 0 alone writes it
        from jax.experimental import multihost_utils

        multihost_utils.sync_global_devices("checkpoint written")
        resumed = mlp(seed=5, optimizer="sgd")
        resumed.load_weights(checkpoint)  # every process resumes from process 0's checkpoint
        results["resumed_evaluate"] = resumed.evaluate(X, Y, batch_size=16, verbose=0)
    with open(out_path, "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    if ROLE == "scenarios":
        scenarios(sys.argv[2])
    elif ROLE == "multihost":
        multihost(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        with open(sys.argv[2], "w") as f:
            json.dump(multihost_fit()[1], f)
