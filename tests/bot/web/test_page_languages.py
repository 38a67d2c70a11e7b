"""The page's and the widget's languages are data: the registry and bot/web/strings.yml, sent as a script.

No browser and no servers: the front against stand-ins, and chat.js's choice
of language run by node on a stand-in for the page.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from typing import Any

import pytest
import yaml
from aiohttp.test_utils import TestClient

from bot.domain.languages import DEFAULT_LANGUAGE, registry
from bot.web import widget
from tests.bot.web.test_app import assert_secure

NODE = shutil.which("node")


def defined(script: str, name: str) -> Any:
    """The value a languages script gives ``name`` (``const NAME = <JSON>;``, one line)."""
    found = re.search(rf"^const {name} = (.*);$", script, flags=re.M)
    assert found, name
    return json.loads(found.group(1))


def registry_languages() -> list[dict[str, Any]]:
    return [{"code": e.code, "name": e.name, "label": e.label, "locales": list(e.locales)} for e in registry()]


async def test_the_languages_script_gives_the_registrys_languages_and_their_words(front: TestClient) -> None:
    response = await front.get("/languages.js")
    assert response.status == 200
    assert response.content_type == "application/javascript" and response.charset == "utf-8"
    assert response.headers["Cache-Control"] == "no-cache"
    assert_secure(response.headers)
    script = await response.text()
    assert defined(script, "CHAT_LANGUAGES") == registry_languages()
    words = defined(script, "CHAT_STRINGS")
    assert list(words) == [entry.code for entry in registry()]
    assert all("{days}" in texts["privacy"] for texts in words.values())
    # The page loads it before the chat, which reads it.
    page = await (await front.get("/")).text()
    assert page.index('<script src="/languages.js" defer></script>') < page.index('<script src="/static/chat.js"')


async def test_the_widget_script_defines_the_languages_before_the_chat(front: TestClient) -> None:
    script = await (await front.get("/widget.js")).text()
    assert defined(script, "CHAT_LANGUAGES") == registry_languages()
    assert defined(script, "CHAT_STRINGS") == widget.strings()
    # Inside the widget's one function scope, where chat.js and launcher.js see them.
    assert script.index("(() => {") < script.index("const CHAT_LANGUAGES") < script.index("function mountChat(")


async def test_the_page_has_a_switch_button_and_a_noscript_text_per_language(front: TestClient) -> None:
    page = await (await front.get("/")).text()
    buttons = re.findall(
        r'<button type="button" class="language" data-lang="(\w+)" lang="\1" aria-pressed="(true|false)" '
        r'title="([^"<>]+)">([^<>]+)</button>',
        page,
    )
    assert buttons == [(e.code, str(i == 0).lower(), e.name, e.label) for i, e in enumerate(registry())]
    paragraphs = re.findall(r'<p class="noscript" lang="(\w+)">([^<>]+)</p>', page)
    assert paragraphs == [(code, texts["noscript"]) for code, texts in widget.strings().items()]
    assert "<!-- languages -->" not in page and "<!-- noscript -->" not in page


def test_no_name_or_text_can_break_out_of_the_page_or_the_script(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    hostile = '</script><img src=x title="a">&\u2028\u2029'
    languages = (dataclasses.replace(registry()[0], name=hostile, label=hostile),)
    strings = tmp_path / "strings.yml"
    strings.write_text(yaml.safe_dump({"noscript": {languages[0].code: hostile}}), encoding="utf-8")
    monkeypatch.setattr(widget, "registry", lambda: languages)
    monkeypatch.setattr(widget, "STRINGS", strings)

    script = widget.languages_script()
    assert "<" not in script and "\u2028" not in script and "\u2029" not in script
    assert defined(script, "CHAT_LANGUAGES")[0]["name"] == hostile
    assert defined(script, "CHAT_STRINGS") == {languages[0].code: {"noscript": hostile}}
    page = widget.page(30)
    escaped = "&lt;/script&gt;&lt;img src=x title=&quot;a&quot;&gt;&amp;"
    assert f'title="{escaped}\u2028\u2029">{escaped}' in page and f">{escaped}\u2028\u2029</p>" in page
    assert "<img" not in page


def test_a_language_without_a_text_stops_the_front_at_start_up(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    strings = tmp_path / "strings.yml"
    strings.write_text(yaml.safe_dump({"send": {"zz": "Send"}}), encoding="utf-8")
    monkeypatch.setattr(widget, "STRINGS", strings)
    with pytest.raises(ValueError, match=f"'send', '{DEFAULT_LANGUAGE}'"):
        widget.strings()


# chat.js on a stand-in page: just enough of the DOM for mountChat to start, and to say its language.
CHOOSE = """
const element = { addEventListener() {}, setAttribute() {}, dataset: {} };
const root = { querySelector: () => element, querySelectorAll: () => [] };
globalThis.window = { sessionStorage: { getItem: () => null, setItem() {} } };
function chosen([locale, preferred]) {
  Object.defineProperty(globalThis, "navigator", { value: { languages: preferred }, configurable: true });
  let language = null;
  mountChat(root, { locale, onLanguage: (code) => { language = code; } });
  return language;
}
console.log(JSON.stringify(CASES.map(chosen)));
"""


@pytest.mark.skipif(NODE is None, reason="node not installed")
def test_the_chat_chooses_the_language_by_its_locales(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # (the widget's data-locale or none, the browser's languages) -> the chat's language
    cases = [
        (("nn-NO", []), "nb"),
        (("no", []), "nb"),
        (("nb", []), "nb"),
        (("es-CO", []), "es"),
        (("ES", []), "es"),
        (("en-GB", []), "en"),
        (("de-DE", []), DEFAULT_LANGUAGE),
        ((None, ["de-DE", "nn-NO", "es"]), "nb"),
        ((None, ["fr", "es_MX"]), "es"),
        ((None, []), DEFAULT_LANGUAGE),
    ]
    chat = (widget.STATIC / "chat.js").read_text(encoding="utf-8")
    harness = tmp_path / "choose.js"
    harness.write_text(
        f"{widget.languages_script()}{chat}\nconst CASES = {json.dumps([case for case, _ in cases])};\n{CHOOSE}",
        encoding="utf-8",
    )
    run = subprocess.run([NODE, str(harness)], capture_output=True, text=True, timeout=30, check=True)
    assert json.loads(run.stdout) == [expected for _, expected in cases]
