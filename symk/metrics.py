"""`symk.metrics`: filled by [train]."""
