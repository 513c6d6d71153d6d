"""Hypothesis cases for the region ops (symk/ops/control_flow.py, loops.py, mapping.py, autodiff.py).

Bodies are traced from small functions; a body that reads an outer value gets it as a captured input,
so each case's inputs are the operands followed by the captured values' specs. Mismatched branches and
loop bodies that change a carried shape are drawn too: the rule and jax must both refuse them.
"""
from hypothesis import strategies as st

from symk.graph import Graph, graph_scope
from symk.ops.body import trace
from symk.ops.registry import OPS, apply
from symk.testing import OpCase, register_op_cases, shapes, spec

FAMILY = "control_flow"
DTYPES = st.sampled_from(["float32", "float32", "int32"])


def body_of(fn, arg_specs, capture_specs=(), name="body"):
    """Trace fn(*args, *captured) where the captured values are placeholders of an outer graph."""
    outer = Graph()
    with graph_scope(outer):
        captured = [outer.tensor(outer.add_node("placeholder", OPS["placeholder"].attrs_type(
            shape=tuple(s.shape), dtype=s.dtype), [], [s])) for s in capture_specs]
        body, used = trace(lambda *args: fn(*args, *captured), list(arg_specs), name)
    return body, [t.spec for t in used]


@st.composite
def cond_case(draw):
    shape, dtype = draw(shapes(0, 3)), draw(DTYPES)
    value = spec(shape, dtype)
    mismatch = draw(st.integers(0, 5)) == 0 and len(shape) > 0
    true_body, true_caps = body_of(lambda v: v * 2, [], [value])
    false_body, false_caps = body_of((lambda v: v[..., :1] + 1) if mismatch and shape[-1] > 1 else (lambda v: v + 1),
                                     [], [value])
    pred = spec(draw(st.sampled_from([(), (), (1,), (2,)])), "bool")
    return OpCase([pred, *true_caps, *false_caps], dict(true_body=true_body, false_body=false_body),
                  must_refuse=pred.shape == (2,))


@st.composite
def switch_case(draw):
    value = spec(draw(shapes(0, 3)), "float32")
    count = draw(st.integers(1, 3))
    branches = tuple(body_of(lambda v, k=k: v * (k + 1), [value])[0] for k in range(count))
    index = spec((), draw(st.sampled_from(["int32", "int32", "float32"])))
    return OpCase([index, value], dict(branches=branches, num_operands=1), must_refuse=index.dtype != "int32")


@st.composite
def while_case(draw):
    value = spec(draw(shapes(0, 3)), "float32")
    counter = spec((), "int32")
    grow = draw(st.integers(0, 5)) == 0 and len(value.shape) > 0
    cond_body, _ = body_of(lambda i, v: i < 3, [counter, value])
    step, _ = body_of((lambda i, v: (i + 1, v[..., :1] if v.shape[-1] > 1 else v * 2)) if grow
                      else (lambda i, v: (i + 1, v * 2)), [counter, value])
    maximum = draw(st.sampled_from([None, 0, 2, 5]))
    return OpCase([counter, value], dict(cond_body=cond_body, body=step, num_vars=2, maximum_iterations=maximum))


@st.composite
def fori_case(draw):
    value = spec(draw(shapes(0, 3)), draw(DTYPES))
    body, _ = body_of(lambda i, v: v + 1, [spec((), "int32"), value])
    if draw(st.booleans()):
        return OpCase([value], dict(body=body, num_bounds=0, num_vars=1, lower=0, upper=draw(st.integers(0, 4))))
    return OpCase([spec((), "int32"), spec((), "int32"), value], dict(body=body, num_bounds=2, num_vars=1))


@st.composite
def scan_case(draw):
    carry = spec(draw(shapes(1, 2)), "float32")
    steps = draw(st.integers(1, 4))
    xs = spec((steps, *carry.shape), draw(DTYPES))
    body, _ = body_of(lambda c, x: (c + x, c * 2), [carry, spec(tuple(xs.shape)[1:], xs.dtype)])
    return OpCase([carry, xs], dict(body=body, num_carry=1, num_xs=1, length=draw(st.sampled_from([None, steps])),
                                    reverse=draw(st.booleans())))


@st.composite
def associative_case(draw):
    elems = spec(draw(shapes(1, 3)), draw(DTYPES))
    axis = draw(st.integers(-elems.shape.rank, elems.shape.rank - 1))
    loose = spec([None if i == axis % elems.shape.rank else d for i, d in enumerate(elems.shape)], elems.dtype)
    body, _ = body_of(lambda a, b: a + b, [loose, loose])
    return OpCase([elems], dict(body=body, num_elems=1, reverse=draw(st.booleans()), axis=axis))


@st.composite
def map_case(draw):
    xs = spec(draw(shapes(1, 3)), draw(DTYPES))
    body, _ = body_of(lambda x: x * 2, [spec(tuple(xs.shape)[1:], xs.dtype)])
    return OpCase([xs], dict(body=body, num_elems=1, kind=draw(st.sampled_from(["map", "vectorized_map"]))))


@st.composite
def vectorize_case(draw):
    n = draw(st.integers(1, 3))
    loops = draw(shapes(0, 2))
    if draw(st.booleans()):
        body, _ = body_of(lambda a, b: a * b, [spec(()), spec(())])
        return OpCase([spec(loops), spec(loops)], dict(body=body, signature=None))
    body, _ = body_of(lambda a, b: apply("sum", [a * b]), [spec((n,)), spec((n,))])
    return OpCase([spec((*loops, n)), spec((n,))], dict(body=body, signature="(n),(n)->()"))


@st.composite
def custom_gradient_case(draw):
    value = spec(draw(shapes(0, 3)), "float32")
    forward, _ = body_of(lambda x: x * 3, [value])
    grad, _ = body_of(lambda g: g * 3, [value])
    return OpCase([value], dict(forward=forward, grad=grad, num_outputs=1))


@st.composite
def jvp_case(draw):
    value = spec(draw(shapes(0, 3)), "float32")
    body, _ = body_of(lambda x: (x * x, None), [value])
    return OpCase([value, value], dict(body=body, num_outputs=1))


for _name, _strategy in {"cond": cond_case(), "switch": switch_case(), "while_loop": while_case(),
                         "fori_loop": fori_case(), "scan": scan_case(), "associative_scan": associative_case(),
                         "map_region": map_case(), "vectorize": vectorize_case(),
                         "custom_gradient": custom_gradient_case(), "jvp": jvp_case()}.items():
    register_op_cases(_name, _strategy, family=FAMILY)
