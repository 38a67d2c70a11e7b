"""The assistant on other sites, in headless Chromium: the widget, socket.io clients, privacy controls.

Another origin is another port: the tests serve a host site on a second local
port, listed in WEB_ALLOWED_ORIGINS (tests/bot/web/stack.py), and a stranger's site
on a third, not listed.
"""

from __future__ import annotations

import sqlite3
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator

import pytest

from bot.runtime.endpoints import conversations_db
from bot.runtime.settings import Settings
from tests.conftest import LANGS, require
from tests.bot.web.test_browser import (  # noqa: F401 (browser: a fixture)
    AIMS, AXE_TAGS, HELLO, PAGE_URL, POLICE, REPLY_TIMEOUT_MS, SOURCE, assert_one_card, browser, count_bot_additions,
    screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.servers]

SITE = Path(__file__).with_name("site")
SOCKETIO_CLIENT = Path(__file__).with_name("js") / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
CONVERSATIONS = conversations_db(Settings())
WIDGET = "norway-chat-widget"
# The host site's pages that embed the widget, by the locale their snippet gives it.
HOST_PAGE = {"es": "/", "nb": "/widget-nb.html"}


class SiteHandler(SimpleHTTPRequestHandler):
    """A plain web site: the pages of tests/bot/web/site with the assistant's address written in."""

    bot = ""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = self.path.split("?", 1)[0]
        if path == "/favicon.ico":
            self.send_response(204)
            return self.end_headers()
        if path == "/socket.io.min.js":
            return self.send(SOCKETIO_CLIENT.read_bytes(), "application/javascript")
        name = {"/": "widget.html"}.get(path, path.lstrip("/"))
        file = SITE / name
        if "/" in name or not file.is_file():
            return self.send_error(404)
        kind = {".html": "text/html", ".css": "text/css", ".js": "application/javascript"}[file.suffix]
        self.send(file.read_bytes().replace(b"BOT", self.bot.encode()), kind)

    def send(self, content: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        if kind == "text/html":
            # The policy docs/channels.md gives site owners (ws: for socket.io): the pages must work under it.
            websocket = self.bot.replace("http", "ws", 1)
            self.send_header("Content-Security-Policy", (
                f"default-src 'self'; script-src 'self' {self.bot}; style-src 'self' {self.bot}; "
                f"connect-src 'self' {self.bot} {websocket}"
            ))
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, *_: object) -> None:
        pass


def serve_site(port: int, bot: str) -> ThreadingHTTPServer:
    handler = type("Handler", (SiteHandler,), {"bot": bot})
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(SITE)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def sites(stack) -> Iterator[dict[str, str]]:  # type: ignore[no-untyped-def]
    """The allowed host site and a stranger's site, by name, as origins."""
    servers = {"site": serve_site(stack.site_port, stack.url), "stranger": serve_site(stack.stranger_port, stack.url)}
    yield {name: f"http://127.0.0.1:{server.server_port}" for name, server in servers.items()}
    for server in servers.values():
        server.shutdown()


@pytest.fixture
def open_page(browser) -> Iterator[Callable]:  # type: ignore[no-untyped-def]
    """``open_page(url, locale)``: a fresh visitor; no console error allowed (a CSP violation is one)."""
    contexts, errors = [], []

    def open_(url: str, locale: str = "es-ES", allow: tuple[str, ...] = (), **options):  # type: ignore[no-untyped-def]
        context = browser.new_context(locale=locale, **options)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and not m.text.startswith(allow) and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url)
        return page

    yield open_
    for context in contexts:
        context.close()
    assert errors == [], errors


def widget_page(open_page, sites):  # type: ignore[no-untyped-def]
    page = open_page(sites["site"] + "/")
    page.wait_for_selector(f"{WIDGET}[data-ready]", state="attached")
    return page


def in_widget(page, selector: str):  # type: ignore[no-untyped-def]
    # Playwright's CSS selectors go into open shadow roots.
    return page.locator(f"{WIDGET} {selector}")


def ask(page, text: str, expect: str, scope: str = WIDGET) -> str:  # type: ignore[no-untyped-def]
    """Types ``text`` in the chat, sends it with Enter; the new replies once one contains ``expect``."""
    replies = page.locator(f"{scope} #log li.from-bot")
    since = replies.count()
    page.locator(f"{scope} #message").fill(text)
    page.locator(f"{scope} #message").press("Enter")
    replies.nth(since).wait_for(timeout=REPLY_TIMEOUT_MS)
    page.locator(f"{scope} #log li.from-bot", has_text=expect).last.wait_for(timeout=REPLY_TIMEOUT_MS)
    page.locator(f"{scope} #typing").wait_for(state="hidden", timeout=REPLY_TIMEOUT_MS)
    return "\n".join(replies.all_inner_texts()[since:])


def stored_events(sender: str) -> int:
    with sqlite3.connect(CONVERSATIONS) as db:
        return db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]


def active_id(page) -> str:  # type: ignore[no-untyped-def]
    """The id of the focused element inside the widget."""
    return page.evaluate(f"document.querySelector('{WIDGET}').shadowRoot.activeElement?.id ?? ''")


def test_the_widget_on_another_site_holds_a_spanish_conversation(open_page, sites) -> None:  # type: ignore[no-untyped-def]
    page = widget_page(open_page, sites)
    launcher = in_widget(page, "#launcher")
    assert launcher.get_attribute("aria-label") == "Abrir el chat"
    assert in_widget(page, "#panel").is_hidden()

    # Keyboard only: the launcher follows the page's own controls, Enter opens, focus lands in the box.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert active_id(page) == "launcher"
    page.keyboard.press("Enter")
    assert in_widget(page, "#panel").is_visible() and active_id(page) == "message"
    assert launcher.get_attribute("aria-expanded") == "true"
    log = in_widget(page, "#log-region")
    assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"
    assert "30 días" in in_widget(page, ".privacy").inner_text()

    first = ask(page, "¿Cuántos policías noruegos hay en misiones de la ONU?", "Fuente:")
    assert "30 agentes de policía" in first
    follow_up = ask(page, "¿y en Chipre?", "Fuente:")
    assert "UNFICYP" in follow_up and "Chipre" in follow_up
    assert in_widget(page, "#send").inner_text() == "Enviar"
    screenshot(page, "widget-host-page")

    # Escape closes the panel and gives the focus back to the launcher.
    in_widget(page, "#message").press("Escape")
    assert in_widget(page, "#panel").is_hidden() and active_id(page) == "launcher"


def test_the_widget_on_another_site_holds_a_norwegian_conversation(open_page, sites) -> None:  # type: ignore[no-untyped-def]
    # A Norwegian site: the snippet of docs/channels.md with data-locale="nb".
    page = open_page(sites["site"] + HOST_PAGE["nb"], locale="nb-NO")
    page.wait_for_selector(f"{WIDGET}[data-ready]", state="attached")
    launcher = in_widget(page, "#launcher")
    assert launcher.get_attribute("aria-label") == "Åpne chatten"
    launcher.click()
    assert page.get_attribute(WIDGET, "lang") == "nb"
    assert "30 dager" in in_widget(page, ".privacy").inner_text()

    first = ask(page, "Hvor mange norske politifolk er i FN-operasjoner?", "Kilde:")
    assert "om lag 30 norske politifolk" in first
    follow_up = ask(page, "og på Kypros?", "Kilde:")
    assert "UNFICYP" in follow_up and "Kypros" in follow_up
    assert in_widget(page, "#title").inner_text() == "Norge: fred og sikkerhet"
    screenshot(page, "widget-host-page-nb")


@pytest.mark.parametrize("lang", LANGS)
def test_the_widget_shows_an_answer_as_one_card(open_page, sites, lang: str) -> None:  # type: ignore[no-untyped-def]
    page = widget_page(open_page, sites)
    in_widget(page, "#launcher").click()
    count_bot_additions(page, f"document.querySelector('{WIDGET}').shadowRoot")
    # The widget follows the language of the question.
    ask(page, POLICE[lang], SOURCE[lang])
    cards = in_widget(page, "#log li.from-bot")
    assert cards.count() == 1 and page.evaluate("window.botAdditions") == 1
    links = assert_one_card(cards.first, lang, sources=2)
    assert links[0] == PAGE_URL and links[1].startswith("https://")
    screenshot(page, f"widget-card-{lang}")
    cards.first.locator(".buttons").scroll_into_view_if_needed()
    screenshot(page, f"widget-card-{lang}-end")

    # A chip asks its question; its answer is the next card.
    cards.first.locator(".buttons button.quick-reply").first.click()
    cards.nth(1).wait_for(timeout=REPLY_TIMEOUT_MS)
    assert in_widget(page, "#log li.from-user").count() == 2


def test_the_host_pages_css_stays_out_and_ours_stays_in(open_page, sites) -> None:  # type: ignore[no-untyped-def]
    page = widget_page(open_page, sites)
    in_widget(page, "#launcher").click()
    style = page.evaluate(f"""() => {{
        const root = document.querySelector("{WIDGET}").shadowRoot;
        const css = (selector) => getComputedStyle(root.querySelector(selector));
        return {{
          sendBackground: css("#send").backgroundColor, sendFont: css("#send").fontFamily,
          textColor: css(".intro").color, inputSize: css("#message").fontSize,
          hostButton: getComputedStyle(document.getElementById("host-button")).backgroundColor,
        }};
    }}""")
    assert style["sendBackground"] == "rgb(0, 32, 91)"
    assert "Comic" not in style["sendFont"] and style["textColor"] != "rgb(208, 0, 111)"
    assert style["inputSize"] == "16px"  # the host's 10px root font size does not shrink it
    assert style["hostButton"] == "rgb(255, 255, 0)"  # and ours does not reach the host page


def test_the_widget_text_has_enough_contrast(open_page, sites) -> None:  # type: ignore[no-untyped-def]
    page = widget_page(open_page, sites)
    in_widget(page, "#launcher").click()
    ratios = page.evaluate(f"""() => {{
        const root = document.querySelector("{WIDGET}").shadowRoot;
        const rgb = (text) => text.match(/[\\d.]+/g).slice(0, 3).map(Number);
        const luminance = (c) => {{
          const [r, g, b] = c.map((v) => v / 255).map((v) => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        }};
        const ratio = (a, b) => {{
          const [x, y] = [luminance(rgb(a)), luminance(rgb(b))].sort((p, q) => q - p);
          return (x + 0.05) / (y + 0.05);
        }};
        const panel = getComputedStyle(root.querySelector("#panel")).backgroundColor;
        const pair = (selector, background) => {{
          const css = getComputedStyle(root.querySelector(selector));
          return ratio(css.color, background || css.backgroundColor);
        }};
        return {{
          send: pair("#send"), intro: pair(".intro", panel), privacy: pair(".privacy", panel),
          clear: pair("#clear", panel), title: pair("#title", panel),
        }};
    }}""")
    assert all(value >= 4.5 for value in ratios.values()), ratios


@pytest.mark.parametrize("locale, scheme", [("es-ES", "light"), ("es-ES", "dark"), ("nb-NO", "light"), ("nb-NO", "dark")])
def test_no_accessibility_violations_in_the_widget(open_page, sites, locale: str, scheme: str) -> None:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    # axe sets inline styles while it checks, which the host page's policy would report, and
    # reads stylesheets with XMLHttpRequest, which CORS refuses for ours (a browser needs no CORS for them).
    page = open_page(sites["site"] + HOST_PAGE[locale[:2]], locale=locale, color_scheme=scheme, bypass_csp=True,
                     allow=("Access to XMLHttpRequest", "Failed to load resource"))
    page.wait_for_selector(f"{WIDGET}[data-ready]", state="attached")
    in_widget(page, "#launcher").click()
    lang = locale[:2]
    ask(page, *HELLO[lang])
    # An answer with a list and its source: the widget renders both as the page does.
    ask(page, *AIMS[lang])
    assert in_widget(page, "#log li.from-bot ol > li").count() == 5
    assert in_widget(page, "#log li.from-bot a").last.get_attribute("href") == PAGE_URL
    results = Axe().run(page, context=WIDGET,
                        options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    violations = [(v["id"], v["impact"], [n["html"][:120] for n in v["nodes"]]) for v in results.response["violations"]]
    screenshot(page, f"axe-widget-{locale}-{scheme}")
    assert violations == [], violations


def test_clearing_deletes_the_conversation_from_the_store(open_page, sites) -> None:  # type: ignore[no-untyped-def]
    page = widget_page(open_page, sites)
    in_widget(page, "#launcher").click()
    ask(page, "Hola", "¡Hola!")
    sender = page.evaluate("sessionStorage.getItem('norway-chat.sender')")
    assert stored_events(f"rest:{sender}") > 0

    in_widget(page, "#clear").click()
    in_widget(page, "#status").filter(has_text="Se ha borrado la conversación").wait_for()
    assert stored_events(f"rest:{sender}") == 0
    assert in_widget(page, "#log li").count() == 0
    # The next message starts a new conversation.
    ask(page, "Hola", "¡Hola!")
    assert page.evaluate("sessionStorage.getItem('norway-chat.sender')") not in (None, sender)


def test_the_widget_labels_follow_the_conversations_language(open_page, sites) -> None:  # type: ignore[no-untyped-def]
    page = widget_page(open_page, sites)
    in_widget(page, "#launcher").click()
    assert in_widget(page, "#send").inner_text() == "Enviar"
    ask(page, "How many Norwegian soldiers are in UN missions?", "Source:")
    assert in_widget(page, "#send").inner_text() == "Send"
    assert in_widget(page, "#title").inner_text() == "Norway: peace and security"
    assert in_widget(page, "#message").get_attribute("placeholder") == "Type your question…"
    assert in_widget(page, "button[data-lang='en']").get_attribute("aria-pressed") == "true"
    assert page.get_attribute(WIDGET, "lang") == "en"
    # A Norwegian question turns the widget Norwegian.
    ask(page, "Hva gjør Norge for atomnedrustning?", "Kilde:")
    assert in_widget(page, "#title").inner_text() == "Norge: fred og sikkerhet"
    assert in_widget(page, "#message").get_attribute("placeholder") == "Skriv spørsmålet ditt …"
    assert in_widget(page, "button[data-lang='nb']").get_attribute("aria-pressed") == "true"
    assert page.get_attribute(WIDGET, "lang") == "nb"


def test_the_page_labels_follow_the_conversations_language(open_page, stack) -> None:  # type: ignore[no-untyped-def]
    page = open_page(stack.url + "/")
    page.wait_for_selector("body.ready")
    assert page.inner_text("#send") == "Enviar" and page.get_attribute("html", "lang") == "es"
    ask(page, "How many Norwegian soldiers are in UN missions?", "Source:", scope="body")
    assert page.inner_text("#send") == "Send" and page.get_attribute("html", "lang") == "en"
    assert page.title() == "Norway: peace and security — assistant"
    assert page.get_attribute("button[data-lang='en']", "aria-pressed") == "true"
    # A Norwegian question turns the page Norwegian.
    ask(page, "Hva gjør Norge for atomnedrustning?", "Kilde:", scope="body")
    assert page.get_attribute("html", "lang") == "nb" and page.title() == "Norge: fred og sikkerhet — assistent"
    assert page.get_attribute("button[data-lang='nb']", "aria-pressed") == "true"
    # And back: a Spanish question turns the page Spanish again.
    ask(page, "¿Qué hace Noruega por el desarme nuclear?", "Fuente:", scope="body")
    assert page.inner_text("#send") == "Enviar" and page.get_attribute("html", "lang") == "es"


@pytest.mark.parametrize("locale, kept, personal, deleted", [
    ("en-GB", "kept for 30 days", "personal data", "The conversation was deleted"),
    ("nb-NO", "lagres i 30 dager", "personopplysninger", "Samtalen er slettet"),
])
def test_the_page_shows_the_privacy_notice_and_clears(open_page, stack, locale, kept, personal, deleted) -> None:  # type: ignore[no-untyped-def]
    page = open_page(stack.url + "/", locale=locale)
    page.wait_for_selector("body.ready")
    assert kept in page.inner_text(".privacy") and personal in page.inner_text(".privacy")
    ask(page, *HELLO[locale[:2]], scope="body")
    sender = page.evaluate("sessionStorage.getItem('chat.sender')")
    assert stored_events(f"rest:{sender}") > 0
    page.click("#clear")
    page.locator("#status", has_text=deleted).wait_for()
    assert stored_events(f"rest:{sender}") == 0 and page.locator("#log li").count() == 0


@pytest.fixture(scope="module")
def socketio_client() -> Path:
    require(SOCKETIO_CLIENT.exists(), "the socket.io client (npm)",
            "`make test` installs it with npm ci --prefix tests/bot/web/js")
    return SOCKETIO_CLIENT


SOCKETIO_POLICE = {
    "en": ("How many Norwegian police officers are in UN missions?", "about 30 Norwegian police officers"),
    "es": ("¿Cuántos policías noruegos hay en misiones de la ONU?", "30 agentes de policía"),
    "nb": ("Hvor mange norske politifolk er i FN-operasjoner?", "om lag 30 norske politifolk"),
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("transports", [["polling", "websocket"], ["websocket"]])
def test_a_socketio_client_on_an_allowed_site_talks(open_page, sites, stack, socketio_client, transports, lang) -> None:  # type: ignore[no-untyped-def]
    page = open_page(sites["site"] + "/socketio.html")
    question, expected = SOCKETIO_POLICE[lang]
    marker = {"en": "Source", "es": "Fuente", "nb": "Kilde"}[lang]
    result = page.evaluate("([bot, question, transports, locale, marker]) => talk(bot, question, transports, locale, marker)",
                           [stack.url, question, transports, lang, marker])
    assert result["connected"] is True and not result.get("timedOut"), result
    texts = [reply.get("text", "") for reply in result["replies"]]
    assert any(expected in text for text in texts), texts
    assert all(reply.get("metadata", {}).get("language") == lang for reply in result["replies"])


@pytest.mark.parametrize("transports", [["polling", "websocket"], ["websocket"]])
def test_a_socketio_client_on_an_unlisted_site_is_refused(open_page, sites, stack, socketio_client, transports) -> None:  # type: ignore[no-untyped-def]
    # The browser logs the refused handshake itself.
    page = open_page(sites["stranger"] + "/socketio.html", allow=("Failed to load resource", "Access to XMLHttpRequest",
                                                                   "WebSocket connection"))
    result = page.evaluate("([bot, transports]) => talk(bot, 'hola', transports)", [stack.url, transports])
    assert result["connected"] is False and not result.get("replies"), result


def test_the_running_service_deletes_expired_conversations(stack) -> None:  # type: ignore[no-untyped-def]
    """The stack's Rasa server purged at start what tests/bot/web/stack.py had stored before it."""
    expired, recent = stack.seeded
    assert stored_events(expired) == 0
    assert stored_events(recent) > 0
