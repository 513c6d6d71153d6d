"""Autodiff ops usable inside layers and models: stop_gradient, custom_gradient (Keras's JAX-style form), jvp.

    @ops.custom_gradient
    def log1pexp(x):
        e = ops.exp(x)
        def grad(*args, upstream=None):
            if upstream is None:
                (upstream,) = args
            return ops.multiply(upstream, 1.0 - 1.0 / ops.add(1, e))
        return ops.log(1 + e), grad

On symbolic tensors custom_gradient and jvp are region nodes: custom_gradient traces the forward
function into one body and the gradient function into a second body whose captured forward values
(`e` above) become extra outputs of the first; it lowers to `jax.custom_gradient`.
"""
from __future__ import annotations

import jax

from ..variables import Variable
from .api import export_op, keras_export
from .body import flatten, trace
from .registry import MULTI_OUTPUT, def_op, spec_of
from .regions import REGION_FLAGS, building_graph, check_matching, region, split, symbolic_leaves

export_op("core", "stop_gradient", input_names=("variable",))


def _unwrap(tree):
    return jax.tree_util.tree_map(lambda v: v.value if isinstance(v, Variable) else v, tree,
                                  is_leaf=lambda v: isinstance(v, Variable))


# -- custom_gradient ---------------------------------------------------------------------------
def custom_gradient_rule(specs, attrs):
    forward, grad = attrs.forward, attrs.grad
    check_matching(specs[:forward.num_args], forward.input_specs[:forward.num_args], "custom_gradient: arguments", "")
    check_matching(specs[:forward.num_args], grad.output_specs,
                   "custom_gradient: the gradient function must return one gradient per argument of f",
                   "return a tensor shaped like each argument (a tuple when f takes several)")
    return forward.output_specs[:attrs.num_outputs]


def _custom_gradient(*values, forward, grad, num_outputs, rng, training):
    args, captured = split(values, [forward.num_args, forward.num_captures])

    @jax.custom_gradient
    def with_gradient(*xs):
        outs = forward.run([*xs, *captured], rng, training)
        results, residuals = outs[:num_outputs], outs[num_outputs:]

        def vjp(upstream):
            cotangents = upstream if isinstance(upstream, tuple) else (upstream,)
            return tuple(grad.run([*cotangents, *residuals], rng, training))

        return tuple(results), vjp

    return tuple(with_gradient(*args))


def_op("custom_gradient", custom_gradient_rule, _custom_gradient,
       attrs=dict(forward=None, grad=None, num_outputs=1), inputs=None, **REGION_FLAGS,
       doc="f with a user-given gradient (jax.custom_gradient); captured values get no gradient from it.")
MULTI_OUTPUT.add("custom_gradient")


@keras_export("core")
def custom_gradient(f):
    """Decorator: `f(*args)` returns `(outputs, grad_fn)`; `grad_fn(upstream)` returns the gradients of the args."""

    def wrapped(*args, **kwargs):
        if kwargs:
            raise TypeError(f"custom_gradient: {getattr(f, '__name__', 'f')} takes tensors positionally; "
                            f"got keyword arguments {sorted(kwargs)}")
        if not building_graph(args):
            return jax.custom_gradient(f)(*_unwrap(args))
        flat, tree = symbolic_leaves(list(args))
        holder = {}

        def forward_fn(*xs):
            outputs, grad_fn = f(*jax.tree_util.tree_unflatten(tree, list(xs)))
            holder["grad_fn"], holder["outputs"] = grad_fn, outputs
            return outputs

        def trace_grad(tracer, outputs):
            leaves, out_tree = flatten(outputs)
            specs = [spec_of(leaf) for leaf in leaves]

            def grad_fn(*upstream):
                cotangent = jax.tree_util.tree_unflatten(out_tree, list(upstream))
                grads = holder["grad_fn"](cotangent)
                return tuple(grads) if isinstance(grads, (tuple, list)) else (grads,)

            grad_body, residuals = trace(grad_fn, specs, "custom_gradient_grad")
            holder["grad_body"] = grad_body
            return residuals  # forward values the gradient reads become extra forward outputs

        forward, captured = trace(forward_fn, [t.spec for t in flat], "custom_gradient_forward", finish=trace_grad)
        return region("custom_gradient", [*flat, *captured], forward.out_tree, forward=forward,
                      grad=holder["grad_body"], num_outputs=forward.out_tree.num_leaves)

    wrapped.__name__ = getattr(f, "__name__", "custom_gradient")
    wrapped.__doc__ = f.__doc__
    return wrapped


# -- jvp ----------------------------------------------------------------------------------------
def jvp_rule(specs, attrs):
    primals = specs[:attrs.body.num_args]
    tangents = specs[attrs.body.num_args:2 * attrs.body.num_args]
    check_matching(primals, tangents, "jvp: each tangent must match its primal",
                   "pass tangents of the primals' shapes and dtypes")
    outs = attrs.body.output_specs
    results = outs[:attrs.num_outputs]
    return tuple(results) + tuple(results) + tuple(outs[attrs.num_outputs:])


def _jvp(*values, body, num_outputs, rng, training):
    n = body.num_args
    primals, tangents, captured = split(values, [n, n, body.num_captures])

    def fun(*xs):
        outs = body.run([*xs, *captured], rng, training)
        return tuple(outs[:num_outputs]), tuple(outs[num_outputs:])

    results, tangents_out, aux = jax.jvp(fun, tuple(primals), tuple(tangents), has_aux=True)
    return tuple(results) + tuple(tangents_out) + tuple(aux)


def_op("jvp", jvp_rule, _jvp, attrs=dict(body=None, num_outputs=1), inputs=None, **REGION_FLAGS,
       doc="Forward-mode derivative (jax.jvp) of a traced function.")
MULTI_OUTPUT.add("jvp")


@keras_export("linalg")
def jvp(fun, primals, tangents, has_aux=False):
    """(fun(*primals), the derivative of fun at primals along tangents[, aux]), as jax.jvp."""
    if not building_graph(primals, tangents):
        return jax.jvp(fun, tuple(_unwrap(primals)), tuple(_unwrap(tangents)), has_aux=has_aux)
    primal_flat, primal_tree = symbolic_leaves(list(primals))
    tangent_flat, tangent_tree = symbolic_leaves(list(tangents))
    if primal_tree != tangent_tree:
        raise ValueError(f"jvp: tangents have the structure {tangent_tree}, primals {primal_tree}; give one "
                         "tangent per primal")

    def body_fn(*xs):
        out = fun(*jax.tree_util.tree_unflatten(primal_tree, list(xs)))
        return out if has_aux else (out, None)

    body, captured = trace(body_fn, [t.spec for t in primal_flat], "jvp_fn")
    out_tree, aux_tree = body.out_tree.children()
    num_outputs = out_tree.num_leaves
    outs = region("jvp", [*primal_flat, *tangent_flat, *captured],
                  jax.tree_util.tree_structure((0,) * (2 * num_outputs + aux_tree.num_leaves)), body=body,
                  num_outputs=num_outputs)
    results = jax.tree_util.tree_unflatten(out_tree, list(outs[:num_outputs]))
    tangents_out = jax.tree_util.tree_unflatten(out_tree, list(outs[num_outputs:2 * num_outputs]))
    if has_aux:
        return results, tangents_out, jax.tree_util.tree_unflatten(aux_tree, list(outs[2 * num_outputs:]))
    return results, tangents_out
