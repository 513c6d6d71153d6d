"""`symk.mixed_precision` (Keras's `keras.mixed_precision`): the global policy and LossScaleOptimizer.

    symk.mixed_precision.set_global_policy("mixed_bfloat16")   # bf16 compute, float32 variables
    symk.mixed_precision.global_policy()                       # <DTypePolicy "mixed_bfloat16">
"""
from .dtype_policies import DTypePolicy, global_policy, set_global_policy  # noqa: F401
from .optimizers.loss_scale import LossScaleOptimizer  # noqa: F401

Policy = DTypePolicy  # Keras 2's name, kept by Keras 3
dtype_policy = global_policy
set_dtype_policy = set_global_policy
