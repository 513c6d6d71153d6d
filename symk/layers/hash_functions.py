"""The string hashes of Keras's Hashing and HashedCrossing (TensorFlow's), on the host, without TensorFlow.

    fingerprint64("A") % 3        # 1: Hashing(num_bins=3) without a salt (FarmHash Fingerprint64)
    siphash24(133, 137, b"A") % 3  # 1: Hashing(num_bins=3, salt=[133, 137]) (SipHash-2-4)

Checked against the numbers in Keras 3.15's Hashing and HashedCrossing docstrings (tests/test_layers_hashing.py).
"""
from __future__ import annotations

import struct

_MASK64 = (1 << 64) - 1
# TensorFlow's FingerprintCat64 multiplier and tf.sparse.cross_hashed's default hash key
_CAT_MULTIPLIER = 0xC6A4A7935BD1E995
CROSS_HASH_KEY = 0xDECAFCAFFE


def fingerprint64(data) -> int:
    """FarmHash's Fingerprint64 (stable across platforms), through the pyfarmhash package."""
    try:
        import farmhash
    except ImportError as err:
        raise ImportError("Hashing and HashedCrossing need the 'pyfarmhash' package (FarmHash Fingerprint64, the "
                          "hash Keras uses): pip install pyfarmhash") from err
    return farmhash.fingerprint64(data)


def _rotate_left(x: int, bits: int) -> int:
    return ((x << bits) | (x >> (64 - bits))) & _MASK64


def siphash24(key0: int, key1: int, data: bytes) -> int:
    """SipHash-2-4 of `data` under the 128-bit key (key0, key1): TensorFlow's to_hash_bucket_strong."""
    v0, v1 = key0 ^ 0x736F6D6570736575, key1 ^ 0x646F72616E646F6D
    v2, v3 = key0 ^ 0x6C7967656E657261, key1 ^ 0x7465646279746573

    def sip_round(v0, v1, v2, v3):
        v0 = (v0 + v1) & _MASK64
        v1 = _rotate_left(v1, 13) ^ v0
        v0 = _rotate_left(v0, 32)
        v2 = (v2 + v3) & _MASK64
        v3 = _rotate_left(v3, 16) ^ v2
        v0 = (v0 + v3) & _MASK64
        v3 = _rotate_left(v3, 21) ^ v0
        v2 = (v2 + v1) & _MASK64
        v1 = _rotate_left(v1, 17) ^ v2
        v2 = _rotate_left(v2, 32)
        return v0, v1, v2, v3

    whole = len(data) - len(data) % 8
    for start in range(0, whole, 8):
        (word,) = struct.unpack_from("<Q", data, start)
        v3 ^= word
        v0, v1, v2, v3 = sip_round(*sip_round(v0, v1, v2, v3))
        v0 ^= word
    # the last word: the tail bytes, and the length's low byte on top
    last = (len(data) & 0xFF) << 56
    for i, byte in enumerate(data[whole:]):
        last |= byte << (8 * i)
    v3 ^= last
    v0, v1, v2, v3 = sip_round(*sip_round(v0, v1, v2, v3))
    v0 ^= last
    v2 ^= 0xFF
    for _ in range(4):
        v0, v1, v2, v3 = sip_round(v0, v1, v2, v3)
    return v0 ^ v1 ^ v2 ^ v3


def _shift_mix(value: int) -> int:
    return value ^ (value >> 47)


def fingerprint_cat64(first: int, second: int) -> int:
    """TensorFlow's FingerprintCat64: combines two 64-bit fingerprints (order matters)."""
    result = first ^ _CAT_MULTIPLIER
    result ^= (_shift_mix((second * _CAT_MULTIPLIER) & _MASK64) * _CAT_MULTIPLIER) & _MASK64
    result = (result * _CAT_MULTIPLIER) & _MASK64
    result = (_shift_mix(result) * _CAT_MULTIPLIER) & _MASK64
    return _shift_mix(result)
