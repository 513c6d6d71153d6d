"""`symk.tree` (Keras's keras.tree): being written."""
