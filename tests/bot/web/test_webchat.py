"""rasa-webchat 1.0.1, the socket.io widget from npm, on another site, in headless Chromium.

The host site serves the widget itself (tests/bot/web/site/webchat.html), on the
port WEB_ALLOWED_ORIGINS lists, and the widget talks to the front's socket.io.
"""

from __future__ import annotations

import gc
import json
import threading
import time
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from tests.conftest import LANGS, ROOT, require
from tests.bot.web.test_browser import PAGE_URL, REPLY_TIMEOUT_MS, browser, screenshot  # noqa: F401 (browser: a fixture)
from tests.bot.web.test_embed import SITE, SiteHandler, open_page  # noqa: F401 (open_page: a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.servers]

WEBCHAT = Path(__file__).with_name("js") / "node_modules" / "rasa-webchat"
WEBCHAT_VERSION = "1.0.1"
QUESTIONS = {
    "en": "How many Norwegian police officers are in UN missions?",
    "es": "¿Cuántos policías noruegos hay en misiones de la ONU?",
    "nb": "Hvor mange norske politifolk er i FN-operasjoner?",
}
SOURCE = {"en": "Source", "es": "Fuente", "nb": "Kilde"}
THANKS = {"en": "Thank you", "es": "Gracias", "nb": "Takk"}
# The browser's report of the refused font: rasa-webchat works on in the site's fonts.
GOOGLE_FONTS = "Loading the stylesheet 'https://fonts.googleapis.com/"
RESPONSES = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]


def first_sentences(response: str) -> dict[str, str]:
    """The first sentence of ``response`` ("Sorry, I did not quite understand"), by language."""
    return {
        next((c["value"] for c in variant.get("condition", []) if c.get("name") == "language"), "en"):
            variant["text"].split(".")[0].split("!")[0]
        for variant in RESPONSES[response]
    }


# "Did not understand", in every language, and the greeting's first words.
NOT_UNDERSTOOD = first_sentences("utter_fallback_rephrase")
GREETINGS = first_sentences("utter_greet")


class WebchatSiteHandler(SiteHandler):
    """The host site, which also serves rasa-webchat's bundle (React included) from npm."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path.split("?", 1)[0] == "/rasa-webchat.js":
            return self.send((WEBCHAT / "lib" / "index.js").read_bytes(), "application/javascript")
        return super().do_GET()

    def send_header(self, keyword: str, value: str) -> None:
        if keyword == "Content-Security-Policy":
            # What rasa-webchat needs besides the policy docs/channels.md gives: its bundle injects
            # its styles and sets inline ones, its icons and fonts are data: URLs. It also asks
            # Google Fonts for Inter, which this site does not allow (GOOGLE_FONTS).
            websocket = self.bot.replace("http", "ws", 1)
            value = (f"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                     f"img-src 'self' data:; font-src 'self' data:; connect-src 'self' {self.bot} {websocket}")
        super().send_header(keyword, value)


@pytest.fixture(scope="module")
def webchat() -> Path:
    require((WEBCHAT / "lib" / "index.js").exists(), "rasa-webchat (npm)",
            "`make test` installs it with npm ci --prefix tests/bot/web/js")
    return WEBCHAT


@pytest.fixture(scope="module")
def webchat_site(stack, webchat) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The allowed host site, as an origin; its port is free again once test_embed.py's site has stopped."""
    handler = type("Handler", (WebchatSiteHandler,), {"bot": stack.url})
    for _ in range(50):
        try:
            server = ThreadingHTTPServer(("127.0.0.1", stack.site_port), partial(handler, directory=str(SITE)))
            break
        except OSError:
            gc.collect()
            time.sleep(0.1)
    else:
        pytest.fail(f"the host site's port {stack.site_port} stayed in use")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_the_installed_rasa_webchat_is_the_checked_version(webchat) -> None:  # type: ignore[no-untyped-def]
    assert json.loads((webchat / "package.json").read_text())["version"] == WEBCHAT_VERSION


@pytest.mark.parametrize("lang", LANGS)
def test_rasa_webchat_asking_for_the_greeting_on_open_gets_it(open_page, webchat_site, lang: str) -> None:  # type: ignore[no-untyped-def]
    page = open_page(f"{webchat_site}/webchat.html?lang={lang}&init=/greet", allow=(GOOGLE_FONTS,))
    page.locator(".rw-launcher").click()
    # The first message shown (rasa-webchat shows each after a delay, the typing dots first).
    page.locator(".rw-response", has_text=GREETINGS[lang]).first.wait_for(timeout=REPLY_TIMEOUT_MS)
    assert page.locator(".rw-response").first.inner_text().startswith(GREETINGS[lang])
    # Its topic buttons are quick replies too.
    page.locator(".rw-replies .rw-reply").first.wait_for(timeout=REPLY_TIMEOUT_MS)


@pytest.mark.parametrize("lang", LANGS)
def test_rasa_webchat_on_another_site_answers_and_rates(open_page, webchat_site, lang: str) -> None:  # type: ignore[no-untyped-def]
    page = open_page(f"{webchat_site}/webchat.html?lang={lang}", locale={"nb": "nb-NO", "es": "es-ES"}.get(lang, "en-GB"),
                     allow=(GOOGLE_FONTS,))
    # Opening the window sends rasa-webchat's init payload, an empty message: no "did not understand".
    page.locator(".rw-launcher").click()
    page.locator(".rw-new-message").wait_for(timeout=REPLY_TIMEOUT_MS)
    page.wait_for_timeout(3000)
    opened = page.locator(".rw-response").all_inner_texts()
    assert all(any(words in text for words in GREETINGS.values()) for text in opened), opened

    page.locator(".rw-new-message").fill(QUESTIONS[lang])
    page.locator(".rw-new-message").press("Enter")
    responses = page.locator(".rw-response")
    # The source is a link, rendered from the answer's markdown: no markdown left in the text.
    source = responses.filter(has_text=SOURCE[lang]).first
    source.wait_for(timeout=REPLY_TIMEOUT_MS)
    assert source.locator("a").first.get_attribute("href") == PAGE_URL
    assert "](" not in source.inner_text()

    # The rating buttons: quick replies on the message that asks for them, titles shown, payloads not.
    replies = page.locator(".rw-replies .rw-reply")
    replies.first.wait_for(timeout=REPLY_TIMEOUT_MS)
    titles = replies.all_inner_texts()
    assert [title.split()[0] for title in titles] == ["👍", "👎"], titles
    assert all("/rate_answer" not in text for text in page.locator(".rw-messages-container").all_inner_texts())
    screenshot(page, f"rasa-webchat-{lang}")
    replies.first.click()
    responses.filter(has_text=THANKS[lang]).last.wait_for(timeout=REPLY_TIMEOUT_MS)
    # The click is the visitor's reply (its title), and nothing went unrecognised.
    assert page.locator(".rw-client").last.inner_text().startswith("👍")
    texts = responses.all_inner_texts()
    assert not any(words in text for text in texts for words in NOT_UNDERSTOOD.values()), texts
