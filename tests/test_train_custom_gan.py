"""Several optimizers and sub-models: a GAN whose compile() takes its own optimizers and loss, trained
by a JAX-style train_step that updates each sub-model with its optimizer; and the Keras 2 GAN recipe
(freeze the discriminator inside the combined model) with train_on_batch."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import symk as keras

RNG = np.random.RandomState(0)
LATENT, FEATURES = 3, 4


def _sub_models():
    keras.utils.set_random_seed(7)
    z = keras.Input((LATENT,))
    generator = keras.Model(z, keras.layers.Dense(FEATURES, name="g_dense")(z), name="generator")
    x = keras.Input((FEATURES,))
    discriminator = keras.Model(x, keras.layers.Dense(1, name="d_dense")(x), name="discriminator")
    return discriminator, generator


class GAN(keras.Model):
    def __init__(self, discriminator, generator):
        super().__init__()
        self.discriminator, self.generator = discriminator, generator
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer, self.g_optimizer, self.loss_fn = d_optimizer, g_optimizer, loss_fn
        d_optimizer.build(self.discriminator.trainable_variables)
        g_optimizer.build(self.generator.trainable_variables)

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def train_step(self, state, data):
        trainable, non_trainable, optimizer_values, metric_values = state
        z, real = data
        n_d = len(self.discriminator.trainable_variables)
        d_values, g_values = trainable[:n_d], trainable[n_d:]
        # optimizer state: self.optimizer's (compile()'s default), then d_optimizer's, then g_optimizer's
        own, n_dopt = len(self.optimizer.variables), len(self.d_optimizer.variables)
        d_opt, g_opt = optimizer_values[own:own + n_dopt], optimizer_values[own + n_dopt:]
        ones, zeros = jnp.ones((real.shape[0], 1)), jnp.zeros((real.shape[0], 1))

        def generate(g_values):
            return self.generator.stateless_call(g_values, [], z, training=True)[0]

        def judge(d_values, images):
            return self.discriminator.stateless_call(d_values, [], images, training=True)[0]

        def d_loss_fn(d_values):
            fake = generate(g_values)
            return self.loss_fn(ones, judge(d_values, real)) + self.loss_fn(zeros, judge(d_values, fake))

        d_loss, d_grads = jax.value_and_grad(d_loss_fn)(d_values)
        d_values, d_opt = self.d_optimizer.stateless_apply(d_opt, d_grads, d_values)

        def g_loss_fn(g_values):
            return self.loss_fn(ones, judge(d_values, generate(g_values)))

        g_loss, g_grads = jax.value_and_grad(g_loss_fn)(g_values)
        g_values, g_opt = self.g_optimizer.stateless_apply(g_opt, g_grads, g_values)
        d_metric = self.d_loss_tracker.stateless_update_state(metric_values[:2], d_loss)
        g_metric = self.g_loss_tracker.stateless_update_state(metric_values[2:], g_loss)
        logs = {"d_loss": self.d_loss_tracker.stateless_result(d_metric),
                "g_loss": self.g_loss_tracker.stateless_result(g_metric)}
        return logs, (d_values + g_values, non_trainable, optimizer_values[:own] + d_opt + g_opt,
                      d_metric + g_metric)


def _data(n=16):
    return RNG.normal(size=(n, LATENT)).astype("float32"), RNG.normal(size=(n, FEATURES)).astype("float32") + 2


def _snapshot(model):
    return [w.copy() for w in model.get_weights()]


def _changed(before, model):
    return [not np.array_equal(a, b) for a, b in zip(before, model.get_weights())]


@pytest.mark.parametrize("frozen", ["generator", "discriminator"])
def test_each_optimizer_updates_only_its_sub_model(frozen):
    discriminator, generator = _sub_models()
    gan = GAN(discriminator, generator)
    d_lr, g_lr = (0.05, 0.0) if frozen == "generator" else (0.0, 0.05)
    gan.compile(keras.optimizers.Adam(d_lr), keras.optimizers.SGD(g_lr),
                keras.losses.BinaryCrossentropy(from_logits=True))
    d0, g0 = _snapshot(discriminator), _snapshot(generator)
    z, real = _data()
    history = gan.fit(z, real, batch_size=8, epochs=2, shuffle=False, verbose=0)
    assert sorted(history.history) == ["d_loss", "g_loss"]
    assert all(_changed(d0, discriminator)) == (frozen == "generator")
    assert not any(_changed(g0, generator)) == (frozen == "generator")
    assert not any(_changed(d0, discriminator)) == (frozen == "discriminator")
    assert all(_changed(g0, generator)) == (frozen == "discriminator")
    assert int(gan.d_optimizer.iterations.numpy()) == 4 and int(gan.g_optimizer.iterations.numpy()) == 4
    assert int(gan.optimizer.iterations.numpy()) == 0   # compile()'s default optimizer took no step


def test_gan_step_matches_a_hand_computed_update():
    discriminator, generator = _sub_models()
    gan = GAN(discriminator, generator)
    gan.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.2), keras.losses.MeanSquaredError())
    (dk, db), (gk, gb) = discriminator.get_weights(), generator.get_weights()
    z, real = _data(8)
    gan.fit(z, real, batch_size=8, epochs=1, verbose=0)

    def d_loss(dk, db):
        fake = z @ gk + gb[None]
        return jnp.mean((real @ dk + db[None] - 1) ** 2) + jnp.mean((fake @ dk + db[None]) ** 2)

    gdk, gdb = jax.grad(d_loss, argnums=(0, 1))(dk, db)
    dk1, db1 = dk - 0.1 * gdk, db - 0.1 * gdb
    ggk, ggb = jax.grad(lambda gk, gb: jnp.mean(((z @ gk + gb[None]) @ dk1 + db1[None] - 1) ** 2),
                        argnums=(0, 1))(gk, gb)
    np.testing.assert_allclose(discriminator.get_weights()[0], dk1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(generator.get_weights()[0], gk - 0.2 * ggk, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(generator.get_weights()[1], gb - 0.2 * ggb, rtol=1e-5, atol=1e-6)


def test_keras2_gan_recipe_freezes_the_discriminator_inside_the_combined_model():
    discriminator, generator = _sub_models()
    discriminator.compile(keras.optimizers.SGD(0.1), "mse")
    discriminator.trainable = False          # after its compile: it still trains on its own
    z = keras.Input((LATENT,))
    combined = keras.Model(z, discriminator(generator(z)))
    combined.compile(keras.optimizers.SGD(0.1), "mse")
    latent, real = _data(8)
    for _ in range(2):
        d0, g0 = _snapshot(discriminator), _snapshot(generator)
        discriminator.train_on_batch(real, np.ones((8, 1), "float32"))
        assert all(_changed(d0, discriminator)) and not any(_changed(g0, generator))
        d0 = _snapshot(discriminator)
        combined.train_on_batch(latent, np.ones((8, 1), "float32"))
        assert not any(_changed(d0, discriminator)) and all(_changed(g0, generator))
    # toggling `trainable` takes effect at the next compile()
    discriminator.trainable = True
    combined.compile(keras.optimizers.SGD(0.1), "mse")
    d0 = _snapshot(discriminator)
    combined.train_on_batch(latent, np.ones((8, 1), "float32"))
    assert all(_changed(d0, discriminator))
