"""TrainingAPI: compile / fit / evaluate / train_on_batch, mixed into Model. Filled by [train]."""
from __future__ import annotations


class TrainingAPI:
    def _init_training_state(self) -> None:
        self.optimizer = None
        self.stop_training = False
        self.compiled = False
