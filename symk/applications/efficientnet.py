"""PLACEHOLDER: filled in by the applications work."""
__all__ = []
