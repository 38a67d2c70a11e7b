"""Text normalisation shared by name matching and language handling."""

from __future__ import annotations

import unicodedata

# Letters Unicode does not decompose, written as visitors without them type them ("Sor-Sudan").
_PLAIN = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ð": "d", "þ": "th"})


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced: "Sudán del  Sur" -> "sudan del sur", "Sør-Sudan" -> "sor-sudan"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_PLAIN))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())
