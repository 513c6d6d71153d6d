"""Subprocess side of tests/test_distribution_local_data.py (XLA_FLAGS must be set before jax
starts, hence processes of their own); each role writes its results as JSON.

    python tests/dist_worker_local_data.py host OUT.json PORT ID   # one of two processes, 2 devices each,
                                                                   # each fed its own half of the data
    python tests/dist_worker_local_data.py reference OUT.json      # the same training on one device, fed the
                                                                   # global batches the two processes make together
    python tests/dist_worker_local_data.py devices8 OUT.json       # 8 devices, one process: a custom step's short
                                                                   # last batch; a Keras 2 file loaded under a mesh
"""
import json
import os
import sys

ROLE = sys.argv[1]
os.environ["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={ {'host': 2, 'reference': 1, 'devices8': 8}[ROLE]}"

import jax  # noqa: E402
import numpy as np  # noqa: E402

import symk as keras  # noqa: E402
from symk import distribution as dist  # noqa: E402

RNG = np.random.default_rng(3)
X = RNG.normal(size=(60, 6)).astype("float32")
Y = (X[:, :4] * 0.5 + RNG.normal(size=(60, 4)) * 0.1).astype("float32")
LOCAL_BATCH = 8
# each process's own rows: 30 each (4 steps of 8 per process; the last local batch has 6 rows)
HALVES = [(X[:30], Y[:30]), (X[30:], Y[30:])]
# custom steps see real batches: 29 rows each, so the last global batch (5 + 5) does not split over 4 devices
CUSTOM_HALVES = [(X[:29], Y[:29]), (X[30:59], Y[30:59])]


def global_batches(halves, local_batch=LOCAL_BATCH):
    """The global batches two processes feeding `halves` make: process 0's rows, then process 1's."""
    (x0, y0), (x1, y1) = halves
    return [(np.concatenate([x0[i:i + local_batch], x1[i:i + local_batch]]),
             np.concatenate([y0[i:i + local_batch], y1[i:i + local_batch]])) for i in range(0, len(x0), local_batch)]


def mlp(seed=1):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.layers.Dense(16, activation="relu", input_shape=(6,)), keras.layers.Dense(4)])
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(0.05, momentum=0.9), metrics=["mae"])
    return model


class CustomStep(keras.Model):
    """A Keras 3 JAX-style train_step written by hand: the mean over the rows it is given."""

    def train_step(self, state, data):
        trainable, non_trainable, optimizer_vars, metrics_vars = state
        x, y = data

        def loss_fn(trainable):
            y_pred, _ = self.stateless_call(trainable, non_trainable, x, training=True)
            return jax.numpy.mean((y_pred - y) ** 2)

        loss, grads = jax.value_and_grad(loss_fn)(trainable)
        trainable, optimizer_vars = self.optimizer.stateless_apply(optimizer_vars, grads, trainable)
        return {"loss": loss}, (trainable, non_trainable, optimizer_vars, metrics_vars)


def custom_model():
    keras.utils.set_random_seed(2)
    inputs = keras.Input(shape=(6,))
    model = CustomStep(inputs, keras.layers.Dense(4)(keras.layers.Dense(8, activation="tanh")(inputs)))
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9), loss="mse")
    return model


def weights(model):
    return [w.tolist() for w in model.get_weights()]


def host(out_path, port, process_id):
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    dist.initialize(f"127.0.0.1:{port}", num_processes=2, process_id=process_id)
    x, y = HALVES[process_id]
    folder = os.path.dirname(out_path)
    results = {"process_count": jax.process_count(), "devices": dist.get_device_count()}
    with dist.set_distribution(dist.DataParallel(auto_shard_dataset=False)):  # each process: its own rows
        model = mlp()
        csv = keras.callbacks.CSVLogger(os.path.join(folder, f"log{process_id}.csv"))
        history = model.fit(x, y, batch_size=LOCAL_BATCH, epochs=2, shuffle=False, verbose=0, callbacks=[csv])
        results.update(weights=weights(model), history=history.history,
                       evaluate=model.evaluate(x, y, batch_size=LOCAL_BATCH, verbose=0))
        from_batches = mlp()  # the same rows as an iterable of this process's local batches
        from_batches.fit([(x[i:i + LOCAL_BATCH], y[i:i + LOCAL_BATCH]) for i in range(0, len(x), LOCAL_BATCH)],
                         epochs=2, verbose=0)
        results["weights_from_batches"] = weights(from_batches)
        print("PREDICT-BEGINS", flush=True)
        results["predict"] = np.asarray(model.predict(x, batch_size=LOCAL_BATCH, verbose=1)).tolist()
        print("PREDICT-ENDS", flush=True)
        results["predict_from_batches"] = np.asarray(model.predict(
            [(x[i:i + LOCAL_BATCH],) for i in range(0, len(x), LOCAL_BATCH)], verbose=0)).tolist()
        custom = custom_model()
        cx, cy = CUSTOM_HALVES[process_id]
        custom.fit(cx, cy, batch_size=LOCAL_BATCH, epochs=2, shuffle=False, verbose=0)
        results["custom"] = weights(custom)
        try:  # counts that would need a different number of steps in each process
            mlp().fit(x[:30 - 12 * process_id], y[:30 - 12 * process_id], batch_size=LOCAL_BATCH, verbose=0)
            results["uneven_error"] = None
        except ValueError as err:
            results["uneven_error"] = str(err)
    with dist.set_distribution(dist.DataParallel()):  # the default: every process passes the whole data
        print("WHOLE-PREDICT-BEGINS", flush=True)
        results["predict_whole"] = np.asarray(model.predict(X, batch_size=16, verbose=1)).tolist()
        print("WHOLE-PREDICT-ENDS", flush=True)
    with open(out_path, "w") as f:
        json.dump(results, f)


def reference(out_path):
    model = mlp()
    history = model.fit(global_batches(HALVES), epochs=2, verbose=0)
    results = {"weights": weights(model), "history": history.history,
               "evaluate": model.evaluate(global_batches(HALVES), verbose=0),
               "predict": [np.asarray(model.predict(x, verbose=0)).tolist() for x, _ in HALVES],
               "predict_whole": np.asarray(model.predict(X, verbose=0)).tolist()}
    custom = custom_model()
    custom.fit(global_batches(CUSTOM_HALVES), epochs=2, verbose=0)
    results["custom"] = weights(custom)
    with open(out_path, "w") as f:
        json.dump(results, f)


def custom_fit(distribution, batch_size=16):
    model = custom_model()
    with dist.set_distribution(distribution):
        model.fit(X, Y, batch_size=batch_size, epochs=2, verbose=0, shuffle=False)  # 60 rows: the last batch has 12
    return weights(model)


def devices8(out_path):
    devices = dist.list_devices()
    results = {"custom_single": custom_fit(None), "custom_dp8": custom_fit(dist.DataParallel(devices=devices))}
    try:
        custom_fit(dist.DataParallel(devices=devices), batch_size=12)
        results["custom_indivisible_error"] = None
    except ValueError as err:
        results["custom_indivisible_error"] = str(err)

    # a Keras 2 (tf_keras) file with Adam's state, loaded under a 2x4 mesh
    folder = os.path.dirname(out_path)
    model = keras.Sequential([keras.layers.Dense(16, activation="relu", input_shape=(6,), name="hidden"),
                              keras.layers.Dense(4, name="head")])
    model.compile(loss="mse", optimizer="adam")
    model.fit(X, Y, batch_size=20, epochs=1, verbose=0)
    model.save(os.path.join(folder, "keras2_model.h5"), keras_version=2)
    model.save_weights(os.path.join(folder, "keras2_weights.h5"), keras_version=2)
    saved = {"weights": weights(model), "predict": np.asarray(model.predict(X, verbose=0)).tolist(),
             "slots": {v.path: np.asarray(v.numpy()).tolist() for v in model.optimizer.variables}}
    keras.backend.clear_session()  # as a fresh process would: the loaded layers get the same paths
    mesh = dist.DeviceMesh(shape=(2, 4), axis_names=("batch", "model"), devices=devices)
    layout_map = dist.LayoutMap(mesh)
    layout_map[".*kernel"] = (None, "model")
    layout_map[".*bias"] = ("model",)
    with dist.set_distribution(dist.ModelParallel(layout_map=layout_map)):
        loaded = keras.models.load_model(os.path.join(folder, "keras2_model.h5"))
        results["keras2_model"] = _layouts(loaded)
        results["keras2_model_predict"] = np.asarray(loaded.predict(X, verbose=0)).tolist()
        results["keras2_model_slots"] = {v.path: np.asarray(v.numpy()).tolist() for v in loaded.optimizer.variables}
        fresh = keras.Sequential([keras.layers.Dense(16, activation="relu", input_shape=(6,), name="hidden2"),
                                  keras.layers.Dense(4, name="head2")])
        fresh.load_weights(os.path.join(folder, "keras2_weights.h5"))
        results["keras2_weights"] = _layouts(fresh)
        results["keras2_weights_values"] = weights(fresh)
    results["saved"] = saved
    with open(out_path, "w") as f:
        json.dump(results, f)


def _layouts(model) -> dict:
    """Each weight's and optimizer variable's live layout: (spec, devices) or 'host' for a host array."""
    variables = list(model.weights) + list(getattr(model.optimizer, "variables", None) or [])
    out = {}
    for v in variables:
        value = v.value
        out[v.path] = [str(value.sharding.spec), len(value.sharding.device_set)] if isinstance(value, jax.Array) \
            else "host"
    return out


if __name__ == "__main__":
    if ROLE == "host":
        host(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif ROLE == "reference":
        reference(sys.argv[2])
    else:
        devices8(sys.argv[2])
