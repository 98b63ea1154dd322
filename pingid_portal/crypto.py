"""Encryption of secrets at rest (settings-file keys, TOTP seeds).

Values are encrypted with Fernet (AES-128-CBC with HMAC-SHA256) under keys
derived from `SECRETS_ENCRYPTION_KEYS`. The first key encrypts and every key
decrypts. To rotate a key, put the new key first, re-encrypt every stored
value, then drop the old key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


def _fernet_for(secret: str) -> Fernet:
    # Any configured string becomes a valid 32-byte Fernet key.
    digest = hashlib.sha256(secret.encode("utf-8")).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


@cache
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ValueError("SECRETS_ENCRYPTION_KEYS is empty: set at least one key.")
    return MultiFernet([_fernet_for(key) for key in keys])


def _cipher() -> MultiFernet:
    return _multi_fernet(tuple(settings.SECRETS_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return _cipher().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(ciphertext: str) -> str:
    """Decrypt a value; raise `ValueError` when no configured key opens it."""
    try:
        return _cipher().decrypt(ciphertext.encode("ascii")).decode("utf-8")
    except InvalidToken as error:
        raise ValueError(
            "Cannot decrypt a stored secret: SECRETS_ENCRYPTION_KEYS lacks the key it "
            "was encrypted with."
        ) from error


def reencrypt(ciphertext: str) -> str:
    """Return the value encrypted under the first (current) key."""
    return _cipher().rotate(ciphertext.encode("ascii")).decode("ascii")


class EncryptedTextField(models.TextField):
    """A text field stored encrypted in the database and decrypted on load."""

    def from_db_value(
        self, value: str | None, expression: Any, connection: Any
    ) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))


def encrypted_fields() -> list[tuple[type[models.Model], str]]:
    """Return every (model, field name) stored with `EncryptedTextField`."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, EncryptedTextField):
                found.append((model, field.name))
    return found


def code_hash(purpose: str, code: str) -> str:
    """Return the HMAC-SHA256 of a short code, keyed by SECRET_KEY and `purpose`.

    A keyed hash keeps a leaked table from being reversed by trying every code.
    Changing SECRET_KEY makes every stored hash stop matching.
    """
    key = f"pingid-portal:{purpose}:{settings.SECRET_KEY}".encode()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()
