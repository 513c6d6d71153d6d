"""`symk.callbacks`: Keras's training callbacks."""
from .base import Callback, CallbackList, History, ProgbarLogger  # noqa: F401
from .builtin import (CSVLogger, EarlyStopping, LambdaCallback, LearningRateScheduler, ModelCheckpoint,  # noqa: F401
                      ReduceLROnPlateau, TerminateOnNaN)
from .backup import BackupAndRestore  # noqa: F401
from .ema import SwapEMAWeights  # noqa: F401
from .tensorboard import TensorBoard  # noqa: F401
