"""The chat page, the widget script and the languages script as the front serves them.

The languages are data: the registry (``bot/languages.yml``) and the page's
words (``strings.yml``, next to this file). Both reach the browser as a script
of data, ``/languages.js``, which defines ``CHAT_LANGUAGES`` (the registry's
order, the default first) and ``CHAT_STRINGS`` (``{code: {name: text}}``);
the page loads it before chat.js. The page is index.html with the retention
period, the language switch and the noscript texts written in. The widget,
``/widget.js``, is the languages script, chat.js (the page's chat) and
launcher.js (the launcher and panel in a shadow root), in one function scope so
that nothing leaks into the host page's globals.
"""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path
from typing import Any

import yaml

from bot.domain.languages import registry

STATIC = Path(__file__).with_name("static")
STRINGS = Path(__file__).with_name("strings.yml")
_RETENTION_ATTRIBUTE = re.compile(r'data-retention-days="\d*"')


def _marker(name: str) -> re.Pattern[str]:
    """The line of index.html that holds only ``<!-- name -->``; its indentation is group 1."""
    return re.compile(rf"^([ \t]*)<!-- {name} -->$", re.M)


_LANGUAGES_MARKER = _marker("languages")
_NOSCRIPT_MARKER = _marker("noscript")


def strings() -> dict[str, dict[str, str]]:
    """The page's words by language, ``{code: {name: text}}``, for every language of the registry."""
    by_name = yaml.safe_load(STRINGS.read_text(encoding="utf-8"))
    missing = [(name, entry.code) for name, texts in by_name.items() for entry in registry() if entry.code not in texts]
    if missing:
        raise ValueError(f"{STRINGS} lacks texts (string, language): {missing}")
    return {entry.code: {name: str(texts[entry.code]) for name, texts in by_name.items()} for entry in registry()}


def _script_json(value: Any) -> str:
    """``value`` as JSON that cannot end the script around it ("</script>") nor its line (U+2028, U+2029)."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def languages_script() -> str:
    languages = [
        {"code": entry.code, "name": entry.name, "label": entry.label, "locales": list(entry.locales)}
        for entry in registry()
    ]
    return (
        "// The languages (bot/languages.yml) and the page's words (bot/web/strings.yml), for chat.js.\n"
        f"const CHAT_LANGUAGES = {_script_json(languages)};\n"
        f"const CHAT_STRINGS = {_script_json(strings())};\n"
    )


def _at(marker: re.Pattern[str], lines: list[str], html: str) -> str:
    """``html`` with the marker's line replaced by ``lines``, at its indentation."""
    return marker.sub(lambda found: "\n".join(found.group(1) + line for line in lines), html, count=1)


def _switch() -> list[str]:
    """A button per language, the first (the default) pressed: chat.js presses the visitor's."""
    return [
        f'<button type="button" class="language" data-lang="{escape(entry.code)}" lang="{escape(entry.code)}" '
        f'aria-pressed="{str(index == 0).lower()}" title="{escape(entry.name)}">{escape(entry.label)}</button>'
        for index, entry in enumerate(registry())
    ]


def _noscript() -> list[str]:
    return [
        f'<p class="noscript" lang="{escape(code)}">{escape(texts["noscript"])}</p>'
        for code, texts in strings().items()
    ]


def page(retention_days: int) -> str:
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    html = _at(_LANGUAGES_MARKER, _switch(), _at(_NOSCRIPT_MARKER, _noscript(), html))
    return _RETENTION_ATTRIBUTE.sub(f'data-retention-days="{retention_days}"', html, count=1)


def widget_script(retention_days: int) -> str:
    chat = (STATIC / "chat.js").read_text(encoding="utf-8")
    launcher = (STATIC / "launcher.js").read_text(encoding="utf-8")
    return (
        '"use strict";\n(() => {\n'
        f"const RETENTION_DAYS = {retention_days};\n"
        f"{languages_script()}{chat}\n{launcher}\n"
        "})();\n"
    )
