"""Write tests/references/keras3/layers_augmentation/: real Keras 3 (JAX) outputs of the image preprocessing
and augmentation layers, and a small Keras-written augmenting CNN (.h5 and .weights.h5; the augmentation stage flat in
the model, and nested as a Sequential of its own).
tests/test_layers_augmentation.py rebuilds each layer in symk from the same kwargs and compares.

    KERAS_BACKEND=jax /tmp/kerasref/bin/python tools/keras_refs/make_layers_augmentation.py

Cases are deterministic: Rescaling / Resizing / CenterCrop / AutoContrast; every random layer at
inference (training=False); and random layers in training whose ranges hold a single value
(factor=(0.25, 0.25), ...), so that Keras's draw is known without matching its random numbers.

cases.json, one entry per case: the class, its kwargs, the training flag, Keras's get_config() and
the output dtype, and `x`, the npz key of its input; cases.npz: the inputs (`input<i>`, each stored once)
and `<case>/y` (Keras's output).
"""
import json
import os
import pathlib

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "references" / "keras3" / "layers_augmentation"
RNG = np.random.RandomState(20250301)


def pixels(*shape, dtype="float32", low=0.0, high=255.0):
    return RNG.uniform(low, high, size=shape).astype(dtype)


def case(cid, cls, kwargs, x, training=False):
    return dict(id=cid, cls=cls, kwargs=kwargs, x=x, training=training)


def cases():
    img = pixels(2, 7, 9, 3)
    unit = pixels(2, 7, 9, 3, high=1.0)
    first = pixels(2, 3, 7, 9)
    small = pixels(2, 5, 6, 3)
    uint8 = RNG.randint(0, 256, size=(2, 6, 8, 3)).astype("uint8")
    out = []
    add = out.append
    # -- Rescaling -------------------------------------------------------------------------
    add(case("rescaling_uint8", "Rescaling", dict(scale=1 / 255), uint8))
    add(case("rescaling_offset", "Rescaling", dict(scale=1 / 127.5, offset=-1.0), img))
    add(case("rescaling_per_channel", "Rescaling", dict(scale=[0.5, 1.0, 2.0], offset=[0.0, 1.0, 2.0]), img))
    # -- Resizing --------------------------------------------------------------------------
    for interpolation in ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5"):
        add(case(f"resizing_{interpolation}", "Resizing", dict(height=4, width=5, interpolation=interpolation), img))
        add(case(f"resizing_up_{interpolation}", "Resizing", dict(height=10, width=12, interpolation=interpolation),
                 img))
    add(case("resizing_antialias", "Resizing", dict(height=3, width=4, antialias=True), img))
    add(case("resizing_crop", "Resizing", dict(height=4, width=4, crop_to_aspect_ratio=True), img))
    add(case("resizing_pad", "Resizing", dict(height=6, width=4, pad_to_aspect_ratio=True, fill_value=0.5), img))
    add(case("resizing_pad_wide", "Resizing", dict(height=3, width=8, pad_to_aspect_ratio=True), img))
    add(case("resizing_first", "Resizing", dict(height=4, width=5, data_format="channels_first"), first))
    add(case("resizing_unbatched", "Resizing", dict(height=4, width=5), img[0]))
    add(case("resizing_uint8", "Resizing", dict(height=4, width=5), uint8))
    # -- CenterCrop ------------------------------------------------------------------------
    add(case("center_crop", "CenterCrop", dict(height=4, width=6), img))
    add(case("center_crop_odd_even", "CenterCrop", dict(height=3, width=3), pixels(2, 6, 8, 3)))
    add(case("center_crop_larger", "CenterCrop", dict(height=8, width=6), img))
    add(case("center_crop_first", "CenterCrop", dict(height=4, width=6, data_format="channels_first"), first))
    add(case("center_crop_uint8", "CenterCrop", dict(height=4, width=4), uint8))
    # -- AutoContrast (the same in training and inference) ---------------------------------
    add(case("auto_contrast", "AutoContrast", dict(), img * 0.5 + 30.0))
    add(case("auto_contrast_unit", "AutoContrast", dict(value_range=(0, 1)), unit * 0.5 + 0.2))
    # -- random layers at inference: Keras returns the images (in the compute dtype) --------
    inference = [
        ("RandomFlip", dict(seed=1)), ("RandomRotation", dict(factor=0.2, seed=1)),
        ("RandomZoom", dict(height_factor=0.3, seed=1)), ("RandomTranslation", dict(height_factor=0.2,
                                                                                   width_factor=0.2, seed=1)),
        ("RandomShear", dict(x_factor=0.3, seed=1)), ("RandomContrast", dict(factor=0.5, seed=1)),
        ("RandomBrightness", dict(factor=0.3, seed=1)), ("RandomGrayscale", dict(factor=0.5, seed=1)),
        ("RandomHue", dict(factor=0.5, seed=1)), ("RandomSaturation", dict(factor=0.5, seed=1)),
        ("RandomColorDegeneration", dict(factor=0.5, seed=1)),
        ("RandomColorJitter", dict(brightness_factor=0.2, contrast_factor=0.2, seed=1)),
        ("RandomSharpness", dict(factor=0.5, seed=1)), ("RandomPosterization", dict(factor=4, seed=1)),
        ("Solarization", dict(addition_factor=0.2, threshold_factor=0.5, seed=1)),
        ("RandomInvert", dict(factor=0.5, seed=1)), ("RandomErasing", dict(seed=1)),
        ("RandomGaussianBlur", dict(seed=1)),
    ]
    for cls, kwargs in inference:
        add(case(f"inference_{cls}", cls, kwargs, img))
    add(case("inference_RandomFlip_first", "RandomFlip", dict(seed=1, data_format="channels_first"), first))
    # -- random layers in training with one-valued ranges ---------------------------------
    for fill_mode in ("reflect", "wrap", "constant", "nearest"):
        add(case(f"rotation_quarter_{fill_mode}", "RandomRotation",
                 dict(factor=(0.25, 0.25), fill_mode=fill_mode, fill_value=7.0), img, True))
    add(case("rotation_small_nearest", "RandomRotation", dict(factor=(0.05, 0.05), interpolation="nearest"), img,
             True))
    add(case("rotation_first", "RandomRotation", dict(factor=(-0.1, -0.1), data_format="channels_first"), first,
             True))
    add(case("zoom_out_constant", "RandomZoom", dict(height_factor=(0.3, 0.3), width_factor=(-0.2, -0.2),
                                                     fill_mode="constant"), img, True))
    add(case("zoom_in_same", "RandomZoom", dict(height_factor=(-0.4, -0.4)), img, True))
    add(case("translation", "RandomTranslation", dict(height_factor=(0.2, 0.2), width_factor=(-0.3, -0.3),
                                                      fill_mode="constant", fill_value=1.0), img, True))
    add(case("translation_wrap_first", "RandomTranslation",
             dict(height_factor=(-0.25, -0.25), width_factor=(0.1, 0.1), fill_mode="wrap",
                  data_format="channels_first"), first, True))
    add(case("crop_smaller", "RandomCrop", dict(height=8, width=8, seed=3), small, True))
    add(case("crop_one_axis", "RandomCrop", dict(height=3, width=6, seed=3), small, True))
    add(case("brightness", "RandomBrightness", dict(factor=(0.1, 0.1), value_range=(0, 1)), unit, True))
    add(case("brightness_clip", "RandomBrightness", dict(factor=(-0.3, -0.3)), img, True))
    add(case("contrast_zero_clips", "RandomContrast", dict(factor=0.0, value_range=(0, 200)), img, True))
    add(case("grayscale_always", "RandomGrayscale", dict(factor=1.0), img, True))
    add(case("grayscale_first", "RandomGrayscale", dict(factor=1.0, data_format="channels_first"), first, True))
    add(case("hue_zero", "RandomHue", dict(factor=0.0), img, True))
    add(case("saturation_boost", "RandomSaturation", dict(factor=(0.75, 0.75)), img, True))
    add(case("saturation_gray", "RandomSaturation", dict(factor=(0.0, 0.0), value_range=(0, 1)), unit, True))
    add(case("degeneration", "RandomColorDegeneration", dict(factor=(0.6, 0.6)), img, True))
    add(case("jitter", "RandomColorJitter", dict(brightness_factor=(0.1, 0.1), contrast_factor=0.0,
                                                  saturation_factor=(0.7, 0.7), hue_factor=0.0), img, True))
    add(case("sharpness", "RandomSharpness", dict(factor=(0.9, 0.9)), img, True))
    add(case("sharpness_first", "RandomSharpness", dict(factor=(0.1, 0.1), data_format="channels_first"), first,
             True))
    add(case("posterization", "RandomPosterization", dict(factor=(3, 3)), img, True))
    add(case("posterization_unit", "RandomPosterization", dict(factor=(2, 2), value_range=(0, 1)), unit, True))
    add(case("solarization_invert_all", "Solarization", dict(), img, True))
    add(case("invert_always", "RandomInvert", dict(factor=(1.0, 1.0), value_range=(0, 1)), unit, True))
    add(case("gaussian_blur", "RandomGaussianBlur", dict(factor=(1.0, 1.0), kernel_size=5, sigma=(0.5, 0.5)), img,
             True))
    add(case("gaussian_blur_rect", "RandomGaussianBlur", dict(factor=(1.0, 1.0), kernel_size=(3, 5),
                                                              sigma=(0.8, 0.8)), img, True))
    add(case("erasing_never", "RandomErasing", dict(factor=(0.0, 0.0)), img, True))
    return out


def jsonable(value):
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def augmenting_cnn(nested: bool):
    """An augmentation stage and preprocessing inside a small CNN. `nested`: the stage is a Sequential of
    its own, as the Keras image-classification tutorial builds it; otherwise its layers sit in the model."""
    keras.utils.set_random_seed(7)
    stage = [L.RandomFlip("horizontal", seed=1), L.RandomRotation(0.1, seed=2), L.RandomZoom(0.2, seed=3)]
    stage = [keras.Sequential(stage, name="augmentation")] if nested else stage
    model = keras.Sequential([
        keras.Input((12, 12, 3)), *stage, L.Rescaling(1 / 255), L.Resizing(10, 10), L.CenterCrop(8, 8),
        L.Conv2D(4, 3, activation="relu"), L.MaxPooling2D(), L.Flatten(), L.Dense(3, activation="softmax"),
    ], name="augmenting_cnn")
    name = "augmenting_cnn_nested" if nested else "augmenting_cnn"
    x = pixels(4, 12, 12, 3)
    model.save(OUT / f"{name}.h5")
    model.save_weights(OUT / f"{name}.weights.h5")
    np.savez(OUT / f"{name}.npz", x=x, y=model.predict(x, verbose=0))


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    arrays, entries, input_keys = {}, [], {}
    for spec in cases():
        layer = getattr(L, spec["cls"])(**spec["kwargs"])
        y = np.asarray(layer(spec["x"], training=spec["training"]))
        # cases share their inputs: each distinct array is stored once
        signature = (spec["x"].shape, str(spec["x"].dtype), spec["x"].tobytes())
        x_key = input_keys.setdefault(signature, f"input{len(input_keys)}")
        arrays[x_key] = spec["x"]
        arrays[f"{spec['id']}/y"] = y
        config = layer.get_config()
        config.pop("dtype", None)
        entries.append(dict(id=spec["id"], cls=spec["cls"], kwargs=jsonable(spec["kwargs"]), x=x_key,
                            training=spec["training"], config=jsonable(config), y_dtype=str(y.dtype)))
    np.savez(OUT / "cases.npz", **arrays)
    (OUT / "cases.json").write_text(json.dumps(dict(keras_version=keras.__version__, cases=entries), indent=1))
    augmenting_cnn(nested=False)
    augmenting_cnn(nested=True)
    print(f"wrote {len(entries)} cases to {OUT}")


if __name__ == "__main__":
    main()
