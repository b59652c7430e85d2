"""The plain-text normaliser (domain.md "Text"): pasted invisible formatting is removed, NFC."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.text import normalize_line, normalize_text, search_key

INVISIBLE = [
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\u2060",  # word joiner
    "\ufeff",  # BOM / zero-width no-break space
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u202a",  # LRE
    "\u202b",  # RLE
    "\u202c",  # PDF
    "\u202d",  # LRO
    "\u202e",  # RLO
    "\u2066",  # LRI
    "\u2067",  # RLI
    "\u2068",  # FSI
    "\u2069",  # PDI
    "\u00ad",  # soft hyphen
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",
]

# Text as it arrives from a word processor: ordinary characters with invisible ones mixed in.
pasted = st.lists(
    st.one_of(st.characters(), st.sampled_from([*INVISIBLE, "\n", "\t", "\r\n", "\r"])), max_size=60
).map("".join)


def _forbidden(ch: str) -> bool:
    return ch not in "\n\t" and unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn"}


@pytest.mark.parametrize("ch", INVISIBLE)
def test_each_invisible_character_is_removed(ch: str) -> None:
    assert normalize_text(f"Svar{ch} inom två{ch}{ch} arbetsdagar") == "Svar inom två arbetsdagar"


def test_newline_and_tab_are_kept_and_line_endings_become_lf() -> None:
    assert normalize_text("a\tb\r\nc\rd\ne") == "a\tb\nc\nd\ne"


def test_decomposed_letters_are_composed() -> None:
    decomposed = "Va\u0308stra Go\u0308talandsregionen, a\u030angest"
    assert normalize_text(decomposed) == "Västra Götalandsregionen, ångest"


@given(pasted)
def test_output_has_no_invisible_formatting_and_is_nfc(raw: str) -> None:
    out = normalize_text(raw)
    assert not any(_forbidden(ch) for ch in out)
    assert "\r" not in out
    assert unicodedata.is_normalized("NFC", out)


@given(pasted)
def test_normalising_twice_changes_nothing(raw: str) -> None:
    once = normalize_text(raw)
    assert normalize_text(once) == once
    line = normalize_line(raw)
    assert normalize_line(line) == line


@given(st.text(alphabet=st.characters(categories=["L", "N", "P", "Zs"]), max_size=40))
def test_ordinary_text_is_untouched_apart_from_nfc(raw: str) -> None:
    assert normalize_text(raw) == unicodedata.normalize("NFC", raw)


@given(pasted)
def test_a_line_has_no_line_breaks_and_no_surrounding_space(raw: str) -> None:
    line = normalize_line(raw)
    assert "\n" not in line and "\t" not in line
    assert line == line.strip()
    assert "  " not in line


def test_line_folds_inner_white_space() -> None:
    assert normalize_line("  Anna\u200b \n Andersson\t ") == "Anna Andersson"


def test_search_key_ignores_case_accents_and_invisibles() -> None:
    assert search_key("Vårdcentralen\u200b NORRMALM") == search_key("vardcentralen norrmalm")
