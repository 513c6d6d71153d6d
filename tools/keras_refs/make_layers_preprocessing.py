"""Write tests/references/keras3/layers_preprocessing/: real Keras 3 (JAX) numbers for the preprocessing
layers Keras runs without TensorFlow: CategoryEncoding (each output mode, count_weights) and
Discretization (given boundaries in each mode, and adapt on an array and on batches).

    KERAS_BACKEND=jax /tmp/kerasref/bin/python tools/keras_refs/make_layers_preprocessing.py

cases.json: per case the class, kwargs, Keras's get_config(), the adapted bin boundaries (if any);
cases.npz: `<case>/x`, `<case>/count_weights` (optional), `<case>/y`.
"""
import json
import os
import pathlib
import types

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
from keras import layers as L  # noqa: E402
from keras.src.layers.preprocessing import discretization as _keras_discretization  # noqa: E402

# NOTE: a workaround: Discretization.adapt asks `isinstance(data, tf.data.Dataset)`, which imports TensorFlow;
# this venv has none, so that check sees a class nothing is an instance of
_keras_discretization.tf = types.SimpleNamespace(data=types.SimpleNamespace(Dataset=type("NoDataset", (), {})),
                                                 is_tensor=lambda x: False)

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "references" / "keras3" / "layers_preprocessing"
RNG = np.random.RandomState(20250501)


def main():
    cases, arrays = {}, {}

    def case(name, cls, kwargs, x, count_weights=None, adapt=None):
        layer = getattr(L, cls)(**kwargs)
        if adapt is not None:
            layer.adapt(adapt)
            arrays[f"{name}/adapt"] = np.asarray(adapt if not isinstance(adapt, list) else np.concatenate(adapt))
            if isinstance(adapt, list):
                for i, batch in enumerate(adapt):
                    arrays[f"{name}/adapt_batch{i}"] = batch
        y = layer(x) if count_weights is None else layer(x, count_weights=count_weights)
        arrays[f"{name}/x"] = x
        if count_weights is not None:
            arrays[f"{name}/count_weights"] = count_weights
        arrays[f"{name}/y"] = np.asarray(y)
        cases[name] = {"class": cls, "kwargs": kwargs, "config": layer.get_config(),
                       "adapt": None if adapt is None else ("batches" if isinstance(adapt, list) else "array"),
                       "n_batches": len(adapt) if isinstance(adapt, list) else 0,
                       "bin_boundaries": getattr(layer, "bin_boundaries", None), "dtype": str(np.asarray(y).dtype)}

    ids = RNG.randint(0, 6, size=(4, 5)).astype("int32")
    for mode in ("one_hot", "multi_hot", "count"):
        case(f"category_{mode}", "CategoryEncoding", {"num_tokens": 6, "output_mode": mode}, ids)
    case("category_one_hot_column", "CategoryEncoding", {"num_tokens": 6, "output_mode": "one_hot"}, ids[:, :1])
    case("category_vector", "CategoryEncoding", {"num_tokens": 6, "output_mode": "multi_hot"}, ids[0])
    case("category_count_weights", "CategoryEncoding", {"num_tokens": 6, "output_mode": "count"}, ids,
         count_weights=RNG.uniform(size=(4, 5)).astype("float32"))

    values = RNG.normal(size=(5, 4)).astype("float32")
    for mode in ("int", "one_hot", "multi_hot", "count"):
        case(f"disc_{mode}", "Discretization", {"bin_boundaries": [-0.5, 0.0, 0.7], "output_mode": mode}, values)
    data = RNG.normal(size=(200, 3)).astype("float32")
    case("disc_adapt", "Discretization", {"num_bins": 5, "epsilon": 0.01}, values, adapt=data)
    case("disc_adapt_coarse", "Discretization", {"num_bins": 3, "epsilon": 0.2}, values, adapt=data[:50])
    case("disc_adapt_batches", "Discretization", {"num_bins": 4, "epsilon": 0.05}, values,
         adapt=[data[:70], data[70:150], data[150:]])
    case("disc_docs", "Discretization", {"num_bins": 4, "epsilon": 0.01},
         np.array([[-1.5, 1.0, 3.4, .5], [0.0, 3.0, 1.3, 0.0]], "float32"),
         adapt=np.array([[-1.5, 1.0, 3.4, .5], [0.0, 3.0, 1.3, 0.0]], "float32"))

    OUT.mkdir(parents=True, exist_ok=True)
    np.savez(OUT / "cases.npz", **arrays)
    (OUT / "cases.json").write_text(json.dumps({"keras_version": keras.__version__, "cases": cases}, indent=1,
                                               default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o)))


if __name__ == "__main__":
    main()
