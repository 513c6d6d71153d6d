"""keras.ops.image calls (all 16 names) whose Keras 3 outputs tests/test_ops_keras_reference.py replays on symk.

gaussian_blur cases always pass data_format: Keras 3.15 on JAX treats an eager call's data_format=None
as channels_first (its symbolic call uses image_data_format()), symk follows image_data_format().
"""
import numpy as np
from _case import bools, case, ints, rand

HALF = dict(rtol=2e-3, atol=2e-3)   # float16 results
CF = dict(data_format="channels_first")
CL = dict(data_format="channels_last")

rgb = rand(2, 3, 4, 3, low=0.0, high=1.0)
rgb[0, 0, 0] = [0.5, 0.5, 0.5]          # grey: no hue, no saturation
rgb[0, 0, 1] = [0.0, 0.0, 0.0]          # black
rgb[0, 0, 2] = [0.2, 0.7, 0.7]          # two channels tie for the maximum
hsv = rand(2, 3, 4, 3, low=0.0, high=1.0)
hsv[1, 0, :, 0] = [-0.25, 1.0, 1.5, 2.0 / 3.0]   # hues outside [0, 1) wrap
image = rand(2, 5, 6, 3, low=0.0, high=1.0)
image_cf = rand(2, 3, 5, 6, low=0.0, high=1.0)
single = rand(5, 6, 2, low=0.0, high=1.0)
pixels = ints(2, 5, 6, 3, low=0, high=256)
corners = np.array([[0.0, 0.0], [0.0, 4.0], [5.0, 0.0], [5.0, 4.0]], "float32")
moved = np.array([[[0.5, 0.2], [0.0, 4.5], [5.2, -0.3], [4.6, 4.1]],
                  [[1.0, 0.0], [0.3, 3.6], [4.4, 0.5], [5.0, 4.0]]], "float32")
transforms = np.array([[1.2, 0.1, -0.5, -0.1, 0.9, 0.7, 0.0, 0.0],
                       [0.8, -0.3, 1.1, 0.2, 1.1, -0.4, 0.0, 0.0]], "float32")
shift = np.array([1.0, 0.0, 1.5, 0.0, 1.0, -0.75, 0.0, 0.0], "float32")
plane = rand(4, 5)
coords = rand(2, 3, 2, low=-1.5, high=5.5)

CASES = [
    # -- colour --------------------------------------------------------------------------
    case("image.rgb_to_grayscale", rgb),
    case("image.rgb_to_grayscale", rgb[0]),
    case("image.rgb_to_grayscale", np.moveaxis(rgb, -1, 1).copy(), **CF),
    case("image.rgb_to_grayscale", ints(2, 3, 4, 3, low=0, high=256)),
    case("image.rgb_to_grayscale", ints(3, 4, 3, low=0, high=256, dtype="uint8")),
    case("image.rgb_to_grayscale", ints(2, 3, 4, 1, low=0, high=256)),          # one channel passes through
    case("image.rgb_to_grayscale", bools(3, 4, 3)),
    case("image.rgb_to_grayscale", rgb.astype("float16"), **HALF),
    case("image.rgb_to_hsv", rgb),
    case("image.rgb_to_hsv", rgb[1]),
    case("image.rgb_to_hsv", np.moveaxis(rgb, -1, 1).copy(), **CF),
    case("image.rgb_to_hsv", rgb.astype("float16"), **HALF),
    case("image.hsv_to_rgb", hsv),
    case("image.hsv_to_rgb", hsv[1]),
    case("image.hsv_to_rgb", np.moveaxis(hsv, -1, 1).copy(), **CF),
    case("image.hsv_to_rgb", hsv.astype("float16"), **HALF),
    # -- resize ----------------------------------------------------------------------------
    case("image.resize", image, (3, 4)),
    case("image.resize", image, (8, 9)),
    case("image.resize", image, (3, 8), interpolation="nearest"),
    case("image.resize", image, (7, 4), interpolation="bicubic"),
    case("image.resize", image, (7, 9), interpolation="lanczos3"),
    case("image.resize", image, (4, 9), interpolation="lanczos5"),
    case("image.resize", image, (2, 3), antialias=True),
    case("image.resize", image, (3, 2), interpolation="bicubic", antialias=True),
    case("image.resize", image_cf, (3, 8), **CF),
    case("image.resize", single, (4, 3)),
    case("image.resize", pixels, (3, 8)),
    case("image.resize", pixels.astype("uint8"), (7, 4), interpolation="bicubic"),
    case("image.resize", pixels, (4, 4), interpolation="nearest"),
    case("image.resize", bools(4, 5, 1), (3, 7)),
    case("image.resize", bools(4, 5, 1), (3, 7), interpolation="nearest"),
    case("image.resize", image.astype("float16"), (3, 4), **HALF),
    case("image.resize", image, (4, 4), crop_to_aspect_ratio=True),
    case("image.resize", image, (2, 6), crop_to_aspect_ratio=True),
    case("image.resize", image_cf, (6, 2), crop_to_aspect_ratio=True, **CF),
    case("image.resize", image, (4, 4), pad_to_aspect_ratio=True),
    case("image.resize", image, (2, 6), pad_to_aspect_ratio=True, fill_value=0.5),
    case("image.resize", image_cf, (6, 2), pad_to_aspect_ratio=True, fill_value=-1.0, **CF),
    case("image.resize", single, (9, 3), pad_to_aspect_ratio=True),
    case("image.resize", pixels, (9, 3), pad_to_aspect_ratio=True, fill_value=7),
    # -- scale_and_translate -----------------------------------------------------------------
    case("image.scale_and_translate", np.arange(9, dtype="float32").reshape(3, 3), (5, 5),
         np.array([5 / 3, 5 / 3], "float32"), np.array([0.0, 0.0], "float32"), (0, 1), "linear"),
    case("image.scale_and_translate", image, (2, 7, 4, 3), np.array([1.4, 0.7], "float32"),
         np.array([0.3, -0.2], "float32"), (1, 2), "bilinear"),
    case("image.scale_and_translate", image, (2, 7, 4, 3), np.array([1.4, 0.7], "float32"),
         np.array([0.3, -0.2], "float32"), (1, 2), "cubic", antialias=False),
    case("image.scale_and_translate", image, (2, 3, 9, 3), np.array([0.5, 1.5], "float32"),
         np.array([0.0, 1.0], "float32"), (1, 2), "lanczos3"),
    case("image.scale_and_translate", image, (2, 5, 3, 3), np.array([0.5], "float32"),
         np.array([0.25], "float32"), (-2,), "lanczos5"),
    case("image.scale_and_translate", pixels, (2, 6, 6, 3), np.array([1.2, 1.0], "float32"),
         np.array([0.0, 0.5], "float32"), (1, 2), "tricubic", atol=1e-3),   # pixel values up to 255
    # -- map_coordinates ---------------------------------------------------------------------
    *[case("image.map_coordinates", plane, coords, order, fill_mode=mode)
      for order in (0, 1) for mode in ("constant", "nearest", "wrap", "mirror", "reflect")],
    case("image.map_coordinates", plane, coords, 1, fill_value=-2.5),
    case("image.map_coordinates", ints(4, 5, low=-50, high=50), coords, 1),
    case("image.map_coordinates", plane, ints(2, 3, low=-1, high=6), 0),
    case("image.map_coordinates", rand(3, 4, 2), rand(3, 5, low=-0.5, high=3.5), 1, fill_mode="nearest"),
    case("image.map_coordinates", rand(6), rand(1, 4, low=-1.0, high=7.0), 1, fill_mode="wrap"),
    # -- affine_transform ------------------------------------------------------------------
    case("image.affine_transform", single, shift),
    case("image.affine_transform", image, transforms),
    case("image.affine_transform", image, transforms, interpolation="nearest"),
    *[case("image.affine_transform", image, transforms, fill_mode=mode)
      for mode in ("nearest", "wrap", "mirror", "reflect")],
    case("image.affine_transform", image, transforms, fill_value=0.5),
    case("image.affine_transform", image_cf, transforms, **CF),
    case("image.affine_transform", pixels, transforms),
    # -- perspective_transform -------------------------------------------------------------
    case("image.perspective_transform", image, np.stack([corners, corners]), moved),
    case("image.perspective_transform", single, corners, moved[0]),
    case("image.perspective_transform", image, np.stack([corners, corners]), moved, interpolation="nearest"),
    case("image.perspective_transform", image, moved, np.stack([corners, corners]), fill_value=0.25),
    case("image.perspective_transform", image_cf, np.stack([corners, corners]), moved, **CF),
    case("image.perspective_transform", pixels, np.stack([corners, corners]), moved, rtol=0, atol=1),
    # -- elastic_transform (an int seed reproduces Keras's noise) ----------------------------
    case("image.elastic_transform", image, seed=7),
    case("image.elastic_transform", single, alpha=3.0, sigma=1.0, seed=11),
    case("image.elastic_transform", image, alpha=2.0, sigma=0.8, interpolation="nearest", seed=3),
    *[case("image.elastic_transform", image, alpha=4.0, sigma=1.5, fill_mode=mode, fill_value=0.5, seed=5)
      for mode in ("constant", "nearest", "wrap", "mirror")],
    case("image.elastic_transform", image_cf, alpha=4.0, sigma=1.5, seed=9, **CF),
    # -- gaussian_blur ------------------------------------------------------------------------
    case("image.gaussian_blur", image, **CL),
    case("image.gaussian_blur", image, kernel_size=(5, 5), sigma=(2.0, 2.0), **CL),
    case("image.gaussian_blur", image, kernel_size=(2, 4), sigma=(0.7, 1.9), **CL),   # non-square, even
    case("image.gaussian_blur", single, kernel_size=(3, 1), sigma=(1.0, 0.5), **CL),
    case("image.gaussian_blur", image_cf, kernel_size=(3, 5), sigma=(1.5, 0.6), **CF),
    case("image.gaussian_blur", image.astype("float16"), **CL, **HALF),
    # -- sobel_edges --------------------------------------------------------------------------
    case("image.sobel_edges", image),
    case("image.sobel_edges", image_cf, **CF),
    case("image.sobel_edges", pixels),
    # -- ssim -------------------------------------------------------------------------------
    case("image.ssim", image, np.clip(image + rand(2, 5, 6, 3, low=-0.1, high=0.1), 0, 1), filter_size=3),
    case("image.ssim", image[0], image[0] * 0.8, filter_size=5, filter_sigma=0.8),
    case("image.ssim", image_cf, image_cf ** 2, filter_size=3, **CF),
    case("image.ssim", rand(1, 11, 12, 1, low=0.0, high=1.0), rand(1, 11, 12, 1, low=0.0, high=1.0)),
    case("image.ssim", pixels.astype("float32"), np.clip(pixels + 9.0, 0, 255).astype("float32"), max_val=255.0,
         filter_size=3, k1=0.02, k2=0.05),
    case("image.ssim", pixels, pixels, max_val=255.0, filter_size=3),          # int images: the result is int
    # -- extract_patches / extract_patches_3d --------------------------------------------------
    case("image.extract_patches", image, 2),
    case("image.extract_patches", image, (2, 3), strides=(1, 2)),
    case("image.extract_patches", image, (3, 2), strides=(2, 1), padding="same"),
    case("image.extract_patches", image, 2, strides=1, dilation_rate=2),
    case("image.extract_patches", image, (2, 2), strides=2, dilation_rate=(1, 2)),
    case("image.extract_patches", single, (2, 2), strides=(1, 1)),
    case("image.extract_patches", image_cf, (2, 3), padding="same", **CF),
    case("image.extract_patches", pixels, 3, strides=2),
    case("image.extract_patches", bools(2, 4, 4, 1), 2),
    case("image.extract_patches", rand(2, 4, 5, 4, 2), (2, 2, 3)),
    case("image.extract_patches_3d", rand(2, 4, 5, 4, 2), 2),
    case("image.extract_patches_3d", rand(4, 5, 4, 2), (2, 3, 2), strides=1),
    case("image.extract_patches_3d", rand(2, 4, 5, 4, 2), (3, 2, 2), strides=(1, 2, 2), padding="same"),
    case("image.extract_patches_3d", rand(2, 2, 4, 5, 4), 2, strides=1, dilation_rate=(1, 2, 1), **CF),
    # -- pad_images / crop_images ----------------------------------------------------------
    case("image.pad_images", image, 1, 2, target_height=8, target_width=9),
    case("image.pad_images", image, bottom_padding=1, right_padding=0, target_height=7, target_width=6),
    case("image.pad_images", single, top_padding=0, left_padding=2, bottom_padding=3, right_padding=1),
    case("image.pad_images", image_cf, 2, 1, bottom_padding=1, target_width=10, **CF),
    case("image.pad_images", pixels, 1, 1, 1, 1),
    case("image.pad_images", bools(4, 5, 1), 1, 0, target_height=5, target_width=6),
    case("image.crop_images", image, 1, 2, target_height=3, target_width=3),
    case("image.crop_images", image, bottom_cropping=1, right_cropping=2, target_height=2, target_width=4),
    case("image.crop_images", single, top_cropping=1, left_cropping=0, bottom_cropping=2, right_cropping=3),
    case("image.crop_images", image_cf, 2, 1, bottom_cropping=1, target_width=5, **CF),
    case("image.crop_images", pixels, 0, 0, target_height=5, target_width=6),
]
