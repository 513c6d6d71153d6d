"""The attention layers: MultiHeadAttention, GroupQueryAttention (GroupedQueryAttention), Attention
and AdditiveAttention, each in its own file; this module gathers them for symk.layers.

    y = MultiHeadAttention(num_heads=4, key_dim=16)(x, x)
"""
from .attention_dot import AdditiveAttention, Attention
from .attention_grouped import GroupedQueryAttention, GroupQueryAttention
from .attention_multi_head import MultiHeadAttention

__all__ = ["MultiHeadAttention", "GroupQueryAttention", "GroupedQueryAttention", "Attention", "AdditiveAttention"]
