"""`symk.callbacks`: filled by [train]."""
