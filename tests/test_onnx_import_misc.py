"""ONNX import of the misc operators (symk/onnx/import_ops_misc.py and the ones it completes elsewhere):
sequences and optionals, loops unrolled at import time, scatter reductions, data-dependent sizes (Unique,
Compress), ReverseSequence, TensorScatter, Det, training-mode Dropout and BatchNormalization, the training
and ai.onnx.ml operators. Each small model runs through symk.onnx.backend and is compared with ONNX's
reference implementation (onnx.reference.ReferenceEvaluator), or with formulas where draws are random.
"""
import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper  # noqa: E402
from onnx.reference import ReferenceEvaluator  # noqa: E402

import symk.onnx.backend as backend  # noqa: E402
from symk.onnx import load_model  # noqa: E402
from symk.onnx.import_registry import OnnxImportError  # noqa: E402

F, I64, B = TensorProto.FLOAT, TensorProto.INT64, TensorProto.BOOL
RNG = np.random.default_rng(0)


def tensor(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def sequence(name, elem):
    return helper.make_tensor_sequence_value_info(name, elem, None)


def optional_tensor(name, elem, shape):
    return helper.make_value_info(name, helper.make_optional_type_proto(helper.make_tensor_type_proto(elem, shape)))


def model(nodes, inputs, outputs, opset=18, inits=(), domains=()):
    graph = helper.make_graph(nodes, "misc", inputs, outputs, initializer=list(inits))
    opsets = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, v) for d, v in domains]
    return helper.make_model(graph, opset_imports=opsets)


def differences(ours, theirs, rtol=1e-5, atol=1e-6, same_dtype=True) -> list:
    """What differs between two lists of outputs (tensors, or sequences of them): one line per difference."""
    if len(ours) != len(theirs):
        return [f"{len(ours)} outputs against {len(theirs)}"]
    found = []
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if isinstance(b, list):
            found += ([f"output {i}: not a sequence of {len(b)}"] if not isinstance(a, list) or len(a) != len(b)
                      else [f"output {i}: {d}" for d in differences(a, b, rtol, atol, same_dtype)])
            continue
        a, b = np.asarray(a), np.asarray(b)
        if same_dtype and a.dtype != b.dtype:
            found.append(f"output {i}: dtype {a.dtype} against {b.dtype}")
        elif a.shape != b.shape or not np.allclose(a.astype(np.float64), b.astype(np.float64), rtol=rtol, atol=atol,
                                                   equal_nan=True):
            found.append(f"output {i}: {a.tolist()} against {b.tolist()}")
    return found


def run_both(proto, feeds):
    """(symk's outputs, ONNX's reference implementation's) on the same inputs."""
    names = [i.name for i in proto.graph.input]
    theirs = ReferenceEvaluator(proto).run(None, dict(zip(names, feeds)))
    return list(backend.prepare(proto).run(feeds)), list(theirs)


# -- sequences and optionals ----------------------------------------------------------------------------------
def test_sequence_construct_insert_concat():
    nodes = [helper.make_node("SequenceConstruct", ["a", "b"], ["s"]),
             helper.make_node("SequenceInsert", ["s", "a", "pos"], ["s2"]),
             helper.make_node("ConcatFromSequence", ["s2"], ["y"], axis=1),
             helper.make_node("ConcatFromSequence", ["s2"], ["z"], axis=0, new_axis=1)]
    proto = model(nodes, [tensor("a", F, [2, 3]), tensor("b", F, [2, 3])], [tensor("y", F, None), tensor("z", F, None)],
                  inits=[helper.make_tensor("pos", I64, [], [1])])
    ours, theirs = run_both(proto, [RNG.normal(size=(2, 3)).astype(np.float32) for _ in range(2)])
    assert not differences(ours, theirs)


def test_split_to_sequence_at_and_length():
    nodes = [helper.make_node("SplitToSequence", ["x", "split"], ["s"], axis=1),
             helper.make_node("SequenceAt", ["s", "minus_one"], ["last"]),
             helper.make_node("SequenceLength", ["s"], ["n"])]
    proto = model(nodes, [tensor("x", F, [2, 5])], [tensor("last", F, None), tensor("n", I64, [])],
                  inits=[helper.make_tensor("split", I64, [2], [2, 3]), helper.make_tensor("minus_one", I64, [], [-1])])
    ours, theirs = run_both(proto, [RNG.normal(size=(2, 5)).astype(np.float32)])
    assert not differences(ours, theirs)
    assert ours[0].shape == (2, 3) and int(ours[1]) == 2


def test_sequence_inputs_and_outputs_through_the_backend():
    """A sequence input takes one graph input per element; the output comes back as a list."""
    nodes = [helper.make_node("SequenceErase", ["s", "zero"], ["rest"]),
             helper.make_node("SequenceInsert", ["rest", "t"], ["out"])]
    proto = model(nodes, [sequence("s", F), tensor("t", F, [3])], [sequence("out", F)],
                  inits=[helper.make_tensor("zero", I64, [], [0])])
    seq = [np.arange(3, dtype=np.float32), np.ones(2, np.float32), np.full(4, 2.0, np.float32)]
    ours, theirs = run_both(proto, [seq, np.full(3, 7.0, np.float32)])
    assert not differences(ours, theirs)
    assert [a.shape for a in ours[0]] == [(2,), (4,), (3,)]


def test_optional_has_and_get_element():
    nodes = [helper.make_node("Optional", ["x"], ["opt"]),
             helper.make_node("OptionalHasElement", ["opt"], ["has"]),
             helper.make_node("OptionalGetElement", ["opt"], ["y"]),
             helper.make_node("OptionalHasElement", ["empty"], ["has_empty"])]
    proto = model(nodes, [tensor("x", F, [3]), optional_tensor("empty", F, [3])],
                  [tensor("has", B, []), tensor("y", F, [3]), tensor("has_empty", B, [])])
    x = np.arange(3, dtype=np.float32)
    has, y, has_empty = backend.prepare(proto).run([x, None])
    assert bool(has) and not bool(has_empty)
    np.testing.assert_array_equal(y, x)


def test_sequence_map_runs_the_body_per_element():
    body = helper.make_graph([helper.make_node("Add", ["e", "t"], ["o"])], "body",
                             [tensor("e", F, [None]), tensor("t", F, [None])], [tensor("o", F, [None])])
    proto = model([helper.make_node("SequenceMap", ["s", "t"], ["out"], body=body)],
                  [sequence("s", F), tensor("t", F, [2])], [sequence("out", F)], opset=17)
    elements = [np.ones(2, np.float32), np.arange(2, dtype=np.float32)]
    ours, theirs = run_both(proto, [elements, np.full(2, 0.5, np.float32)])
    assert not differences(ours, theirs)


def test_loop_with_scan_outputs_is_unrolled():
    body = helper.make_graph(
        [helper.make_node("Cast", ["i"], ["fi"], to=F),
         helper.make_node("Add", ["acc_in", "fi"], ["acc_out"]),
         helper.make_node("Identity", ["cond_in"], ["cond_out"]),
         helper.make_node("Mul", ["acc_out", "two"], ["scan"])], "body",
        [tensor("i", I64, []), tensor("cond_in", B, []), tensor("acc_in", F, [2])],
        [tensor("cond_out", B, []), tensor("acc_out", F, [2]), tensor("scan", F, [2])],
        initializer=[helper.make_tensor("two", F, [], [2.0])])
    proto = model([helper.make_node("Loop", ["trip", "go", "acc"], ["final", "stacked"], body=body)],
                  [tensor("trip", I64, []), tensor("go", B, []), tensor("acc", F, [2])],
                  [tensor("final", F, [2]), tensor("stacked", F, None)])
    ours, theirs = run_both(proto, [np.asarray(4, np.int64), np.asarray(True), np.asarray([1.0, -1.0], np.float32)])
    assert not differences(ours, theirs)
    assert ours[1].shape == (4, 2)


def test_if_returning_sequences_takes_the_branch_of_the_run():
    def branch(value):
        return helper.make_graph([helper.make_node("SequenceConstruct", ["c"], ["s"])], f"b{value}", [],
                                 [sequence("s", F)], initializer=[helper.make_tensor("c", F, [1], [value])])

    proto = model([helper.make_node("If", ["cond"], ["res"], then_branch=branch(1.0), else_branch=branch(2.0))],
                  [tensor("cond", B, [])], [sequence("res", F)], opset=13)
    assert float(backend.prepare(proto).run([np.asarray(False)])[0][0][0]) == 2.0
    ours, theirs = run_both(proto, [np.asarray(True)])
    assert not differences(ours, theirs)


# -- scatter and gather ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["add", "mul", "max", "min"])
def test_scatter_nd_and_elements_reductions(reduction):
    nodes = [helper.make_node("ScatterND", ["data", "idx_nd", "upd_nd"], ["y"], reduction=reduction),
             helper.make_node("ScatterElements", ["data", "idx_el", "upd_el"], ["z"], axis=1, reduction=reduction)]
    proto = model(nodes, [tensor("data", F, [3, 4]), tensor("upd_nd", F, [3, 4]), tensor("upd_el", F, [3, 2])],
                  [tensor("y", F, [3, 4]), tensor("z", F, [3, 4])],
                  inits=[helper.make_tensor("idx_nd", I64, [3, 1], [0, 2, 0]),
                         helper.make_tensor("idx_el", I64, [3, 2], [0, 0, 3, -1, 1, 2])])
    ours, theirs = run_both(proto, [RNG.normal(size=s).astype(np.float32) for s in [(3, 4), (3, 4), (3, 2)]])
    assert not differences(ours, theirs)


def test_scatter_old_name_and_gather_nd_batch_dims():
    old = model([helper.make_node("Scatter", ["data", "idx", "upd"], ["y"], axis=0)],
                [tensor("data", F, [3, 2]), tensor("upd", F, [1, 2])], [tensor("y", F, [3, 2])], opset=10,
                inits=[helper.make_tensor("idx", I64, [1, 2], [2, 0])])
    # (the reference evaluator has no Scatter; ONNX's doc: y[idx[i][j]][j] = upd[i][j] along axis 0)
    (y,) = backend.prepare(old).run([np.zeros((3, 2), np.float32), np.asarray([[5.0, 6.0]], np.float32)])
    np.testing.assert_array_equal(y, [[0, 6], [0, 0], [5, 0]])
    gather = model([helper.make_node("GatherND", ["x", "idx"], ["y"], batch_dims=1)],
                   [tensor("x", F, [2, 3, 4])], [tensor("y", F, None)],
                   inits=[helper.make_tensor("idx", I64, [2, 2, 2], [0, 1, 2, 3, 1, 0, 0, 0])])
    ours, theirs = run_both(gather, [RNG.normal(size=(2, 3, 4)).astype(np.float32)])
    assert not differences(ours, theirs)


def test_tensor_scatter_circular():
    proto = model([helper.make_node("TensorScatter", ["cache", "upd", "at"], ["y"], mode="circular")],
                  [tensor("cache", F, [2, 4, 3]), tensor("upd", F, [2, 2, 3]), tensor("at", I64, [2])],
                  [tensor("y", F, [2, 4, 3])], opset=24)
    ours, theirs = run_both(proto, [np.zeros((2, 4, 3), np.float32), RNG.normal(size=(2, 2, 3)).astype(np.float32),
                        np.asarray([1, 3], np.int64)])
    assert not differences(ours, theirs)


# -- sizes from the data, sequences in time, linear algebra ------------------------------------------------
@pytest.mark.parametrize("sorted_", [0, 1])
def test_unique_and_compress(sorted_):
    nodes = [helper.make_node("Unique", ["x"], ["y", "first", "inverse", "counts"], sorted=sorted_),
             helper.make_node("Compress", ["x", "keep"], ["c"], axis=0)]
    proto = model(nodes, [tensor("x", F, [6]), tensor("keep", B, [6])],
                  [tensor("y", F, None), tensor("first", I64, None), tensor("inverse", I64, None),
                   tensor("counts", I64, None), tensor("c", F, None)], opset=11)
    ours, theirs = run_both(proto, [np.asarray([2, 1, 1, 3, 4, 3], np.float32), np.asarray([1, 0, 1, 0, 0, 1], bool)])
    assert not differences(ours, theirs)


def test_reverse_sequence_and_det():
    nodes = [helper.make_node("ReverseSequence", ["x", "lens"], ["y"], batch_axis=0, time_axis=1),
             helper.make_node("Det", ["m"], ["d"])]
    proto = model(nodes, [tensor("x", F, [3, 4]), tensor("lens", I64, [3]), tensor("m", F, [2, 3, 3])],
                  [tensor("y", F, [3, 4]), tensor("d", F, [2])])
    ours, theirs = run_both(proto, [RNG.normal(size=(3, 4)).astype(np.float32), np.asarray([1, 4, 2], np.int64),
                        RNG.normal(size=(2, 3, 3)).astype(np.float32)])
    assert not differences(ours, theirs, rtol=1e-4, atol=1e-5)


def test_reduce_over_an_empty_axis_gives_the_identity():
    proto = model([helper.make_node("ReduceMax", ["x", "axes"], ["y"], keepdims=1),
                   helper.make_node("ReduceMin", ["x", "axes"], ["z"], keepdims=0)],
                  [tensor("x", F, [2, 0, 3])], [tensor("y", F, None), tensor("z", F, None)],
                  inits=[helper.make_tensor("axes", I64, [1], [1])])
    y, z = backend.prepare(proto).run([np.zeros((2, 0, 3), np.float32)])
    assert y.shape == (2, 1, 3) and np.all(y == -np.inf) and z.shape == (2, 3) and np.all(z == np.inf)


# -- training mode -------------------------------------------------------------------------------------------
def test_training_dropout_with_seed_and_training_batch_norm():
    nodes = [helper.make_node("Dropout", ["x", "ratio", "training"], ["y", "mask"], seed=3),
             helper.make_node("BatchNormalization", ["img", "s", "b", "mean", "var"], ["n", "rm", "rv"],
                              training_mode=1, momentum=0.8)]
    proto = model(nodes, [tensor("x", F, [4, 5]), tensor("ratio", F, []), tensor("training", B, []),
                          tensor("img", F, [2, 3, 2, 2]), tensor("s", F, [3]), tensor("b", F, [3]),
                          tensor("mean", F, [3]), tensor("var", F, [3])],
                  [tensor("y", F, [4, 5]), tensor("mask", B, [4, 5]), tensor("n", F, None), tensor("rm", F, [3]),
                   tensor("rv", F, [3])], opset=15)
    ours, theirs = run_both(proto, [RNG.normal(size=(4, 5)).astype(np.float32), np.asarray(0.4, np.float32),
                        np.asarray(True), RNG.normal(size=(2, 3, 2, 2)).astype(np.float32), np.ones(3, np.float32),
                        np.zeros(3, np.float32), np.zeros(3, np.float32), np.ones(3, np.float32)])
    assert not differences(ours, theirs, rtol=1e-4, atol=1e-5)


def test_adam_adagrad_and_binarizer_of_other_domains():
    training = "ai.onnx.preview.training"
    nodes = [helper.make_node("Adam", ["r", "t", "x", "g", "v", "h"], ["x1", "v1", "h1"], domain=training,
                              alpha=0.9, beta=0.99, epsilon=1e-3, norm_coefficient=0.01),
             helper.make_node("Adagrad", ["r", "t", "x", "g", "h"], ["x2", "h2"], domain=training,
                              decay_factor=0.1, epsilon=1e-3, norm_coefficient=0.01),
             helper.make_node("Binarizer", ["x"], ["bits"], domain="ai.onnx.ml", threshold=0.2)]
    vec = [tensor(n, F, [3]) for n in ("x", "g", "v", "h")]
    proto = model(nodes, [tensor("r", F, []), tensor("t", I64, [])] + vec,
                  [tensor(n, F, [3]) for n in ("x1", "v1", "h1", "x2", "h2", "bits")],
                  domains=[(training, 1), ("ai.onnx.ml", 1)])
    feeds = [np.asarray(0.1, np.float32), np.asarray(3, np.int64)] + [RNG.uniform(0.1, 1.0, size=3).astype(np.float32)
                                                                     for _ in vec]
    ours, theirs = run_both(proto, feeds)
    # the reference computes the training ops in float64 (Python float attributes)
    assert not differences(ours, theirs, rtol=1e-4, same_dtype=False)


# -- random draws: the distribution, not numpy's numbers ------------------------------------------------------
def test_random_uniform_like_and_bernoulli_follow_their_distribution():
    nodes = [helper.make_node("RandomUniformLike", ["x"], ["u"], low=2.0, high=3.0),
             helper.make_node("Bernoulli", ["p"], ["b"])]
    proto = model(nodes, [tensor("x", F, [200]), tensor("p", F, [4])], [tensor("u", F, [200]), tensor("b", F, [4])],
                  opset=15)
    u, b = backend.prepare(proto).run([np.zeros(200, np.float32), np.asarray([0, 1, 0, 1], np.float32)])
    assert u.dtype == np.float32 and u.shape == (200,) and 2.0 <= u.min() and u.max() < 3.0 and u.std() > 0.1
    np.testing.assert_array_equal(b, [0, 1, 0, 1])  # probabilities 0 and 1 are certain


# -- errors --------------------------------------------------------------------------------------------------
def test_sequence_position_out_of_range_names_the_node():
    nodes = [helper.make_node("SequenceConstruct", ["a"], ["s"]),
             helper.make_node("SequenceAt", ["s", "five"], ["y"], name="pick_fifth")]
    proto = model(nodes, [tensor("a", F, [2])], [tensor("y", F, [2])], inits=[helper.make_tensor("five", I64, [], [5])])
    with pytest.raises(OnnxImportError, match=r"pick_fifth.*position 5 is out of range for a sequence of 1"):
        load_model(proto)


def test_sequence_input_without_element_shapes_says_what_to_pass():
    proto = model([helper.make_node("SequenceLength", ["s"], ["n"])], [sequence("s", F)], [tensor("n", I64, [])])
    with pytest.raises(OnnxImportError, match=r"input 's' is a sequence.*input_shapes=\{'s': \[\(\.\.\.\)"):
        load_model(proto)


def test_an_operator_still_unsupported_is_named_with_its_domain():
    node = helper.make_node("SVMRegressor", ["x"], ["y"], domain="ai.onnx.ml", name="svm")
    proto = model([node], [tensor("x", F, [2, 2])], [tensor("y", F, None)], domains=[("ai.onnx.ml", 5)])
    with pytest.raises(OnnxImportError, match=r"'svm' uses operator 'SVMRegressor' of domain 'ai.onnx.ml'"):
        load_model(proto)


def test_backend_reimports_per_value_when_the_size_comes_from_the_data():
    """Unique's output size is the input's count of distinct values: each run with new values imports again,
    and a run with values seen before reuses that import."""
    proto = model([helper.make_node("Unique", ["x"], ["y"])], [tensor("x", F, [4])], [tensor("y", F, None)], opset=11)
    rep = backend.prepare(proto)
    for values, expected in [([1, 1, 2, 2], [1, 2]), ([3, 2, 1, 3], [1, 2, 3]), ([1, 1, 2, 2], [1, 2])]:
        (y,) = rep.run([np.asarray(values, np.float32)])
        np.testing.assert_array_equal(y, expected)


# -- strings: known at import time only ----------------------------------------------------------------------
def test_equal_and_label_encoder_of_strings_through_the_backend():
    S = TensorProto.STRING
    nodes = [helper.make_node("Equal", ["a", "b"], ["same"]),
             helper.make_node("LabelEncoder", ["a"], ["code"], domain="ai.onnx.ml", keys_strings=["x", "y"],
                              values_int64s=[7, 8], default_int64=-3)]
    proto = model(nodes, [tensor("a", S, [3]), tensor("b", S, [3])], [tensor("same", B, [3]), tensor("code", I64, [3])],
                  opset=19, domains=[("ai.onnx.ml", 2)])
    same, code = backend.prepare(proto).run([np.asarray(["x", "z", "y"], dtype=object),
                                            np.asarray(["x", "y", "y"], dtype=object)])
    np.testing.assert_array_equal(same, [True, False, True])
    np.testing.assert_array_equal(code, [7, -3, 8])


def test_label_encoder_of_numbers_runs_in_the_graph():
    node = helper.make_node("LabelEncoder", ["x"], ["y"], domain="ai.onnx.ml", keys_int64s=[1, 5, 9],
                            values_floats=[0.5, 1.5, 2.5], default_float=-1.0)
    proto = model([node], [tensor("x", I64, [5])], [tensor("y", F, [5])], domains=[("ai.onnx.ml", 2)])
    ours, theirs = run_both(proto, [np.asarray([9, 2, 1, 5, 1], np.int64)])
    assert not differences(ours, theirs)


def test_a_string_input_of_load_model_says_to_fix_it():
    proto = model([helper.make_node("Identity", ["s"], ["t"])], [tensor("s", TensorProto.STRING, [2])],
                  [tensor("t", TensorProto.STRING, [2])])
    with pytest.raises(OnnxImportError, match=r"input 's' holds strings.*input_values=\{'s': \.\.\.\}"):
        load_model(proto)


def test_tree_ensemble_with_a_membership_branch():
    """Root: x0 <= 0.5 goes to a MEMBER node (x1 in {1, 3}), else to leaf 0; weights summed per target."""
    def floats(name, values):
        return helper.make_tensor(name, F, [len(values)], values)

    node = helper.make_node(
        "TreeEnsemble", ["x"], ["y"], domain="ai.onnx.ml", n_targets=2, aggregate_function=1, post_transform=0,
        tree_roots=[0], nodes_featureids=[0, 1], nodes_truenodeids=[1, 1], nodes_trueleafs=[0, 1],
        nodes_falsenodeids=[0, 2], nodes_falseleafs=[1, 1], leaf_targetids=[0, 1, 0],
        nodes_modes=helper.make_tensor("nodes_modes", TensorProto.UINT8, [2], [0, 6]),
        nodes_splits=floats("nodes_splits", [0.5, float("nan")]),
        membership_values=floats("membership_values", [1.0, 3.0, float("nan")]),
        leaf_weights=floats("leaf_weights", [1.0, 2.0, 3.0]))
    proto = model([node], [tensor("x", F, [4, 2])], [tensor("y", F, [4, 2])], domains=[("ai.onnx.ml", 5)])
    ours, theirs = run_both(proto, [np.asarray([[0.2, 1.0], [0.2, 2.0], [0.9, 3.0], [0.5, 3.0]], np.float32)])
    assert not differences(ours, theirs)


def test_string_split_concat_normalize_and_regex_against_the_reference():
    S = TensorProto.STRING
    nodes = [helper.make_node("StringConcat", ["x", "suffix"], ["joined"]),
             helper.make_node("StringSplit", ["x"], ["parts", "count"], delimiter="-", maxsplit=1),
             helper.make_node("RegexFullMatch", ["x"], ["is_code"], pattern=r"[a-z]+-\d+"),
             helper.make_node("StringNormalizer", ["words"], ["kept"], case_change_action="UPPER",
                              stopwords=["the"])]
    proto = model(nodes, [tensor("x", S, [3]), tensor("suffix", S, []), tensor("words", S, [3])],
                  [tensor("joined", S, [3]), tensor("parts", S, None), tensor("count", I64, [3]),
                   tensor("is_code", B, [3]), tensor("kept", S, None)], opset=20)
    feeds = [np.asarray(["ab-12", "c-d-e", "x"], dtype=object), np.asarray("!", dtype=object),
             np.asarray(["The", "cat", "sat"], dtype=object)]
    names = [i.name for i in proto.graph.input]
    theirs = ReferenceEvaluator(proto).run(None, dict(zip(names, feeds)))
    ours = backend.prepare(proto).run(feeds)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)


def test_tf_idf_vectorizer_of_integers():
    node = helper.make_node("TfIdfVectorizer", ["x"], ["y"], mode="TFIDF", min_gram_length=1, max_gram_length=2,
                            max_skip_count=1, ngram_counts=[0, 2], ngram_indexes=[0, 1, 2, 3],
                            pool_int64s=[2, 5, 2, 3, 5, 4], weights=[1.0, 0.5, 2.0, 3.0])
    proto = model([node], [tensor("x", I64, [2, 5])], [tensor("y", F, [2, 4])], opset=9)
    ours, theirs = run_both(proto, [np.asarray([[2, 3, 5, 4, 2], [5, 2, 2, 3, 4]], np.int64)])
    assert not differences(ours, theirs)


def test_an_opset_6_prelu_slope_is_applied_per_channel():
    """Opset 6's PRelu took a (C,) slope per channel; the version converter keeps it as is (PyTorch's
    exporter wrote such models: ONNX's pytorch-converted PReLU_*_multiparam tests)."""
    x = RNG.normal(size=(2, 3, 4, 5)).astype("float32")
    slope = np.array([0.1, 0.5, 2.0], "float32")
    m = model([helper.make_node("PRelu", ["x", "slope"], ["y"])], [tensor("x", F, [2, 3, 4, 5])],
              [tensor("y", F, [2, 3, 4, 5])], opset=6, inits=[onnx.numpy_helper.from_array(slope, "slope")])
    want = np.where(x < 0, x * slope[None, :, None, None], x)
    np.testing.assert_allclose(backend.prepare(m).run([x])[0], want, rtol=1e-6)
