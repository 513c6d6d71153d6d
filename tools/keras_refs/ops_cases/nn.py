"""keras.ops.nn calls whose Keras 3 (JAX) outputs tests/test_ops_keras_reference.py replays on symk.

Notes on what is left out: Keras 3.15's max_pool/average_pool fail on JAX when strides=None (the pool
size is expanded twice), so the pooling cases pass strides; its sparsemax thresholds wrongly when more
than one logit is in the support (keras-team/keras#23425), so the sparsemax cases have a support of
one; its fold returns a smaller image when the stride does not tile the padded output.
"""
import numpy as np
from _case import bools, case, ints, rand

HALF = dict(rtol=2e-2, atol=2e-2)   # float16 results


def f16(*shape, **kw):
    return rand(*shape, **kw).astype("float16")


def probabilities(*shape):
    return rand(*shape, low=0.05, high=0.95)


x34 = rand(3, 4, low=-4, high=4)
int34 = ints(3, 4, low=-3, high=4)

CASES = [
    # -- activations (several declared in symk/ops/elementwise.py) --------------------------------
    case("nn.relu", x34), case("nn.relu", int34),
    case("nn.relu6", rand(3, 4, low=-2, high=8)), case("nn.relu6", int34),
    case("nn.sigmoid", x34), case("nn.sigmoid", f16(2, 3), **HALF),
    case("nn.sparse_sigmoid", x34), case("nn.sparse_sigmoid", int34),
    case("nn.softplus", x34), case("nn.softsign", x34), case("nn.softsign", int34),
    case("nn.soft_shrink", x34), case("nn.soft_shrink", x34, threshold=1.0), case("nn.soft_shrink", int34),
    case("nn.sparse_plus", x34), case("nn.silu", x34), case("nn.swish", x34),
    case("nn.squareplus", x34), case("nn.squareplus", x34, b=1), case("nn.squareplus", int34),
    case("nn.log_sigmoid", x34), case("nn.log_sigmoid", int34),
    case("nn.leaky_relu", x34), case("nn.leaky_relu", x34, negative_slope=0.1), case("nn.leaky_relu", int34),
    case("nn.hard_sigmoid", x34), case("nn.hard_sigmoid", int34),
    case("nn.hard_silu", x34), case("nn.hard_swish", x34), case("nn.hard_silu", int34),
    case("nn.elu", x34), case("nn.elu", x34, alpha=0.5), case("nn.elu", int34),
    case("nn.selu", x34), case("nn.selu", int34),
    case("nn.gelu", x34), case("nn.gelu", x34, approximate=False), case("nn.gelu", int34),
    case("nn.celu", x34), case("nn.celu", x34, alpha=2.0), case("nn.celu", int34),
    case("nn.glu", x34), case("nn.glu", rand(4, 3), axis=0), case("nn.glu", f16(2, 4), **HALF),
    case("nn.tanh_shrink", x34), case("nn.tanh_shrink", int34),
    case("nn.hard_tanh", x34), case("nn.hard_tanh", int34),
    case("nn.hard_shrink", x34), case("nn.hard_shrink", x34, threshold=1.0), case("nn.hard_shrink", int34),
    case("nn.threshold", x34, 0.5, -1.0), case("nn.threshold", int34, 1, 0), case("nn.threshold", int34, 1, 0.5),
    case("nn.threshold", f16(2, 3), 0.0, 2.5, **HALF),
    case("nn.softmax", x34), case("nn.softmax", x34, axis=0), case("nn.softmax", int34),
    case("nn.softmax", x34, axis=(0, 1)), case("nn.softmax", f16(2, 3), **HALF),
    case("nn.log_softmax", x34), case("nn.log_softmax", x34, axis=0), case("nn.log_softmax", int34),
    case("nn.sparsemax", np.array([[-1.0, 0.0, 3.0], [5.0, 1.0, 0.5]], "float32")),
    case("nn.sparsemax", np.array([[4.0, 0.0], [1.0, 0.5], [-2.0, 2.0]], "float32"), axis=0),

    # -- convolutions -----------------------------------------------------------------------------
    case("nn.conv", rand(2, 5, 5, 3), rand(3, 3, 3, 4), strides=2, padding="same"),
    case("nn.conv", rand(2, 7, 2), rand(3, 2, 3), dilation_rate=2),
    case("nn.conv", rand(1, 4, 4, 4), rand(2, 2, 2, 4), id="conv_groups"),
    case("nn.conv", rand(1, 3, 5, 5), rand(2, 2, 3, 2), padding="SAME", data_format="channels_first"),
    case("nn.conv", ints(1, 4, 4, 2), rand(2, 2, 2, 3), id="conv_int_input"),
    case("nn.conv", rand(1, 3, 3, 3, 1), rand(2, 2, 2, 1, 2), padding="same"),
    case("nn.depthwise_conv", rand(2, 5, 5, 3), rand(3, 3, 3, 2), padding="same"),
    case("nn.depthwise_conv", rand(1, 2, 6, 6), rand(2, 2, 2, 1), strides=2, data_format="channels_first"),
    case("nn.depthwise_conv", rand(1, 8, 2), rand(3, 2, 2), dilation_rate=2),
    case("nn.separable_conv", rand(2, 5, 5, 3), rand(3, 3, 3, 2), rand(1, 1, 6, 4), padding="same"),
    case("nn.separable_conv", rand(1, 8, 2), rand(3, 2, 1), rand(1, 2, 3), strides=2),
    case("nn.conv_transpose", rand(2, 3, 3, 2), rand(3, 3, 4, 2), strides=2, padding="same"),
    case("nn.conv_transpose", rand(1, 4, 2), rand(3, 3, 2), strides=2),
    case("nn.conv_transpose", rand(1, 3, 3, 2), rand(3, 3, 1, 2), strides=2, output_padding=1),
    case("nn.conv_transpose", rand(1, 2, 3, 3), rand(2, 2, 3, 2), strides=(1, 2), padding="same",
         data_format="channels_first"),
    case("nn.conv_transpose", rand(1, 4, 4, 1), rand(2, 2, 2, 1), dilation_rate=2),

    # -- pooling ----------------------------------------------------------------------------------
    case("nn.max_pool", rand(2, 5, 5, 3), 2, strides=2),
    case("nn.max_pool", rand(2, 5, 5, 3), 3, strides=1, padding="same"),
    case("nn.max_pool", rand(1, 2, 6), (2,), strides=(2,), data_format="channels_first"),
    case("nn.average_pool", rand(2, 5, 5, 3), 2, strides=2),
    case("nn.average_pool", rand(2, 5, 5, 3), (3, 2), strides=(2, 1), padding="same"),
    case("nn.average_pool", rand(1, 7, 2), 3, strides=2, padding="same"),
    case("nn.adaptive_average_pool", rand(2, 5, 7, 3), (2, 3)),
    case("nn.adaptive_average_pool", rand(1, 3, 3, 2), (4, 5)),
    case("nn.adaptive_average_pool", rand(2, 8, 3), 3),
    case("nn.adaptive_average_pool", rand(1, 2, 5, 4), 2, data_format="channels_first"),
    case("nn.adaptive_average_pool", rand(1, 4, 5, 3, 2), (2, 2, 2)),
    case("nn.adaptive_average_pool", ints(1, 4, 4, 1), 3),
    case("nn.adaptive_max_pool", rand(2, 5, 7, 3), (2, 3)),
    case("nn.adaptive_max_pool", rand(1, 3, 3, 2), (4, 5)),
    case("nn.adaptive_max_pool", rand(2, 8, 3), 3),
    case("nn.adaptive_max_pool", rand(1, 2, 5, 4), 2, data_format="channels_first"),
    case("nn.adaptive_max_pool", rand(1, 4, 5, 3, 2), (3, 2, 2)),
    case("nn.adaptive_max_pool", ints(1, 4, 4, 1), 3),

    # -- normalization ----------------------------------------------------------------------------
    case("nn.batch_normalization", rand(2, 3, 4), rand(4), rand(4, low=0.5, high=2), -1, rand(4), rand(4)),
    case("nn.batch_normalization", rand(2, 3, 4), rand(3), rand(3, low=0.5, high=2), 1, epsilon=0.1),
    case("nn.batch_normalization", f16(2, 3), rand(3), rand(3, low=0.5, high=2), -1, scale=rand(3), **HALF),
    case("nn.layer_normalization", rand(2, 3, 4)),
    case("nn.layer_normalization", rand(2, 3, 4), rand(4), rand(4), epsilon=1e-3),
    case("nn.layer_normalization", rand(2, 3, 4), rand(3, 4), None, axis=(1, 2)),
    case("nn.layer_normalization", rand(2, 3, 4), None, rand(3), axis=1),
    case("nn.layer_normalization", f16(2, 4), rand(4), **HALF),
    case("nn.layer_normalization", ints(2, 4, low=0, high=9)),
    case("nn.layer_normalization", rand(2, 4), rand(4), rms_scaling=True),
    case("nn.rms_normalization", rand(2, 3, 4)),
    case("nn.rms_normalization", rand(2, 3, 4), rand(4)),
    case("nn.rms_normalization", rand(2, 3, 4), None, axis=(0, 1), epsilon=1e-3),
    case("nn.rms_normalization", f16(2, 4), rand(4), **HALF),
    case("nn.rms_normalization", ints(2, 4, low=0, high=9)),
    case("nn.moments", rand(3, 4), [0]),
    case("nn.moments", rand(2, 3, 4), (0, 1), keepdims=True),
    case("nn.moments", rand(2, 3, 4), -1),
    case("nn.moments", ints(3, 4), [1]),
    case("nn.moments", f16(3, 4), [0], **HALF),
    case("nn.normalize", x34), case("nn.normalize", x34, axis=0), case("nn.normalize", x34, order=1),
    case("nn.normalize", x34, order=3, axis=-1), case("nn.normalize", np.zeros((2, 3), "float32")),
    case("nn.normalize", f16(2, 3), **HALF), case("nn.normalize", int34, order=1),

    # -- losses -----------------------------------------------------------------------------------
    case("nn.binary_crossentropy", bools(3, 4).astype("float32"), probabilities(3, 4)),
    case("nn.binary_crossentropy", probabilities(3, 4), x34, from_logits=True),
    case("nn.binary_crossentropy", bools(2, 3), probabilities(2, 3)),
    case("nn.binary_crossentropy", f16(2, 3, low=0, high=1), f16(2, 3, low=0.1, high=0.9), **HALF),
    case("nn.categorical_crossentropy", np.eye(4, dtype="float32")[[0, 2, 3]], probabilities(3, 4)),
    case("nn.categorical_crossentropy", np.eye(4, dtype="float32")[[1, 1, 3]], x34, from_logits=True),
    case("nn.categorical_crossentropy", np.eye(3, dtype="float32"), rand(3, 3), from_logits=True, axis=0),
    case("nn.categorical_crossentropy", np.eye(3, dtype="int32")[[0, 2]], probabilities(2, 3)),
    case("nn.categorical_crossentropy", np.eye(3, dtype="float16")[[0, 2]], f16(2, 3, low=0.1, high=0.9), **HALF),
    case("nn.sparse_categorical_crossentropy", np.array([0, 2, 3], "int32"), probabilities(3, 4)),
    case("nn.sparse_categorical_crossentropy", np.array([1.0, 0.0, 3.0], "float32"), x34, from_logits=True),
    case("nn.sparse_categorical_crossentropy", np.array([[1], [0], [2]], "int32"), x34, from_logits=True),
    case("nn.sparse_categorical_crossentropy", ints(2, 3, high=3), rand(2, 3, 3), from_logits=True, axis=1),
    case("nn.sparse_categorical_crossentropy", np.array([1, 0], "int32"), f16(2, 3, low=0.1, high=0.9), **HALF),

    # -- encodings and measures -------------------------------------------------------------------
    case("nn.one_hot", np.array([0, 2, 1, 3], "int32"), 4),
    case("nn.one_hot", np.array([0.0, 1.5, 2.0, -1.0], "float32"), 3),
    case("nn.one_hot", ints(2, 3, high=4), 4, axis=0),
    case("nn.one_hot", ints(2, 3, high=4), 4, axis=1, dtype="int32"),
    case("nn.one_hot", np.array([5, -1, 1], "int32"), 3, dtype="bool"),
    case("nn.multi_hot", np.array([[0, 2], [1, 1]], "int32"), 4),
    case("nn.multi_hot", np.array([0, 2, 2], "int32"), 3),
    case("nn.multi_hot", ints(2, 3, 2, high=4), 4),
    case("nn.multi_hot", np.array([[0, 2], [1, 3]], "int32"), 4, axis=0),
    case("nn.multi_hot", np.array([[0.0, 1.7], [2.2, 2.0]], "float32"), 4, dtype="int32"),
    case("nn.psnr", probabilities(2, 4, 4, 1), probabilities(2, 4, 4, 1), 1.0),
    case("nn.psnr", ints(3, 4, high=255), ints(3, 4, high=255), 255),
    case("nn.psnr", f16(3, 3, low=0, high=1), f16(3, 3, low=0, high=1), 1.0, **HALF),
    case("nn.polar", rand(3, 2, low=0, high=2), rand(3, 2, low=-3, high=3)),
    case("nn.polar", ints(2, 3), ints(2, 3)),

    # -- block rearrangements ---------------------------------------------------------------------
    case("nn.unfold", rand(1, 2, 4, 4), 2),
    case("nn.unfold", rand(2, 1, 5, 6), (2, 3), padding=1, stride=2),
    case("nn.unfold", rand(1, 2, 5, 5), 2, dilation=2, padding=(0, 1)),
    case("nn.unfold", ints(1, 2, 3, 3), 2),
    case("nn.fold", rand(1, 8, 9), 4, 2),
    case("nn.fold", rand(2, 4, 4), 4, 2, stride=2),
    case("nn.fold", rand(1, 12, 4), (3, 4), (2, 3), padding=1, stride=(2, 3)),
    case("nn.fold", rand(1, 4, 4), 4, 2, dilation=2),
    case("nn.depth_to_space", rand(2, 2, 3, 8), 2),
    case("nn.depth_to_space", rand(1, 8, 2, 3), 2, data_format="channels_first"),
    case("nn.depth_to_space", ints(1, 1, 1, 9), 3),
    case("nn.space_to_depth", rand(2, 4, 6, 2), 2),
    case("nn.space_to_depth", rand(1, 2, 4, 2), 2, data_format="channels_first"),

    # -- attention --------------------------------------------------------------------------------
    case("nn.dot_product_attention", rand(2, 3, 2, 4), rand(2, 5, 2, 4), rand(2, 5, 2, 4)),
    case("nn.dot_product_attention", rand(1, 3, 2, 4), rand(1, 3, 2, 4), rand(1, 3, 2, 4), is_causal=True),
    case("nn.dot_product_attention", rand(1, 3, 2, 4), rand(1, 4, 2, 4), rand(1, 4, 2, 4),
         bias=rand(1, 2, 3, 4), scale=0.3),
    case("nn.dot_product_attention", rand(2, 3, 2, 4), rand(2, 4, 2, 4), rand(2, 4, 2, 4), bias=rand(2, 1, 3, 4),
         mask=bools(2, 1, 3, 4)),
    case("nn.dot_product_attention", rand(2, 3, 2, 4), rand(2, 3, 2, 4), rand(2, 3, 2, 4),
         mask=bools(2, 3, 3).astype("int32"), is_causal=True),
    case("nn.dot_product_attention", rand(1, 3, 4, 2), rand(1, 5, 2, 2), rand(1, 5, 2, 2), id="dpa_grouped"),
    case("nn.dot_product_attention", f16(1, 3, 2, 4), f16(1, 3, 2, 4), f16(1, 3, 2, 4), **HALF),
    case("nn.dot_product_attention", f16(1, 3, 2, 4), rand(1, 3, 2, 4), rand(1, 3, 2, 4), rtol=1e-3, atol=1e-3),

    # -- CTC --------------------------------------------------------------------------------------
    case("nn.ctc_loss", np.array([[1, 2, 2], [3, 1, 0]], "int32"), rand(2, 6, 4), np.array([3, 2], "int32"),
         np.array([6, 4], "int32"), rtol=1e-4, atol=1e-4),
    case("nn.ctc_loss", np.array([[0, 1], [2, 2]], "int32"), rand(2, 5, 4), np.array([2, 1], "int32"),
         np.array([5, 5], "int32"), mask_index=3, rtol=1e-4, atol=1e-4),
    case("nn.ctc_loss", np.array([[1, 2]], "int32"), f16(1, 4, 3), np.array([2], "int32"), np.array([4], "int32"),
         **HALF),
    case("nn.ctc_decode", rand(2, 6, 4), np.array([6, 4], "int32")),
    case("nn.ctc_decode", rand(2, 6, 4), np.array([6, 5], "int32"), merge_repeated=False),
    case("nn.ctc_decode", rand(2, 6, 4), np.array([6, 3], "int32"), mask_index=3),
    case("nn.ctc_decode", np.repeat(rand(1, 3, 3), 2, axis=1), np.array([6], "int32"), id="ctc_greedy_repeats"),
    case("nn.ctc_decode", rand(2, 6, 4), np.array([6, 4], "int32"), strategy="beam_search", beam_width=4,
         top_paths=2, rtol=1e-4, atol=1e-4),
    case("nn.ctc_decode", rand(3, 5, 3), np.array([5, 2, 4], "int32"), strategy="beam_search", rtol=1e-4,
         atol=1e-4),
    case("nn.ctc_decode", rand(1, 6, 5), np.array([6], "int32"), strategy="beam_search", beam_width=6, top_paths=3,
         mask_index=4, rtol=1e-4, atol=1e-4),
]
