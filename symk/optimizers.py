"""`symk.optimizers`: filled by [train]."""
