"""Reference cases written by real Keras for a family of layers (tools/keras_refs/make_layers_*.py): each case
names a layer class, its constructor arguments, an input array, Keras's output, its dtype and its config."""
import json

import numpy as np

from symk import layers as L


class KerasLayerCases:
    def __init__(self, folder, atol_per_unit: float):
        self.cases = json.loads((folder / "cases.json").read_text())["cases"]
        self.arrays = np.load(folder / "cases.npz")
        self.atol_per_unit = atol_per_unit  # absolute tolerance per unit of the output's largest magnitude

    @staticmethod
    def build(case):
        return getattr(L, case["cls"])(**case["kwargs"])

    def assert_output(self, got, case):
        want = self.arrays[f"{case['id']}/y"]
        assert str(np.asarray(got).dtype) == case["y_dtype"], case["id"]
        scale = max(1.0, float(np.abs(want.astype("float64")).max()))
        np.testing.assert_allclose(np.asarray(got, "float64"), want.astype("float64"), rtol=1e-5,
                                   atol=self.atol_per_unit * scale, err_msg=case["id"])

    @staticmethod
    def configs(layer, case) -> tuple:
        """(symk's config, Keras's) as plain JSON, without the keys that differ by design (name, dtype, trainable)."""
        config = {k: v for k, v in layer.get_config().items() if k not in ("name", "dtype", "trainable")}
        keras_config = {k: v for k, v in case["config"].items() if k not in ("name", "trainable")}
        return json.loads(json.dumps(config)), keras_config
