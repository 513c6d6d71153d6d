"""`symk.losses`: filled by [train]."""
