"""`symk.random` (Keras's keras.random): being written."""
