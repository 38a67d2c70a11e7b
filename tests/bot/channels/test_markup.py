"""A reply's links and lists as each platform shows them."""

from __future__ import annotations

import pytest

from bot.channels.markup import plain, slack_mrkdwn, telegram_html
from tests.conftest import LANGS

URL = "https://www.norway.no/en/missions/UN/values-priorities/peace-stability-sec/"
REPLY = {
    "en": f"Norway's five aims are to:\n1. maintain <ties> & more\n2. promote peace\n\n"
          f"Source: [Norway's government, “Peace, stability and security”, 2019]({URL})",
    "es": f"Los cinco objetivos de Noruega son:\n1. mantener <lazos> y más\n2. promover la paz\n\n"
          f"Fuente: [Gobierno de Noruega, «Paz, estabilidad y seguridad», 2019]({URL})",
    "nb": f"Norges fem mål er å:\n1. opprettholde <bånd> og mer\n2. fremme fred\n\n"
          f"Kilde: [Norges regjering, «Fred, stabilitet og sikkerhet», 2019]({URL})",
}
CITATION = {
    "en": "Norway's government, “Peace, stability and security”, 2019",
    "es": "Gobierno de Noruega, «Paz, estabilidad y seguridad», 2019",
    "nb": "Norges regjering, «Fred, stabilitet og sikkerhet», 2019",
}


@pytest.mark.parametrize("lang", LANGS)
def test_telegram_gets_a_link_and_escaped_text_with_the_list_lines_kept(lang: str) -> None:
    rendered = telegram_html(REPLY[lang])
    assert rendered.endswith(f'<a href="{URL}">{CITATION[lang]}</a>')
    assert "&lt;" in rendered and all(tag not in rendered for tag in ("<ties>", "<lazos>", "<bånd>"))
    assert "\n1. " in rendered and "\n2. " in rendered


@pytest.mark.parametrize("lang", LANGS)
def test_slack_gets_its_own_link_syntax_and_escaped_text(lang: str) -> None:
    rendered = slack_mrkdwn(REPLY[lang])
    assert rendered.endswith(f"<{URL}|{CITATION[lang]}>")
    assert "&lt;" in rendered and "\n1. " in rendered
    assert slack_mrkdwn("a & b <!channel>") == "a &amp; b &lt;!channel&gt;"


def test_plain_platforms_get_the_text_then_the_address() -> None:
    assert plain(REPLY["en"]).endswith(f"{CITATION['en']}: {URL}")


def test_only_web_addresses_become_links() -> None:
    text = "[click](javascript:alert(1)) and [x](https://example.org/a)"
    assert telegram_html(text) == '[click](javascript:alert(1)) and <a href="https://example.org/a">x</a>'
    assert 'href="javascript' not in telegram_html(text)
