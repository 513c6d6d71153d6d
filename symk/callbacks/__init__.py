"""`symk.callbacks`: Keras's training callbacks."""
from .base import Callback, CallbackList, History, ProgbarLogger  # noqa: F401
from .builtin import (CSVLogger, EarlyStopping, LambdaCallback, LearningRateScheduler, ModelCheckpoint,  # noqa: F401
                      ReduceLROnPlateau, TerminateOnNaN)
