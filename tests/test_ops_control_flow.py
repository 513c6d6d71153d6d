"""Control flow as graph regions: numerics against Python loops and numpy, gradients against jax.grad of
hand-written lax code and finite differences, the errors for mismatched branches and loop-carried values."""
import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import symk
from symk import backend as K
from symk import ops
from symk.codegen.lower import Program
from symk.errors import ShapeError
from symk.variables import Variable

X = np.array([1.0, -2.0, 3.0], "float32")
SEQ = np.arange(20, dtype="float32").reshape(5, 4) / 10


def run(inputs, outputs, values):
    return K.function(inputs, outputs)(values)


def region_ops(tensor) -> set:
    return {d["op"] for _, d in tensor.graph.nx.nodes(data=True)}


def test_cond_takes_either_branch_in_one_graph():
    x = K.placeholder(shape=(3,))
    out = ops.cond(ops.sum(x) > 0, lambda: x * 2, lambda: x - 1)
    assert "cond" in region_ops(out) and out.shape == (3,)
    f = K.function([x], [out])
    np.testing.assert_allclose(f([X])[0], X * 2)
    np.testing.assert_allclose(f([-X])[0], -X - 1)


def test_cond_on_arrays_and_python_bools():
    np.testing.assert_allclose(ops.cond(jnp.array(False), lambda: X * 2, lambda: X + 1), X + 1)
    x = K.placeholder(shape=(3,))
    chosen = ops.cond(True, lambda: x * 3, lambda: x)   # a Python choice: no region node
    assert "cond" not in region_ops(chosen)
    np.testing.assert_allclose(run([x], [chosen], [X])[0], X * 3)


def test_cond_branches_must_agree():
    x = K.placeholder(shape=(3,))
    with pytest.raises(ShapeError, match=r"cond: the false branch.*\(2,\).*\(3,\)"):
        ops.cond(ops.sum(x) > 0, lambda: x, lambda: x[:2])
    with pytest.raises(ShapeError, match="dtype int32.*float32"):
        ops.cond(ops.sum(x) > 0, lambda: x, lambda: ops.primitives.cast(x, dtype="int32"))
    with pytest.raises(ValueError, match="structures differ"):
        ops.cond(ops.sum(x) > 0, lambda: (x, x), lambda: x)
    with pytest.raises(ShapeError, match="must be a scalar"):
        ops.cond(x > 0, lambda: x, lambda: x)


def test_switch_picks_a_branch_and_clamps_the_index():
    x, i = K.placeholder(shape=(3,)), K.placeholder(shape=(), dtype="int32")
    out = ops.switch(i, [lambda z: z + 1, lambda z: z * 10, lambda z: -z], x)
    f = K.function([i, x], [out])
    for index, expected in [(0, X + 1), (1, X * 10), (2, -X), (7, -X), (-3, X + 1)]:
        np.testing.assert_allclose(f([np.int32(index), X])[0], expected)
    with pytest.raises(ShapeError, match="branch 1 does not return"):
        ops.switch(i, [lambda z: z, lambda z: z[:1]], x)


def test_while_loop_matches_a_python_loop():
    x = K.placeholder(shape=(3,))
    i, total = ops.while_loop(lambda i, t: i < 7, lambda i, t: (i + 1, t * 0.5 + x), (0, x * 0.0))
    single = ops.while_loop(lambda v: ops.sum(v) < 100.0, lambda v: v * 2.0, x * 0.0 + 1.0)
    capped = ops.while_loop(lambda i, t: i < 7, lambda i, t: (i + 1, t + x), (0, x * 0.0), maximum_iterations=3)
    got = run([x], [i, total, single, *capped], [X])
    expected = np.zeros(3, "float32")
    for _ in range(7):
        expected = expected * 0.5 + X
    ones = np.ones(3, "float32")
    while ones.sum() < 100:
        ones = ones * 2
    assert got[0] == 7 and got[3] == 3
    np.testing.assert_allclose(got[1], expected, rtol=1e-6)
    np.testing.assert_allclose(got[2], ones)
    np.testing.assert_allclose(got[4], 3 * X)


def test_while_loop_body_must_keep_the_loop_variables():
    x = K.placeholder(shape=(3,))
    with pytest.raises(ShapeError, match=r"while_loop: the body changes the loop variables: value 1 has shape \(6,\)"):
        ops.while_loop(lambda i, t: i < 3, lambda i, t: (i + 1, ops.primitives.concatenate([t, t], axis=0)), (0, x))
    with pytest.raises(ShapeError, match="dtype float32.*int32"):
        ops.while_loop(lambda i: i < 3, lambda i: i + 0.5, K.placeholder(shape=(), dtype="int32"))


def test_while_loop_eagerly_follows_keras():
    assert ops.while_loop(lambda i: i < 10, lambda i: i + 1, 0) == 10
    i, t = ops.while_loop(lambda i, t: i < 10, lambda i, t: (i + 1, t + i), (0, 0), maximum_iterations=4)
    assert (int(i), int(t)) == (4, 6)


def test_fori_loop_with_static_and_symbolic_bounds():
    x, n = K.placeholder(shape=(3,)), K.placeholder(shape=(), dtype="int32")
    static = ops.fori_loop(0, 4, lambda j, v: v * 2.0 + ops.primitives.cast(j, dtype="float32"), x)
    dynamic = ops.fori_loop(1, n, lambda j, v: v + 1.0, x)
    got = run([x, n], [static, dynamic], [X, np.int32(5)])
    expected = X.copy()
    for j in range(4):
        expected = expected * 2 + j
    np.testing.assert_allclose(got[0], expected)
    np.testing.assert_allclose(got[1], X + 4)


def test_scan_matches_a_python_loop():
    seq = K.placeholder(shape=(5, 4))
    final, ys = ops.scan(lambda c, xt: (c + xt, c * xt), np.zeros(4, "float32"), seq)
    back, back_ys = ops.scan(lambda c, xt: (c * 0.5 + xt, c), np.zeros(4, "float32"), seq, reverse=True)
    counted, powers = ops.scan(lambda c, _: (c * 2.0, c), np.ones(2, "float32"), None, length=4)  # eager
    got = run([seq], [final, ys, back, back_ys], [SEQ]) + [counted, powers]
    carry, expected_ys = np.zeros(4, "float32"), []
    for row in SEQ:
        expected_ys.append(carry * row)
        carry = carry + row
    np.testing.assert_allclose(got[0], carry, rtol=1e-6)
    np.testing.assert_allclose(got[1], np.stack(expected_ys), rtol=1e-6)
    carry, rev_ys = np.zeros(4, "float32"), [None] * 5
    for t in reversed(range(5)):
        rev_ys[t] = carry
        carry = carry * 0.5 + SEQ[t]
    np.testing.assert_allclose(got[2], carry, rtol=1e-6)
    np.testing.assert_allclose(got[3], np.stack(rev_ys), rtol=1e-6)
    np.testing.assert_allclose(got[4], [16, 16])
    np.testing.assert_allclose(got[5], [[1, 1], [2, 2], [4, 4], [8, 8]])


def test_scan_with_nested_structures_and_errors():
    seq = K.placeholder(shape=(5, 4))
    (total, count), outs = ops.scan(lambda c, x: ((c[0] + x["a"], c[1] + 1), {"twice": x["a"] * 2}),
                                    (np.zeros(4, "float32"), 0), {"a": seq})
    got = run([seq], [total, count, outs["twice"]], [SEQ])
    np.testing.assert_allclose(got[0], SEQ.sum(0), rtol=1e-6)
    assert got[1] == 5
    np.testing.assert_allclose(got[2], SEQ * 2)
    with pytest.raises(ShapeError, match="scan: f changes the carry"):
        ops.scan(lambda c, x: (c[:2], x), np.zeros(4, "float32"), seq)
    with pytest.raises(ShapeError, match="pass length="):
        ops.scan(lambda c, x: (c, c), K.placeholder(shape=(4,)), None)


def test_associative_scan_is_a_prefix_combination():
    elems = K.placeholder(shape=(5, 4))
    sums = ops.associative_scan(lambda a, b: a + b, elems)
    rev = ops.associative_scan(lambda a, b: a + b, elems, reverse=True)
    maxes = ops.associative_scan(lambda a, b: ops.maximum(a, b), elems, axis=1)
    got = run([elems], [sums, rev, maxes], [SEQ - 0.9])
    np.testing.assert_allclose(got[0], np.cumsum(SEQ - 0.9, axis=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], np.cumsum((SEQ - 0.9)[::-1], axis=0)[::-1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[2], np.maximum.accumulate(SEQ - 0.9, axis=1))


def test_map_vectorized_map_and_vectorize():
    rows, x = K.placeholder(shape=(5, 4)), K.placeholder(shape=(3,))
    squares = ops.map(lambda r: r * r + x[0], rows)
    norms = ops.vectorized_map(lambda r: ops.sum(r * r), rows)
    dots = ops.vectorize(lambda a, b: ops.sum(a * b), signature="(n),(n)->()")(rows, rows)
    scaled = ops.vectorize(lambda a, b: a * b)(x, x)
    got = run([rows, x], [squares, norms, dots, scaled], [SEQ, X])
    np.testing.assert_allclose(got[0], SEQ * SEQ + X[0], rtol=1e-6)
    np.testing.assert_allclose(got[1], (SEQ * SEQ).sum(1), rtol=1e-6)
    np.testing.assert_allclose(got[2], np.vectorize(np.dot, signature="(n),(n)->()")(SEQ, SEQ), rtol=1e-6)
    np.testing.assert_allclose(got[3], X * X)
    np.testing.assert_allclose(ops.map(lambda r: r * 2, SEQ), SEQ * 2)
    np.testing.assert_allclose(ops.vectorized_map(lambda r: r.sum(), SEQ), SEQ.sum(1), rtol=1e-6)


def test_nested_regions_capture_through_every_level():
    x, seq = K.placeholder(shape=(4,)), K.placeholder(shape=(5, 4))
    final, _ = ops.scan(lambda c, r: (ops.cond(ops.sum(r) > 1.0, lambda: c + r * x, lambda: c - x), c),
                        np.zeros(4, "float32"), seq)
    carry = np.zeros(4, "float32")
    w = np.array([1.0, 2.0, 3.0, 4.0], "float32")
    for r in SEQ:
        carry = carry + r * w if r.sum() > 1 else carry - w
    np.testing.assert_allclose(run([x, seq], [final], [w, SEQ])[0], carry, rtol=1e-6)


def _program(inputs, outputs):
    return Program(outputs[0].graph, [t.node for t in inputs], [(t.node, t.index) for t in outputs])


def test_gradients_flow_into_weights_read_inside_bodies():
    w = Variable(np.array([0.5, -1.0, 2.0, 0.25], "float32"), name="w")
    seq = K.placeholder(shape=(5, 4))
    final, _ = ops.scan(lambda c, xt: (ops.tanh(c * w + xt), c), np.zeros(4, "float32"), seq)
    chosen = ops.cond(ops.sum(final) > 0, lambda: final * w, lambda: final - w)
    bounded, = ops.while_loop(lambda v: ops.sum(v) < 50.0, lambda v: (v * 1.5 + w * w,), (final,),
                              maximum_iterations=6)
    program = _program([seq], [ops.sum(chosen) + ops.sum(bounded)])

    def symk_loss(weight):
        outs, _ = program({w.path: weight}, {}, [jnp.asarray(SEQ)], jax.random.PRNGKey(0), program.consts)
        return outs[0]

    def reference(weight, trips=None):
        carry, _ = jax.lax.scan(lambda c, xt: (jnp.tanh(c * weight + xt), c), jnp.zeros(4), jnp.asarray(SEQ))
        chosen = jax.lax.cond(carry.sum() > 0, lambda: carry * weight, lambda: carry - weight)
        v, i = carry, 0
        while i < 6 and (i < trips if trips is not None else float(v.sum()) < 50.0):
            v, i = v * 1.5 + weight * weight, i + 1
        return (chosen.sum() + v.sum()) if trips is not None else i

    weight = jnp.asarray(w.numpy())
    trips = reference(weight)  # the loop's trip count, found at this weight (it is locally constant)
    assert 0 < trips < 6
    reference = functools.partial(reference, trips=trips)
    np.testing.assert_allclose(symk_loss(weight), reference(weight), rtol=1e-5)
    np.testing.assert_allclose(jax.grad(symk_loss)(weight), jax.grad(reference)(weight), rtol=1e-5)


def test_forward_mode_through_an_unbounded_while_loop_matches_finite_differences():
    x = K.placeholder(shape=(3,))
    out, = ops.while_loop(lambda v: ops.sum(ops.abs(v)) < 20.0, lambda v: (v * 1.3 + 0.1,), (x,))
    program = _program([x], [ops.sum(out * out)])

    def f(value):
        return program({}, {}, [value], jax.random.PRNGKey(0), program.consts)[0][0]

    point, direction = jnp.asarray(X), jnp.array([0.3, -0.2, 0.1])
    _, tangent = jax.jvp(f, (point,), (direction,))
    eps = 1e-3
    numeric = (f(point + eps * direction) - f(point - eps * direction)) / (2 * eps)
    np.testing.assert_allclose(tangent, numeric, rtol=2e-3)


def test_custom_gradient_in_a_graph_and_on_arrays():
    @ops.custom_gradient
    def log1pexp(z):
        e = ops.exp(z)

        def grad(*args, upstream=None):
            if upstream is None:
                (upstream,) = args
            return ops.multiply(upstream, 1.0 - 1.0 / ops.add(1, e))

        return ops.log(1 + e), grad

    x = K.placeholder(shape=(2,))
    program = _program([x], [ops.sum(log1pexp(x))])
    grad = jax.grad(lambda v: program({}, {}, [v], jax.random.PRNGKey(0), program.consts)[0][0])
    point = jnp.array([100.0, 1.0])
    expected = 1 - 1 / (1 + np.exp(np.array([100.0, 1.0])))   # the stable form: no inf/inf
    np.testing.assert_allclose(grad(point), expected, rtol=1e-6)
    np.testing.assert_allclose(jax.grad(lambda v: log1pexp(v).sum())(point), expected, rtol=1e-6)


def test_jvp_symbolic_and_eager():
    x, t = K.placeholder(shape=(3,)), K.placeholder(shape=(3,))
    value, tangent = ops.jvp(lambda z: ops.sin(z) * z, (x,), (t,))
    primal, tangent_aux, aux = ops.jvp(lambda z: (ops.exp(z), z * 2), (x,), (t,), has_aux=True)
    direction = np.array([1.0, 0.5, -1.0], "float32")
    got = run([x, t], [value, tangent, primal, tangent_aux, aux], [X, direction])
    np.testing.assert_allclose(got[0], np.sin(X) * X, rtol=1e-6)
    np.testing.assert_allclose(got[1], (np.cos(X) * X + np.sin(X)) * direction, rtol=1e-5)
    np.testing.assert_allclose(got[3], np.exp(X) * direction, rtol=1e-5)
    np.testing.assert_allclose(got[4], X * 2)
    eager_value, eager_tangent = ops.linalg.jvp(jnp.sin, (X,), (direction,))
    np.testing.assert_allclose(eager_tangent, np.cos(X) * direction, rtol=1e-6)


def test_dropout_inside_a_scan_draws_a_new_mask_each_step():
    seq = K.placeholder(shape=(6, 200))
    _, masks = ops.scan(lambda c, xt: (c, ops.primitives.dropout(xt, rate=0.5)), np.zeros(1, "float32"), seq)
    program = _program([seq], [masks])
    out = np.asarray(program.run({}, {}, [np.ones((6, 200), "float32")], training=True)[0][0])
    kept = out != 0
    assert 0.35 < kept.mean() < 0.65
    assert len({row.tobytes() for row in kept}) == 6


def test_a_layer_with_a_scan_trains_and_lowers_to_one_program_with_the_loop_inside():
    class Accumulate(symk.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

        def call(self, x):
            steps = ops.primitives.transpose(x, axes=(1, 0, 2))
            final, _ = ops.scan(lambda c, xt: (c * 0.5 + xt * self.w, c), ops.primitives.multiply(x[:, 0], 0.0), steps)
            return final

    inputs = symk.Input((5, 4))
    model = symk.Model(inputs, symk.layers.Dense(1)(Accumulate()(inputs)))
    model.compile(optimizer="sgd", loss="mse")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 5, 4)).astype("float32"), rng.normal(size=(32, 1)).astype("float32")
    before = model.evaluate(x, y, verbose=0)
    w_before = model.layers[1].w.numpy().copy()
    model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before
    assert not np.allclose(model.layers[1].w.numpy(), w_before)   # the gradient reached the weight in the body
    program = _program([inputs], model.outputs)
    jaxpr = jax.make_jaxpr(lambda p, xs: program(p, {}, [xs], jax.random.PRNGKey(0), program.consts))(
        {v.path: v.numpy() for v in model.weights}, x)
    assert "scan" in {eqn.primitive.name for eqn in jaxpr.jaxpr.eqns}


def test_passes_keep_numerics_of_graphs_with_regions():
    inputs = symk.Input((4,))
    doubled = symk.layers.Dense(4)(inputs)
    out = symk.layers.Lambda(lambda h: ops.cond(ops.sum(h) > 0, lambda: h * 2.0 + 0.0, lambda: h - 1.0))(doubled)
    model = symk.Model(inputs, out)
    data = np.random.default_rng(1).normal(size=(6, 4)).astype("float32")
    plain = model.predict(data, verbose=0)
    model.optimize(mode="inference")
    np.testing.assert_allclose(model.predict(data, verbose=0), plain, rtol=1e-6)


def test_state_updates_inside_a_body_are_refused_with_a_clear_error():
    v = Variable(np.zeros(3, "float32"), name="counter")
    x = K.placeholder(shape=(3,))
    with pytest.raises(ShapeError, match="updates variable 'counter.*not supported"):
        ops.cond(ops.sum(x) > 0, lambda: (v.assign(x), x)[1], lambda: x)


def _region_model():
    inputs = symk.Input((4,))
    hidden = symk.layers.Dense(4)(inputs)
    out = symk.layers.Lambda(lambda h: ops.cond(ops.sum(h) > 0, lambda: h * 2.0, lambda: h - 1.0))(hidden)
    return symk.Model(inputs, out)


def test_exports_draw_each_body_as_a_cluster_inside_its_region(tmp_path):
    from symk.viz.formats import read_json, write_view
    from symk.viz.op_view import op_view

    view = op_view(_region_model())
    region = next(n for n, d in view.nodes(data=True) if d["op"] == "cond")
    inside = {n: d for n, d in view.nodes(data=True) if n.startswith(f"{region}.")}
    assert {d["cluster"] for d in inside.values()} == {"lambda/cond_%s.true_body" % region,
                                                         "lambda/cond_%s.false_body" % region}
    assert {d["op"] for d in inside.values()} >= {"placeholder", "multiply", "subtract"}
    dot = write_view(view, str(tmp_path / "g.dot"))
    text = open(dot).read()
    assert 'label="cond_%s.true_body"' % region in text and text.count("subgraph cluster") >= 4
    again = read_json(write_view(view, str(tmp_path / "g.json")))
    assert set(again.nodes) == set(view.nodes)


def test_the_verifier_checks_region_bodies():
    from symk.passes.rewrite import subject_of
    from symk.passes.verify import VerificationError, output_specs, verify
    from symk.shapes import TensorSpec

    model = _region_model()
    subject = subject_of(model.graph, [(t.node, t.index) for t in model.outputs])
    expected = output_specs(subject)
    verify(subject, expected)
    region = next(n for n, d in subject.nx.nodes(data=True) if d["op"] == "cond")
    body = subject.nx.nodes[region]["attrs"].true_body
    multiply = next(n for n, d in body.graph.nx.nodes(data=True) if d["op"] == "multiply")
    body.graph.nx.nodes[multiply]["specs"] = (TensorSpec.of((None, 5), "float32"),)
    with pytest.raises(VerificationError, match="true_body node 'multiply"):
        verify(subject, expected)
