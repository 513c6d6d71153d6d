"""SavingAPI: save / save_weights / load_weights / to_json, mixed into Model. Filled by [save]."""
from __future__ import annotations


class SavingAPI:
    pass
