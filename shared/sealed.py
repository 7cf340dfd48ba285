"""Sealed values: a secret that only one service can read, though others carry it.

A libsodium sealed box (X25519 + XSalsa20-Poly1305, PyNaCl's ``SealedBox``) encrypts to a
public key with a fresh, forgotten sender key: whoever holds only the public key can seal but
never open, not even what they sealed themselves. Keys and sealed values travel as base64.
Used for pick-up codes: attendance seals them to notify's public key (docs/architecture.md).
"""

from __future__ import annotations

import base64

from nacl.public import PrivateKey, PublicKey, SealedBox


def new_keypair() -> tuple[str, str]:
    """A fresh ``(private, public)`` pair, each base64 of 32 bytes."""
    private = PrivateKey.generate()
    return _b64(bytes(private)), _b64(bytes(private.public_key))


def public_key_of(private_key: str) -> str:
    """The public key that goes with ``private_key``; base64."""
    return _b64(bytes(PrivateKey(base64.b64decode(private_key)).public_key))


def seal(public_key: str, plaintext: str) -> str:
    """``plaintext`` sealed to ``public_key``; base64."""
    return _b64(SealedBox(PublicKey(base64.b64decode(public_key))).encrypt(plaintext.encode()))


def unseal(private_key: str, sealed: str) -> str:
    """The plaintext of ``sealed``; raises ``nacl.exceptions.CryptoError`` if it was not sealed to this key."""
    return SealedBox(PrivateKey(base64.b64decode(private_key))).decrypt(base64.b64decode(sealed)).decode()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
