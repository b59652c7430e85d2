"""Attachments (domain.md "Rules with numbers"): what a file may be, how big, how many, how long.

The type is judged by the content's first bytes only: the name and the declared type are the
sender's word, and a renamed executable must not reach a clinician as a "PDF".
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta

from app.domain.errors import DomainError
from app.domain.text import normalize_line

# 20 MB read as 20 MiB (20 × 1024 × 1024 bytes): the larger reading, so no file a citizen's
# phone calls "20 MB" is refused. 20 971 520 bytes are accepted, one more is refused.
MAX_BYTES = 20 * 1024 * 1024
MAX_PER_CITIZEN_MESSAGE = 5
MAX_PER_STAFF_MESSAGE = 10
# An upload not attached within this time is dead: no longer usable, and purged.
UNATTACHED_TTL = timedelta(hours=24)
# Unused uploads one person may hold at once (against filling the store).
MAX_UNATTACHED = 20

PDF, PNG, JPEG, GIF = "application/pdf", "image/png", "image/jpeg", "image/gif"
# The exact signatures (magic bytes) of the four accepted formats.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
)
ACCEPTED = frozenset(media_type for _, media_type in _SIGNATURES)
SNIFF_BYTES = 8


def accepted_type(head: bytes) -> str | None:
    """The media type of a file starting with `head` (at least SNIFF_BYTES when the file is
    that long), or None when it is none of the accepted formats."""
    for signature, media_type in _SIGNATURES:
        if head.startswith(signature):
            return media_type
    return None


class UnsupportedMediaType(DomainError):
    status = 415
    type_slug = "unsupported-media-type"
    title = "This kind of file is not accepted"


class PayloadTooLarge(DomainError):
    status = 413
    type_slug = "payload-too-large"
    title = "The file is too large"


class UploadQuotaExceeded(DomainError):
    """Too many unused uploads: 429 with Retry-After, the seconds until the oldest one expires
    (attaching one frees a place sooner)."""

    status = 429
    type_slug = "upload-quota-exceeded"
    title = "Too many unused uploads"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


def unsupported(detected: str) -> UnsupportedMediaType:
    return UnsupportedMediaType(
        f"only PDF, PNG, JPEG and GIF files are accepted; this file is {detected}", detected_type=detected
    )


def too_large() -> PayloadTooLarge:
    return PayloadTooLarge(f"a file may be at most {MAX_BYTES} bytes (20 MiB)", max_bytes=MAX_BYTES)


# What is left of a file name must not steer a path or a header: separators, controls, quotes.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|]+')
MAX_FILENAME = 200
FALLBACK_NAME = "bilaga"


def clean_filename(raw: str) -> str:
    """The name a file is stored and offered under: the last path segment of what the sender
    called it, NFC, without control or invisible formatting characters, quotes, path separators
    or leading dots (`..` and hidden names), at most MAX_FILENAME characters (the extension
    kept). Letters such as åäö stay."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    # normalize_line: NFC, invisible and control characters out, newlines and tabs folded.
    name = _UNSAFE.sub("_", normalize_line(name)).lstrip(". ").rstrip(" ")
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        ext = ext if dot and 0 < len(ext) <= 10 else ""
        keep = MAX_FILENAME - (len(ext) + 1 if ext else 0)
        name = (stem if ext else name)[:keep].rstrip(". ") + (f".{ext}" if ext else "")
    return name or FALLBACK_NAME


def ascii_filename(name: str) -> str:
    """An ASCII stand-in for clients that do not read RFC 5987 `filename*`: åäö → aao, anything
    else outside printable ASCII → `_`."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    out = "".join(ch if 0x20 <= ord(ch) < 0x7F and ch not in '"\\%' else "_" for ch in folded)
    return out.strip() or FALLBACK_NAME
