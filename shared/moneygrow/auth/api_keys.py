"""API keys: `mg_<key_id>_<secret>`. Only a SHA-256 of the whole key is stored.

A plain hash is right here (unlike passwords): the key carries 256 bits of randomness, so it
cannot be brute-forced, and lookups must be fast on every request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

PREFIX = "mg_"


@dataclass(frozen=True)
class NewKey:
    key_id: str
    plaintext: str
    key_hash: str
    prefix: str  # what the user sees in listings


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def generate_key() -> NewKey:
    key_id = secrets.token_hex(8)
    plaintext = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    return NewKey(key_id, plaintext, hash_key(plaintext), plaintext[: len(PREFIX) + 16 + 5])


def looks_like_key(value: str) -> bool:
    return value.startswith(PREFIX) and 40 <= len(value) <= 100


def matches(plaintext: str, key_hash: str) -> bool:
    """Constant-time check that a presented key is the one a stored hash belongs to."""
    return hmac.compare_digest(hash_key(plaintext).encode(), key_hash.encode())
