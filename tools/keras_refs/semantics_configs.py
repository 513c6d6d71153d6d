"""Keras-free table for make_layers_semantics.py: layers built in Keras 3 whose get_config() symk's
`Layer.from_config` must accept (each entry: id, class name, constructor kwargs, input shape, input dtype).

Nested objects are written as {"__object__": {"module": "layers", "cls": ..., "kwargs": ...}} (the
module is one of layers, initializers, regularizers, constraints) and built by the generator.
"""


def obj(module, cls, **kwargs):
    return {"__object__": {"module": module, "cls": cls, "kwargs": kwargs}}


def layer(cls, **kwargs):
    return obj("layers", cls, **kwargs)


def init(cls, **kwargs):
    return obj("initializers", cls, **kwargs)


def entry(cid, cls, kwargs, shape, dtype="float32"):
    shape = [list(s) for s in shape] if isinstance(shape[0], (list, tuple)) else list(shape)
    return dict(id=cid, cls=cls, kwargs=kwargs, shape=shape, dtype=dtype)


SEQ, IMG, VOL = (2, 5, 3), (2, 6, 6, 3), (1, 4, 4, 4, 2)

CONFIG_ENTRIES = [
    entry("dense", "Dense", dict(units=3, activation="relu"), (2, 4)),
    entry("dense_glorot_axes", "Dense", dict(units=3, kernel_initializer=init(
        "GlorotUniform", seed=3, input_axes=[0], output_axes=[1])), (2, 4)),
    entry("dense_variance_scaling", "Dense", dict(units=2, kernel_initializer=init(
        "VarianceScaling", scale=2.0, mode="fan_out", distribution="untruncated_normal", seed=1),
        bias_initializer=init("Constant", value=0.5), kernel_regularizer=obj("regularizers", "L1L2", l1=0.01, l2=0.02),
        kernel_constraint=obj("constraints", "MaxNorm", max_value=2.0)), (2, 4)),
    entry("dense_he_lecun", "Dense", dict(units=2, kernel_initializer=init("HeNormal", seed=2),
                                          bias_initializer=init("LecunUniform")), (2, 4)),
    entry("dense_orthogonal", "Dense", dict(units=4, kernel_initializer=init("Orthogonal", gain=0.5, seed=4),
                                            bias_initializer=init("RandomNormal", mean=0.1, stddev=0.2)), (2, 4)),
    entry("einsum_dense", "EinsumDense", dict(equation="ab,bc->ac", output_shape=4, bias_axes="c"), (2, 3)),
    entry("activation_celu", "Activation", dict(activation="celu"), (2, 4)),
    entry("activation_sparse_plus", "Activation", dict(activation="sparse_plus"), (2, 4)),
    entry("dense_squareplus", "Dense", dict(units=2, activation="squareplus"), (2, 4)),
    entry("dropout", "Dropout", dict(rate=0.3, seed=1), (2, 4)),
    entry("spatial_dropout1d", "SpatialDropout1D", dict(rate=0.2), SEQ),
    entry("gaussian_noise", "GaussianNoise", dict(stddev=0.1, seed=2), (2, 4)),
    entry("gaussian_dropout", "GaussianDropout", dict(rate=0.1), (2, 4)),
    entry("alpha_dropout", "AlphaDropout", dict(rate=0.1), (2, 4)),
    entry("activity_regularization", "ActivityRegularization", dict(l1=0.01), (2, 4)),
    entry("flatten", "Flatten", {}, IMG),
    entry("reshape", "Reshape", dict(target_shape=(3, 5)), (2, 15)),
    entry("permute", "Permute", dict(dims=(2, 1)), SEQ),
    entry("repeat_vector", "RepeatVector", dict(n=3), (2, 4)),
    entry("masking", "Masking", dict(mask_value=0.5), SEQ),
    entry("embedding", "Embedding", dict(input_dim=10, output_dim=3, mask_zero=True), (2, 5), "int32"),
    entry("conv1d_causal", "Conv1D", dict(filters=2, kernel_size=3, padding="causal", dilation_rate=2), (2, 8, 3)),
    entry("conv2d", "Conv2D", dict(filters=4, kernel_size=3, strides=2, padding="same", groups=1), IMG),
    entry("conv3d", "Conv3D", dict(filters=2, kernel_size=2), VOL),
    entry("conv1d_transpose", "Conv1DTranspose", dict(filters=2, kernel_size=3, strides=2), SEQ),
    entry("conv2d_transpose", "Conv2DTranspose", dict(filters=2, kernel_size=3, output_padding=1, strides=2), IMG),
    entry("conv3d_transpose", "Conv3DTranspose", dict(filters=2, kernel_size=2), VOL),
    entry("depthwise_conv1d", "DepthwiseConv1D", dict(kernel_size=3, depth_multiplier=2), SEQ),
    entry("depthwise_conv2d", "DepthwiseConv2D", dict(kernel_size=3, padding="same"), IMG),
    entry("separable_conv1d", "SeparableConv1D", dict(filters=4, kernel_size=2), SEQ),
    entry("separable_conv2d", "SeparableConv2D", dict(filters=4, kernel_size=3, depth_multiplier=2), IMG),
    entry("max_pooling1d", "MaxPooling1D", dict(pool_size=2), SEQ),
    entry("average_pooling2d", "AveragePooling2D", dict(pool_size=2, padding="same"), IMG),
    entry("max_pooling3d", "MaxPooling3D", dict(pool_size=2), VOL),
    entry("global_average_pooling1d", "GlobalAveragePooling1D", dict(keepdims=True), SEQ),
    entry("global_max_pooling2d", "GlobalMaxPooling2D", {}, IMG),
    entry("zero_padding1d", "ZeroPadding1D", dict(padding=(1, 2)), SEQ),
    entry("zero_padding2d", "ZeroPadding2D", dict(padding=((1, 0), (2, 1))), IMG),
    entry("cropping2d", "Cropping2D", dict(cropping=((1, 0), (0, 2))), IMG),
    entry("cropping3d", "Cropping3D", dict(cropping=1), VOL),
    entry("up_sampling1d", "UpSampling1D", dict(size=3), SEQ),
    entry("up_sampling2d_bicubic", "UpSampling2D", dict(size=(2, 3), interpolation="bicubic"), IMG),
    entry("up_sampling3d", "UpSampling3D", dict(size=2), VOL),
    entry("batch_normalization", "BatchNormalization", dict(momentum=0.9, epsilon=1e-2, center=False), IMG),
    entry("layer_normalization", "LayerNormalization", dict(axis=[1, 2]), IMG),
    entry("layer_normalization_rms", "LayerNormalization", dict(rms_scaling=True), SEQ),
    entry("group_normalization", "GroupNormalization", dict(groups=-1), IMG),
    entry("unit_normalization", "UnitNormalization", dict(axis=[1, 2]), SEQ),
    entry("relu", "ReLU", dict(max_value=6.0, negative_slope=0.1, threshold=0.5), (2, 4)),
    entry("leaky_relu", "LeakyReLU", dict(negative_slope=0.2), (2, 4)),
    entry("prelu", "PReLU", dict(shared_axes=[1]), SEQ),
    entry("elu", "ELU", dict(alpha=0.5), (2, 4)),
    entry("softmax", "Softmax", dict(axis=1), SEQ),
    entry("simple_rnn", "SimpleRNN", dict(units=3, return_sequences=True), SEQ),
    entry("lstm", "LSTM", dict(units=2, return_state=True, dropout=0.1, unit_forget_bias=False), SEQ),
    entry("gru", "GRU", dict(units=2, go_backwards=True, reset_after=False), SEQ),
    entry("rnn_cells", "RNN", dict(cell=[layer("LSTMCell", units=2), layer("GRUCell", units=3)]), SEQ),
    entry("rnn_simple_cell", "RNN", dict(cell=layer("SimpleRNNCell", units=2), return_sequences=True), SEQ),
    entry("bidirectional", "Bidirectional", dict(layer=layer("LSTM", units=2, return_sequences=True),
                                                  merge_mode="sum"), SEQ),
    entry("bidirectional_backward", "Bidirectional", dict(
        layer=layer("GRU", units=2), backward_layer=layer("GRU", units=2, go_backwards=True)), SEQ),
    entry("time_distributed", "TimeDistributed", dict(layer=layer("Dense", units=2)), SEQ),
    entry("time_distributed_bn", "TimeDistributed", dict(layer=layer("BatchNormalization")), SEQ),
    entry("rescaling", "Rescaling", dict(scale=0.5, offset=1.0), IMG),
    entry("resizing", "Resizing", dict(height=3, width=4), IMG),
    entry("center_crop", "CenterCrop", dict(height=4, width=4), IMG),
]

MULTI_CONFIG_ENTRIES = [
    entry("add", "Add", {}, [(2, 4), (2, 4)]),
    entry("subtract", "Subtract", {}, [(2, 4), (2, 4)]),
    entry("multiply", "Multiply", {}, [(2, 4), (2, 4)]),
    entry("average", "Average", {}, [(2, 4), (2, 4)]),
    entry("maximum", "Maximum", {}, [(2, 4), (2, 4)]),
    entry("minimum", "Minimum", {}, [(2, 4), (2, 4)]),
    entry("concatenate", "Concatenate", dict(axis=1), [(2, 3, 4), (2, 2, 4)]),
    entry("dot", "Dot", dict(axes=1, normalize=True), [(2, 4), (2, 4)]),
]
