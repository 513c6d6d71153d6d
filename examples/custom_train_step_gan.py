"""A GAN trained by a custom JAX-style `train_step` with two optimizers (the Keras guide "Customizing what
happens in fit() with JAX"): the step is a pure function of the state tuple, jitted once by fit().

The real data are 2-D points around (2, -1); the generator learns to turn noise into such points.

    SYMK_EXAMPLE_QUICK=1 python examples/custom_train_step_gan.py     # fewer epochs, for CI
"""
import os

import jax
import jax.numpy as jnp
import numpy as np

import symk as keras
from symk import layers

QUICK = os.environ.get("SYMK_EXAMPLE_QUICK") == "1"
keras.utils.set_random_seed(0)
LATENT = 4

generator = keras.Sequential([keras.Input((LATENT,)), layers.Dense(16, activation="relu"), layers.Dense(2)],
                             name="generator")
discriminator = keras.Sequential([keras.Input((2,)), layers.Dense(16, activation="relu"), layers.Dense(1)],
                                 name="discriminator")


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
        # state: values of (trainable, non-trainable, optimizer, metric) variables, in the model's order:
        # the discriminator's weights first (assigned first in __init__), then the generator's
        trainable, non_trainable, optimizer_values, metric_values = state
        noise, real = data
        n_d = len(self.discriminator.trainable_variables)
        d_values, g_values = trainable[:n_d], trainable[n_d:]
        # optimizer state: compile()'s own optimizer (unused here), then d_optimizer's, then g_optimizer's
        own, n_d_opt = len(self.optimizer.variables), len(self.d_optimizer.variables)
        d_opt, g_opt = optimizer_values[own:own + n_d_opt], optimizer_values[own + n_d_opt:]
        ones, zeros = jnp.ones((real.shape[0], 1)), jnp.zeros((real.shape[0], 1))

        def generate(g_values):
            return self.generator.stateless_call(g_values, [], noise, training=True)[0]

        def judge(d_values, points):
            return self.discriminator.stateless_call(d_values, [], points, training=True)[0]

        def d_loss_fn(d_values):  # real points are 1, generated ones 0
            return self.loss_fn(ones, judge(d_values, real)) + self.loss_fn(zeros, judge(d_values, generate(g_values)))

        d_loss, d_grads = jax.value_and_grad(d_loss_fn)(d_values)
        d_values, d_opt = self.d_optimizer.stateless_apply(d_opt, d_grads, d_values)

        def g_loss_fn(g_values):  # the generator wins when its points are judged real
            return self.loss_fn(ones, judge(d_values, generate(g_values)))

        g_loss, g_grads = jax.value_and_grad(g_loss_fn)(g_values)
        g_values, g_opt = self.g_optimizer.stateless_apply(g_opt, g_grads, g_values)
        d_metric = self.d_loss_tracker.stateless_update_state(metric_values[:2], d_loss)
        g_metric = self.g_loss_tracker.stateless_update_state(metric_values[2:], g_loss)
        logs = {"d_loss": self.d_loss_tracker.stateless_result(d_metric),
                "g_loss": self.g_loss_tracker.stateless_result(g_metric)}
        return logs, (d_values + g_values, non_trainable, optimizer_values[:own] + d_opt + g_opt, d_metric + g_metric)


rng = np.random.default_rng(0)
n = 2048
real_points = (rng.normal(size=(n, 2)) * 0.5 + np.array([2.0, -1.0])).astype("float32")
noise = rng.normal(size=(n, LATENT)).astype("float32")  # fit() batches noise and real points together

gan = GAN(discriminator, generator)
gan.compile(d_optimizer=keras.optimizers.Adam(0.003), g_optimizer=keras.optimizers.Adam(0.003),
            loss_fn=keras.losses.BinaryCrossentropy(from_logits=True))
gan.fit(noise, real_points, batch_size=64, epochs=2 if QUICK else 30, verbose=2)

fake = generator.predict(rng.normal(size=(1000, LATENT)).astype("float32"), verbose=0)
print("real mean:", np.round(real_points.mean(0), 2), "| generated mean:", np.round(fake.mean(0), 2))
print(f"distance between the means: {np.linalg.norm(fake.mean(0) - real_points.mean(0)):.3f}")
