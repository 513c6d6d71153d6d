"""Pass reports say what they did in the model's layer names: which dropouts went, which BatchNormalization
was folded into which convolution/dense layer, what was fused, merged, deduplicated and removed.

The expected layer names are written by hand from the models built here.
"""
import symk
from symk import layers


def conv_bn_dropout_dense():
    """conv_a -> bn_a -> relu_a -> drop_a -> flat -> dense_a -> bn_b -> drop_b -> head."""
    inp = symk.Input((6, 6, 2))
    x = layers.Conv2D(3, 3, name="conv_a")(inp)
    x = layers.BatchNormalization(name="bn_a")(x)
    x = layers.Activation("relu", name="relu_a")(x)
    x = layers.Dropout(0.5, name="drop_a")(x)
    x = layers.Flatten(name="flat")(x)
    x = layers.Dense(4, name="dense_a")(x)
    x = layers.BatchNormalization(name="bn_b")(x)
    x = layers.Dropout(0.25, name="drop_b")(x)
    out = layers.Dense(2, activation="softmax", name="head")(x)
    return symk.Model(inp, out)


def layers_of(report, kind):
    return [c.layers for c in report.changes(kind)]


def test_inference_report_names_the_dropouts_batch_norms_and_linear_layers():
    report = conv_bn_dropout_dense().optimize(mode="inference")
    assert layers_of(report, "dropout_removed") == [("drop_a",), ("drop_b",)]
    # (batch norm, the layer it was folded into)
    assert layers_of(report, "bn_folded") == [("bn_a", "conv_a"), ("bn_b", "dense_a")]
    # dense_a, with bn_b folded into its bias, is followed directly by head: one matmul
    assert layers_of(report, "merged") == [("dense_a", "bn_b", "head")]
    # what dce removed is the batch norms' training-time statistics
    assert sorted(layers_of(report, "dead_code")) == [("bn_a",), ("bn_b",)]
    assert sorted(layers_of(report, "inference_branch")) == [("bn_a",), ("bn_b",)]
    updates = sorted(c.text for c in report.changes("state_update_dropped"))
    assert updates == [f"BatchNormalization {bn}: its no-op update of {bn}/{stat} dropped"
                       for bn in ("bn_a", "bn_b") for stat in ("moving_mean", "moving_variance")]


def test_str_of_the_report_reads_in_layer_names_below_the_table():
    text = str(conv_bn_dropout_dense().optimize(mode="inference"))
    table, _, details = text.partition("what changed, by layer:")
    assert "pass" in table and "matched" in table and "bn_fold" in table  # the table stays
    for line in ["specialize_training: Dropout drop_a: dropout removed (rate 0.5, not training)",
                 "specialize_training: Dropout drop_b: dropout removed (rate 0.25, not training)",
                 "bn_fold: BatchNormalization bn_a folded into Conv2D conv_a (conv)",
                 "bn_fold: BatchNormalization bn_b folded into Dense dense_a (matmul)",
                 "merge_linear: merged dense_a (matmul) + bn_b (bias_add) + head (matmul) into one matmul"]:
        assert f"  {line}\n" in details + "\n", (line, details)
    dce_lines = [line for line in details.splitlines() if line.strip().startswith("dce:")]
    assert [line.split(" [")[0].strip() for line in dce_lines] == [
        "dce: removed unused ops of BatchNormalization bn_a", "dce: removed unused ops of BatchNormalization bn_b"]
    assert all(line.endswith(" nodes]") for line in dce_lines)  # 24 each: mean, var, rsqrt, ... of training


def test_training_report_keeps_dropout_and_folds_nothing():
    report = conv_bn_dropout_dense().optimize(mode="training")
    assert layers_of(report, "dropout_removed") == [] and layers_of(report, "bn_folded") == []
    assert [c.text for c in report.changes("inference_branch")] == [
        "BatchNormalization bn_a: runs its training branch only", "BatchNormalization bn_b: runs its training branch only"]
    assert "dropout removed" not in str(report) and "folded into" not in str(report)


def test_fusion_cse_and_simplify_details_name_the_layers():
    inp = symk.Input((6,))
    h = layers.Dense(8, name="hidden")(inp)
    first = layers.Activation("relu", name="relu_1")(h)
    second = layers.Activation("relu", name="relu_2")(h)  # the same op on the same input: CSE
    x = layers.Dense(4, name="out")(layers.Add(name="sum")([first, second]))
    x = layers.Activation("tanh", name="squash")(x)
    x = layers.Rescaling(2.0, offset=0.5, name="rescale")(x)  # x * 2 + 0.5: two elementwise ops
    report = symk.Model(inp, x).optimize(optimize={"enable": ["fuse_elementwise", "fuse_linear"]})
    assert [str(c) for c in report.changes("duplicate_merged")] == ["relu_2 (relu) reuses the equal relu_1 (relu)"]
    assert [(c.pass_name, c.layers, c.text) for c in report.changes("fused")] == [
        ("fuse_linear", ("hidden", "relu_1"), "fused hidden (matmul, bias_add) + relu_1 (relu) into one fused_linear"),
        ("fuse_linear", ("out", "squash"), "fused out (matmul, bias_add) + squash (tanh) into one fused_linear"),
        ("fuse_elementwise", ("rescale",), "fused rescale (multiply, add) into one fused_elementwise"),
    ]


def test_a_batch_norm_that_cannot_fold_is_named_with_the_reason():
    inp = symk.Input((5,))
    linear = layers.Dense(3, name="proj")(inp)
    normed = layers.BatchNormalization(name="norm")(linear)
    out = layers.Add(name="skip")([normed, linear])  # proj's output has a second user: no folding
    report = symk.Model(inp, out).optimize()
    assert layers_of(report, "bn_folded") == []
    kept = report.changes("bn_kept")
    assert [c.layers for c in kept] == [("norm",)] and "has other users" in kept[0].text
    assert kept[0].text.startswith("BatchNormalization norm not folded: proj")


def test_one_pass_report_has_details_too():
    model = conv_bn_dropout_dense()
    _, report = symk.passes.run_pass("specialize_training", model.graph)
    assert [c.layers for c in report.changes("dropout_removed")] == [("drop_a",), ("drop_b",)]
    assert "Dropout drop_a: dropout removed" in str(report)
    assert all(c.pass_name == "specialize_training" for c in report.details)
