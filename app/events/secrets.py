"""Webhook signing secrets: made, sealed for storage, opened for signing.

A secret is shown to the local admin once, when the webhook is created. HMAC needs the key
itself, so it cannot be stored as a hash: it is stored encrypted (Fernet: AES-128-CBC with an
HMAC, from `cryptography`) under a key derived with HKDF from WEBHOOK_SECRET_KEY, or when that
is unset from TOKEN_SIGNING_KEY under another label (neither derived key tells anything about
the other). A database dump alone therefore does not let anyone sign as CareInbox. Changing
the key makes the stored secrets unreadable: their deliveries fail with that reason and the
webhooks must be created anew (set WEBHOOK_SECRET_KEY to rotate token keys independently).
"""

from __future__ import annotations

import base64
import secrets

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.config import Settings

PREFIX = "whsec_"
KEY_BYTES = 32  # Standard Webhooks: 24 to 64 bytes


class SecretUnreadable(RuntimeError):
    """The stored secret does not open with the configured key."""


def new_secret() -> str:
    """`whsec_` + the base64 of a random key, as the Standard Webhooks libraries take it."""
    return PREFIX + base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


class SecretBox:
    def __init__(self, material: str, label: bytes) -> None:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(material.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    @classmethod
    def from_settings(cls, settings: Settings) -> SecretBox:
        if settings.webhook_secret_key is not None:
            return cls(settings.webhook_secret_key.get_secret_value(), b"careinbox webhook secrets")
        return cls(settings.token_signing_key, b"careinbox webhook secrets from the token key")

    def seal(self, secret: str) -> bytes:
        return self._fernet.encrypt(secret.encode())

    def open(self, sealed: bytes) -> str:
        try:
            return self._fernet.decrypt(bytes(sealed)).decode()
        except InvalidToken as exc:
            raise SecretUnreadable(
                "the webhook's secret cannot be read with the configured key (WEBHOOK_SECRET_KEY changed?)"
            ) from exc
