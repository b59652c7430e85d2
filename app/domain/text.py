"""Plain-text rules (domain.md "Text").

Pasted text from word processors carries zero-width and bidirectional control characters; the
seed's "terms text cannot be pasted" problem came from them. We clean rather than reject.
"""

from __future__ import annotations

import unicodedata

_KEEP = {"\n", "\t"}


def _is_invisible(ch: str) -> bool:
    if ch in _KEEP:
        return False
    # Cc: control, Cf: format (zero-width, bidi controls, U+FEFF), Cs/Co/Cn never belong in text.
    return unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn"}


def is_format_char(ch: str) -> bool:
    """Zero-width, bidirectional and other format characters (U+200B, U+202E, U+FEFF, ...)."""
    return unicodedata.category(ch) == "Cf"


def normalize_text(value: str) -> str:
    """NFC-normalise and strip invisible formatting; CRLF becomes LF."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    cleaned = "".join(ch for ch in value if not _is_invisible(ch))
    return unicodedata.normalize("NFC", cleaned)


def normalize_line(value: str) -> str:
    """A single-line field (a name, a title): cleaned, inner newlines folded, trimmed."""
    return " ".join(normalize_text(value).split())


def search_key(value: str) -> str:
    """Case- and accent-insensitive key for name search ("Vårdcentral" ~ "vardcentral")."""
    decomposed = unicodedata.normalize("NFKD", normalize_line(value).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
