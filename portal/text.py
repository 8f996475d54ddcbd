"""Text as people type it, made safe to store and show: the rules every input shares.

- Unicode NFC, so the same name is stored the same way however it was typed;
- line breaks as "\\n"; no other control characters (NUL, escape sequences, bells);
- no invisible formatting that changes how text *looks* without being seen: bidirectional
  embeddings, overrides and isolates (the "Trojan Source" characters), zero-width spaces, word
  joiners and byte-order marks. Joiners inside words (U+200C, U+200D) stay: Persian, Indic
  scripts and emoji sequences need them;
- trimmed; and text with nothing visible left counts as empty.

Names are stricter: one line, single spaces, and no bidi marks either.
"""

from __future__ import annotations

import unicodedata

# Bidi embeddings, overrides and isolates; zero-width space; word joiner; BOM; soft hyphen;
# Mongolian vowel separator; interlinear annotation marks; invisible math operators.
INVISIBLE = frozenset(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200B, 0x2060, 0xFEFF, 0x00AD, 0x180E]
    + [0xFFF9, 0xFFFA, 0xFFFB, 0x2061, 0x2062, 0x2063, 0x2064]
)
BIDI_MARKS = frozenset([0x200E, 0x200F, 0x061C])
LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n", "\x85": "\n"}


def _keep(char: str, multiline: bool) -> bool:
    code = ord(char)
    if char == "\n" or char == "\t":
        return multiline
    if code in INVISIBLE:
        return False
    category = unicodedata.category(char)
    return category not in ("Cc", "Cs")


def has_visible(text: str) -> bool:
    """Whether any character would show: not only spaces, controls or formatting."""
    return any(unicodedata.category(c)[0] not in "ZC" for c in text)


def clean_text(value: str, *, multiline: bool = False) -> str:
    """`value` by the rules above; "" when nothing visible is left."""
    text = unicodedata.normalize("NFC", value)
    for old, new in LINE_BREAKS.items():
        text = text.replace(old, new)
    if not multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    text = "".join(c for c in text if _keep(c, multiline)).strip()
    return text if has_visible(text) else ""


def clean_name(value: str) -> str:
    """A person's or company's name: clean one-line text, single spaces, no bidi marks."""
    text = "".join(c for c in clean_text(value) if ord(c) not in BIDI_MARKS)
    return " ".join(text.split())
