"""Pass manager: pipeline resolution, disabling by name, reports, verification errors, idempotence,
fused_linear's shape rule against jax.eval_shape, and the Model hooks (predict/optimize/explain)."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import symk
from symk.ops.registry import apply, get_op, infer, make_attrs
from symk.passes import PASSES, VerificationError, register_pass, resolve, run_pipeline, subject_of
from symk.shapes import TensorSpec

from passes_helpers import ops_of

RNG = np.random.default_rng(1)


def small_model(dropout=True):
    x = symk.Input(shape=(6,))
    h = symk.layers.Dense(5, activation="relu")(x)
    if dropout:
        h = symk.layers.Dropout(0.3)(h)
    y = symk.layers.Dense(2, activation="softmax")(h)
    return symk.Model(x, y)


def test_resolve_default_none_list_and_disable():
    default = [p.name for p in resolve("default", "inference").passes]
    assert default == sorted(default, key=lambda n: PASSES[n].position) and "bn_fold" in default
    assert "bn_fold" not in [p.name for p in resolve("default", "training").passes]  # never folds weights
    assert resolve("none", "inference").passes == []
    assert [p.name for p in resolve(["cse", "dce"], "inference").passes] == ["cse", "dce"]
    spec = resolve({"disable": ["bn_fold"]}, "inference")
    assert "bn_fold" not in [p.name for p in spec.passes] and "bn_fold" in spec.disabled


@pytest.mark.parametrize("bad, words", [("fast", "not a pipeline"), (["nope"], "unknown pass 'nope'"),
                                        ({"disable": ["nope"]}, "unknown pass"), ({"speed": 1}, "unknown option")])
def test_resolve_errors_name_the_problem(bad, words):
    with pytest.raises(ValueError, match=words):
        resolve(bad, "inference")


def test_report_table_and_verbose_log(capsys):
    model = small_model()
    report = model.optimize(optimize={"verbose": True})
    text = str(report)
    assert "pass" in text and "matched" in text and "removed" in text and "added" in text
    assert report.nodes_after < report.nodes_before
    printed = capsys.readouterr().out
    assert "specialize_training: dropout (dropout) -> its identity branch" in printed
    assert "specialize_training" in symk.passes.explain(model)
    assert "fuse_linear: dense" in symk.passes.explain(model, optimize={"enable": ["fuse_linear"]})


def test_optimize_does_not_change_the_model_graph():
    model = small_model()
    before = sorted(model.graph.nx.nodes)
    model.optimize()
    model.optimize(mode="training")
    assert sorted(model.graph.nx.nodes) == before and "dropout" in [d for _, d in model.graph.nx.nodes(data="op")]


def test_pipeline_twice_changes_nothing():
    model = small_model()
    subject = symk.passes.Subject(model.graph, model._input_nodes, model._output_refs, "inference")
    once, _ = run_pipeline(subject, "default")
    twice, report = run_pipeline(once, "default")
    assert not any(r.changed for r in report.passes) and ops_of(once) == ops_of(twice)


def test_provenance_is_kept_on_new_nodes():
    model = small_model(dropout=False)
    subject = symk.passes.Subject(model.graph, model._input_nodes, model._output_refs, "inference")
    out, _ = run_pipeline(subject, {"enable": ["fuse_linear"]})
    fused = [d for _, d in out.nx.nodes(data=True) if d["op"] == "fused_linear"]
    assert fused and all(len(d["provenance"]) >= 2 for d in fused)


def test_predict_with_and_without_passes_agree_with_numpy():
    model = small_model()
    data = RNG.normal(size=(7, 6)).astype("float32")
    k1, b1, k2, b2 = model.get_weights()
    logits = np.maximum(data @ k1 + b1, 0) @ k2 + b2
    reference = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    optimized = model.predict(data)
    model._optimize = "none"
    plain = model.predict(data)
    np.testing.assert_allclose(optimized, reference, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(plain, reference, rtol=1e-5, atol=1e-6)


def test_broken_pass_is_caught_by_verification():
    @register_pass("test_break_edges", position=10_000, default=False)
    def break_edges(subject, report):
        node = next(n for n, op in subject.nx.nodes(data="op") if op == "matmul")
        src = next(iter(subject.nx.predecessors(node)))
        subject.nx.remove_edge(src, node)
        report.matched += 1
    try:
        model = small_model()
        with pytest.raises(VerificationError, match="after pass 'test_break_edges'.*matmul"):
            model.optimize(optimize=["test_break_edges"])
    finally:
        PASSES.pop("test_break_edges")


# -- the op passes declare: its rule agrees with jax.eval_shape of its lowering ------------
@settings(max_examples=25)
@given(batch=st.integers(1, 4), n_in=st.integers(1, 5), n_out=st.integers(1, 5),
       activation=st.sampled_from([None, "relu", "tanh", "sigmoid"]), rank=st.integers(2, 3))
def test_fused_linear_rule_matches_eval_shape(batch, n_in, n_out, activation, rank):
    op = get_op("fused_linear")
    attrs = make_attrs(op, dict(base="matmul", base_attrs=(), data_format="channels_last",
                                activation=activation, activation_attrs=()))
    x_shape = (batch,) * (rank - 1) + (n_in,)
    specs = [TensorSpec.of(x_shape, "float32"), TensorSpec.of((n_in, n_out), "float32"),
             TensorSpec.of((n_out,), "float32")]
    (rule,) = infer(op, specs, attrs)
    lowered = jax.eval_shape(lambda x, k, b: op.lower(x, k, b, **op.attr_dict(attrs)),
                             *[jax.ShapeDtypeStruct(tuple(s.shape), jnp.float32) for s in specs])
    assert tuple(rule.shape) == lowered.shape and rule.dtype == str(lowered.dtype)


def test_fused_linear_rule_refuses_what_its_parts_refuse():
    op = get_op("fused_linear")
    attrs = make_attrs(op, dict(base="matmul"))
    with pytest.raises(symk.errors.ShapeError, match="matmul|last axis"):
        infer(op, [TensorSpec.of((2, 3), "float32"), TensorSpec.of((4, 5), "float32"),
                   TensorSpec.of((5,), "float32")], attrs)
