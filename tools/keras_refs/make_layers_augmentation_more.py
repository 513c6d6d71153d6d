"""Write tests/references/keras3/layers_augmentation_more/: real Keras 3 (JAX) outputs of Equalization,
ContrastLimitedAdaptiveHistogramEqualization, RandomPerspective, RandomElasticTransform, CutMix, MixUp, AugMix,
RandAugment, Pipeline and MaxNumBoundingBoxes. tests/test_layers_augmentation_more.py rebuilds each layer in
symk from the same kwargs and compares.

    KERAS_BACKEND=jax /tmp/kerasref/bin/python tools/keras_refs/make_layers_augmentation_more.py

Cases: the deterministic layers (Equalization in training, CLAHE in both modes, MaxNumBoundingBoxes); every
layer at inference; and the random layers whose draws symk makes as Keras makes them (RandomPerspective,
RandomElasticTransform with a one-valued scale, CutMix, MixUp), seeded, in training: symk's SeedGenerator
keeps Keras's [seed, counter] keys, so the same seed gives the same draws. AugMix picks its operations with
Python's random module and RandAugment reuses draws across operations, so both are checked at inference only
(their training draws are property-tested).

cases.json, one entry per case: class, kwargs, training flag, Keras's get_config() (without dtype), output dtype
and `x`, the npz key of its input; cases.npz: the inputs (`input<i>`, each stored once) and `<case>/y`.
pipeline.json: a Keras-written Pipeline config (with its output in cases.npz as `pipeline/y`).
"""
import json
import os
import pathlib

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "references" / "keras3" / "layers_augmentation_more"
RNG = np.random.RandomState(20260712)


def pixels(*shape, dtype="float32", low=0.0, high=255.0):
    return RNG.uniform(low, high, size=shape).astype(dtype)


def case(cid, cls, kwargs, x, training=False):
    return dict(id=cid, cls=cls, kwargs=kwargs, x=x, training=training)


def cases():
    img = pixels(3, 10, 12, 3)
    unit = pixels(3, 10, 12, 3, high=1.0)
    first = pixels(3, 3, 10, 12)
    dark = (pixels(2, 9, 11, 3) * 0.3 + 20.0).astype("float32")   # a narrow histogram, for visible equalization
    flat = np.full((2, 6, 7, 3), 40.0, "float32")
    flat[:, :, :, 1] = RNG.uniform(0, 255, (2, 6, 7))               # channels 0 and 2 hold one value
    uint8 = RNG.randint(0, 256, size=(2, 10, 12, 3)).astype("uint8")
    out = []
    add = out.append
    # -- Equalization: in training only -----------------------------------------------------
    add(case("equalization", "Equalization", dict(), dark, True))
    add(case("equalization_full", "Equalization", dict(), img, True))
    add(case("equalization_unit_bins", "Equalization", dict(value_range=(0, 1), bins=64), unit, True))
    add(case("equalization_first", "Equalization", dict(data_format="channels_first"), first, True))
    add(case("equalization_flat_channels", "Equalization", dict(), flat, True))
    add(case("equalization_reversed_range", "Equalization", dict(value_range=(255, 0), bins=32), img, True))
    add(case("equalization_unbatched", "Equalization", dict(), dark[0], True))
    add(case("inference_Equalization", "Equalization", dict(), dark))
    # -- CLAHE: in both modes ---------------------------------------------------------------
    add(case("clahe", "ContrastLimitedAdaptiveHistogramEqualization", dict(), pixels(2, 16, 16, 3), True))
    add(case("clahe_padded_grid", "ContrastLimitedAdaptiveHistogramEqualization",
             dict(tile_grid_size=(3, 5), clip_limit=2.0), img, True))
    add(case("clahe_dark", "ContrastLimitedAdaptiveHistogramEqualization", dict(tile_grid_size=(2, 3)), dark, True))
    add(case("clahe_no_clip", "ContrastLimitedAdaptiveHistogramEqualization",
             dict(tile_grid_size=(2, 2), clip_limit=0.0), img, True))
    add(case("clahe_unit", "ContrastLimitedAdaptiveHistogramEqualization",
             dict(value_range=(0, 1), tile_grid_size=(4, 4)), unit, True))
    add(case("clahe_first", "ContrastLimitedAdaptiveHistogramEqualization",
             dict(tile_grid_size=(2, 3), data_format="channels_first"), first, True))
    add(case("clahe_uint8", "ContrastLimitedAdaptiveHistogramEqualization", dict(tile_grid_size=(2, 2)), uint8, True))
    add(case("inference_clahe", "ContrastLimitedAdaptiveHistogramEqualization", dict(tile_grid_size=(2, 3)), img))
    # -- seeded random layers whose draws symk repeats ---------------------------------------
    add(case("perspective", "RandomPerspective", dict(scale=0.4, seed=3), img, True))
    add(case("perspective_always_nearest", "RandomPerspective",
             dict(factor=(1.0, 1.0), scale=0.6, interpolation="nearest", fill_value=9.0, seed=4), img, True))
    add(case("perspective_first", "RandomPerspective", dict(factor=(1.0, 1.0), scale=0.3, seed=5,
                                                            data_format="channels_first"), first, True))
    add(case("perspective_never", "RandomPerspective", dict(factor=0.0, seed=5), img, True))
    add(case("elastic_one_scale", "RandomElasticTransform", dict(factor=(1.0, 1.0), scale=(0.6, 0.6), seed=3),
             img, True))
    add(case("elastic_half_constant", "RandomElasticTransform",
             dict(factor=0.8, scale=(1.0, 1.0), fill_mode="constant", fill_value=3.0, seed=4), img, True))
    add(case("elastic_first_nearest", "RandomElasticTransform",
             dict(factor=(1.0, 1.0), scale=(0.8, 0.8), interpolation="nearest", fill_mode="wrap",
                  value_range=(0, 1), data_format="channels_first", seed=5), first / 255.0, True))
    add(case("elastic_zero_scale", "RandomElasticTransform", dict(scale=0.0, seed=1), img, True))
    add(case("cut_mix", "CutMix", dict(seed=3), img, True))
    add(case("cut_mix_factor_first", "CutMix", dict(factor=(0.2, 0.6), seed=4, data_format="channels_first"), first,
             True))
    add(case("mix_up", "MixUp", dict(seed=3), img, True))
    add(case("mix_up_alpha", "MixUp", dict(alpha=1.5, seed=4), pixels(5, 4, 5, 3), True))
    # -- every layer at inference ------------------------------------------------------------
    inference = [
        ("RandomPerspective", dict(seed=1)), ("RandomElasticTransform", dict(seed=1)), ("CutMix", dict(seed=1)),
        ("MixUp", dict(seed=1)), ("AugMix", dict(seed=1)), ("AugMix", dict(all_ops=False, num_chains=2, seed=1)),
        ("RandAugment", dict(seed=1)), ("RandAugment", dict(num_ops=3, factor=0.2, value_range=(0, 1), seed=1)),
        ("MaxNumBoundingBoxes", dict(max_number=4)),
    ]
    for i, (cls, kwargs) in enumerate(inference):
        add(case(f"inference_{cls}_{i}", cls, kwargs, img))
    add(case("max_num_bounding_boxes_training", "MaxNumBoundingBoxes", dict(max_number=2, fill_value=0), img, True))
    return out


def jsonable(value):
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    arrays, entries, input_keys = {}, [], {}

    def store_input(x):
        signature = (x.shape, str(x.dtype), x.tobytes())
        key = input_keys.setdefault(signature, f"input{len(input_keys)}")
        arrays[key] = x
        return key

    for spec in cases():
        layer = getattr(L, spec["cls"])(**spec["kwargs"])
        y = np.asarray(layer(spec["x"], training=spec["training"]))
        arrays[f"{spec['id']}/y"] = y
        config = layer.get_config()
        config.pop("dtype", None)
        entries.append(dict(id=spec["id"], cls=spec["cls"], kwargs=jsonable(spec["kwargs"]), x=store_input(spec["x"]),
                            training=spec["training"], config=jsonable(config), y_dtype=str(y.dtype)))
    # a Pipeline of deterministic steps, its config as Keras writes it
    pipeline = L.Pipeline([L.Rescaling(1 / 255.0), L.Equalization(value_range=(0, 1), bins=128),
                           L.MaxNumBoundingBoxes(max_number=3)], name="preprocess")
    x = pixels(2, 8, 9, 3)
    arrays["pipeline/x"] = x
    arrays["pipeline/y"] = np.asarray(pipeline(x, training=True))
    arrays["pipeline/y_inference"] = np.asarray(pipeline(x, training=False))
    (OUT / "pipeline.json").write_text(json.dumps(jsonable(pipeline.get_config()), indent=1))
    np.savez(OUT / "cases.npz", **arrays)
    (OUT / "cases.json").write_text(json.dumps(dict(keras_version=keras.__version__, cases=entries), indent=1))
    print(f"wrote {len(entries)} cases to {OUT}")


if __name__ == "__main__":
    main()
