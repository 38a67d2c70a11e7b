"""Lemmas from spaCy's lookup tables (spacy-lookups-data), no model download.

"soldados" and "soldado" share the lemma "soldado", "ayúdame" folds to
"ayudame": word counts then generalise over inflection and missing accents.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Mapping, Optional

from bot.language import LANGUAGES, Lang
from bot.text import fold


@lru_cache(maxsize=None)
def _table(lang: Lang) -> Mapping[str, str]:
    from spacy.lookups import load_lookups

    return load_lookups(lang, ["lemma_lookup"]).get_table("lemma_lookup")


def lemma(word: str, lang: Optional[Lang]) -> str:
    """The folded lemma of ``word`` in ``lang``.

    With no language (a short message), only a word that one language alone
    knows is lemmatised: "is" is in both tables and stays as it is.
    """
    lower = word.lower()
    if lang is not None:
        return fold(_table(lang).get(lower, lower))
    found = {_table(table_lang).get(lower) for table_lang in LANGUAGES} - {None}
    return fold(found.pop() if len(found) == 1 else lower)
