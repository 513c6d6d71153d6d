"""Keras-free case drawing for make_layers_semantics.py: seeded small graphs of layers (merges of masked
inputs, Bidirectional, TimeDistributed(BatchNormalization), LayerNormalization, GroupNormalization,
UpSampling2D, Embedding chains, activations) with their input arrays.

A case: {"id", "inputs": [arrays], "nodes": [{"id", "layer": {"cls", "kwargs"}, "inputs": [refs], "call"}],
"outputs": [node ids], "training", "dynamic_time"}. A ref is "x<k>" (input k) or a node id ("<node>:<k>" for
output k); a node with one ref is called on it, else on the list. Nested objects in kwargs are written as
{"__object__": {"module", "cls", "kwargs"}}.
"""
import numpy as np

SEED = 20250613
RNG = np.random.RandomState(SEED)
RNN_CLASSES = ("SimpleRNN", "LSTM", "GRU")


def spec(cls, **kwargs):
    return {"cls": cls, "kwargs": kwargs}


def node(nid, layer, inputs, **call):
    return {"id": nid, "layer": layer, "inputs": list(inputs), "call": call}


def float_input(shape, masked_steps=None):
    """Normal data; (batch, step) pairs in `masked_steps` all zeros (what Masking() masks)."""
    x = RNG.normal(size=shape).astype("float32")
    for b, t in masked_steps or ():
        x[b, t] = 0.0
    return x


def some_masked_steps(batch, steps, share=0.35):
    """Random (batch, step) pairs to pad; every sample keeps at least one step, one sample loses none."""
    pairs = []
    for b in range(batch - 1):
        for t in range(steps):
            if RNG.uniform() < share:
                pairs.append((b, t))
        if sum(1 for p in pairs if p[0] == b) == steps:
            pairs.remove((b, int(RNG.randint(steps))))
    return pairs


def padded_ids(batch, steps, vocab):
    ids = RNG.randint(1, vocab, size=(batch, steps)).astype("int32")
    for b in range(batch):
        ids[b, int(RNG.randint(1, steps + 1)):] = 0     # trailing padding (possibly none)
    ids[0, min(1, steps - 1)] = 0                        # and one hole inside a sequence
    return ids


def merge_case(i):
    cls = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Concatenate"][i % 8]
    count = 2 if cls == "Subtract" else int(RNG.randint(2, 4))
    batch, steps = 3, 5
    kwargs = {"axis": 1} if cls == "Concatenate" and i % 16 == 7 else {}
    features = 2 if cls != "Concatenate" else None
    inputs, nodes, merged = [], [], []
    masked_any = False
    for k in range(count):
        f = features or int(RNG.randint(2, 4)) if "axis" not in kwargs else 2
        t = steps if "axis" not in kwargs else int(RNG.randint(2, 5))
        masked = RNG.uniform() < 0.65 or (k == count - 1 and not masked_any)
        masked_any |= masked
        inputs.append(float_input((batch, t, f), some_masked_steps(batch, t) if masked else None))
        if masked:
            nodes.append(node(f"mask{k}", spec("Masking", name=f"masking_{k}"), [f"x{k}"]))
            merged.append(f"mask{k}")
        else:
            merged.append(f"x{k}")
    nodes.append(node("merge", spec(cls, name="merge", **kwargs), [merged]))
    outputs = ["merge"]
    if RNG.uniform() < 0.75:
        rnn = RNN_CLASSES[int(RNG.randint(3))]
        nodes.append(node("rnn", spec(rnn, units=2, return_sequences=bool(RNG.uniform() < 0.5), name="rnn"),
                          ["merge"]))
        outputs.append("rnn")
    return dict(id=f"merge_{i:02d}_{cls.lower()}", inputs=inputs, nodes=nodes, outputs=outputs, training=False)


def bidirectional_case(i):
    rnn = RNN_CLASSES[i % 3]
    merge_mode = ["concat", "sum", "mul", "ave", None][int(RNG.randint(5))]
    return_sequences = bool(RNG.uniform() < 0.75)
    return_state = bool(RNG.uniform() < 0.3)
    batch, steps = 3, 6
    if i % 4 == 3:  # padded word ids through Embedding(mask_zero=True)
        inputs = [padded_ids(batch, steps, 9)]
        nodes = [node("embed", spec("Embedding", input_dim=9, output_dim=3, mask_zero=True, name="embed"), ["x0"])]
    else:
        inputs = [float_input((batch, steps, 3), some_masked_steps(batch, steps))]
        nodes = [node("embed", spec("Masking", name="masking"), ["x0"])]
    inner = {"__object__": {"module": "layers", "cls": rnn,
                            "kwargs": dict(units=2, return_sequences=return_sequences, return_state=return_state)}}
    nodes.append(node("bi", spec("Bidirectional", layer=inner, merge_mode=merge_mode, name="bi"), ["embed"]))
    outputs = ["bi"]
    if return_sequences and merge_mode is not None and not return_state:
        nodes.append(node("after", spec("SimpleRNN", units=2, name="after"), ["bi"]))
        outputs.append("after")
    return dict(id=f"bidirectional_{i:02d}_{rnn.lower()}", inputs=inputs, nodes=nodes, outputs=outputs,
                training=False)


def time_distributed_bn_case(i):
    momentum = [0.0, 0.5, 0.9, 0.99][i % 4]
    image = i % 3 == 2
    shape = (2, 3, 2, 2, 3) if image else (4, 3, 3)
    training = i != 5
    bn = {"__object__": {"module": "layers", "cls": "BatchNormalization",
                         "kwargs": dict(momentum=momentum, epsilon=float(RNG.choice([1e-3, 1e-2])),
                                        center=bool(i % 2 == 0), scale=bool(i % 5 != 4))}}
    inputs = [float_input(shape) * 2.0 + 0.5]
    nodes, source = [], "x0"
    if i == 4:  # masked steps: each step's batch statistics count only its unmasked samples
        inputs = [float_input(shape, some_masked_steps(shape[0], shape[1]))]
        nodes.append(node("mask", spec("Masking", name="masking"), ["x0"]))
        source = "mask"
    nodes.append(node("td", spec("TimeDistributed", layer=bn, name="td"), [source]))
    # i % 3 == 1: the time axis is unknown to the model (Input(shape=(None, ...)))
    return dict(id=f"time_distributed_bn_{i:02d}", inputs=inputs, nodes=nodes, outputs=["td"], training=training,
                dynamic_time=i % 3 == 1)


def layer_norm_case(i):
    axis = [-1, [1, 2], 1, [-2, -1]][i % 4]
    kwargs = dict(axis=axis, epsilon=float(RNG.choice([1e-3, 1e-5, 0.1])), center=bool(RNG.uniform() < 0.5),
                  scale=bool(RNG.uniform() < 0.5), rms_scaling=i < 5)
    inputs = [float_input((3, 4, 5)) * 1.5 + 0.7]
    nodes = [node("ln", spec("LayerNormalization", name="ln", **kwargs), ["x0"])]
    return dict(id=f"layer_norm_{i:02d}{'_rms' if kwargs['rms_scaling'] else ''}", inputs=inputs, nodes=nodes,
                outputs=["ln"], training=False)


def group_norm_case(i):
    shape = [(2, 5, 4), (2, 3, 3, 6), (2, 4, 2)][i % 3]
    groups = [-1, -1, 1, 2][i % 4]
    inputs = [float_input(shape) * 2.0 - 0.3]
    nodes = [node("gn", spec("GroupNormalization", groups=groups, name="gn",
                             center=bool(i % 2 == 0)), ["x0"])]
    return dict(id=f"group_norm_{i:02d}", inputs=inputs, nodes=nodes, outputs=["gn"], training=False)


def upsampling_case(i):
    interpolation = ["bicubic", "lanczos3", "lanczos5", "bilinear", "nearest"][i % 5]
    data_format = "channels_first" if i % 3 == 2 else "channels_last"
    size = (int(RNG.randint(1, 4)), int(RNG.randint(2, 4)))
    shape = (2, 3, 4, 5) if data_format == "channels_first" else (2, 4, 5, 3)
    nodes = [node("up", spec("UpSampling2D", size=size, interpolation=interpolation, data_format=data_format,
                             name="up"), ["x0"])]
    return dict(id=f"upsampling_{i:02d}_{interpolation}", inputs=[float_input(shape)], nodes=nodes, outputs=["up"],
                training=False)


def embedding_case(i):
    after = [spec("LSTM", units=3, name="after"), spec("GRU", units=2, return_sequences=True, name="after"),
             spec("Dense", units=3, name="after"), spec("SimpleRNN", units=2, go_backwards=True, name="after")][i % 4]
    inputs = [padded_ids(3, 5, 7)]
    nodes = [node("embed", spec("Embedding", input_dim=7, output_dim=4, mask_zero=True, name="embed"), ["x0"]),
             node("after", after, ["embed"])]
    outputs = ["after"]
    if after["cls"] == "Dense":
        nodes.append(node("rnn", spec("LSTM", units=2, name="rnn"), ["after"]))
        outputs.append("rnn")
    return dict(id=f"embedding_{i:02d}_{after['cls'].lower()}", inputs=inputs, nodes=nodes, outputs=outputs,
                training=False)


# NOTE: no sparsemax: Keras 3.15's sums the cumulative sums over the support (keras-team/keras#23425), so its
# outputs are wrong; symk follows the paper and the test checks it against numpy
ACTIVATIONS = ("celu", "glu", "hard_shrink", "hard_tanh", "log_sigmoid", "soft_shrink", "sparse_plus",
               "sparse_sigmoid", "squareplus", "tanh_shrink")


def activation_case(i):
    name = ACTIVATIONS[i]
    nodes = [node("act", spec("Activation", activation=name, name="act"), ["x0"]),
             node("dense", spec("Dense", units=4, activation=name, name="dense"), ["x0"])]
    return dict(id=f"activation_{name}", inputs=[float_input((3, 6)) * 2.0], nodes=nodes, outputs=["act", "dense"],
                training=False)


def cases():
    out = [merge_case(i) for i in range(16)]
    out += [bidirectional_case(i) for i in range(12)]
    out += [time_distributed_bn_case(i) for i in range(7)]
    out += [layer_norm_case(i) for i in range(7)]
    out += [group_norm_case(i) for i in range(4)]
    out += [upsampling_case(i) for i in range(6)]
    out += [embedding_case(i) for i in range(4)]
    out += [activation_case(i) for i in range(len(ACTIVATIONS))]
    return out
