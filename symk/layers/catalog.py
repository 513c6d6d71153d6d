"""Re-exports of the layer families beyond the core set (filled in by [layers])."""
