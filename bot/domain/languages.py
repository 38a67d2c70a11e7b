"""The languages the assistant speaks, and the one it falls back to.

Kept apart from ``bot.domain.language`` (which decides a visitor's language
and needs the classifiers) so that the fact store can name the languages
without importing the code that reads the store.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["en", "es"]
LANGUAGES: tuple[Lang, ...] = ("en", "es")
DEFAULT_LANGUAGE: Lang = "en"
