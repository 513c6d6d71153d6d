"""Plain JAX functions for JaxLayer, shared by tests/test_layers_jax_layer.py and the Keras script that writes
its reference numbers (tools/keras_refs/make_layers_jax_layer.py), so both run the very same code. No Keras,
no symk: only jax. Biases broadcast explicitly ([None, :]): symk's tests make jax refuse implicit rank
promotion."""
import jax
import jax.numpy as jnp


def mlp_init(rng, inputs):
    """Two layers, 4 hidden units: {'hidden': {'w', 'b'}, 'out': {'w', 'b'}}."""
    k1, k2 = jax.random.split(rng)
    features = inputs.shape[-1]
    return {"hidden": {"w": jax.random.normal(k1, (features, 4)) * 0.5, "b": jnp.zeros((4,))},
            "out": {"w": jax.random.normal(k2, (4, 2)) * 0.5, "b": jnp.zeros((2,))}}


def mlp_call(params, inputs):
    hidden = jnp.tanh(inputs @ params["hidden"]["w"] + params["hidden"]["b"][None, :])
    return hidden @ params["out"]["w"] + params["out"]["b"][None, :]


def centering_call(params, state, inputs, training):
    """Subtracts a running mean of the batch means (updated in training only), then scales: state 'mean'."""
    if training:
        mean = 0.5 * state["mean"] + 0.5 * jnp.mean(inputs, axis=0)
    else:
        mean = state["mean"]
    return (inputs - mean[None, :]) * params["scale"][None, :], {"mean": mean}


def dropout_call(rng, inputs, training):
    """Inverted dropout at rate 0.5 with the layer's key in training; the identity otherwise."""
    if not training:
        return inputs
    keep = jax.random.bernoulli(rng, 0.5, inputs.shape)
    return jnp.where(keep, inputs / 0.5, 0.0)


def pair_call(params, inputs):
    """Two inputs as a dict; two outputs as a tuple."""
    total = inputs["a"] @ params["w"] + inputs["b"]
    return total, jnp.sum(total, axis=-1, keepdims=True)
