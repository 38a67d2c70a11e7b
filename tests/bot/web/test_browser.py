"""The chat page driven as a visitor would, in headless Chromium."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Iterator

import pytest

from bot.runtime.settings import Settings
from tests.conftest import LANGS
from tests.servers import LOGS
from tools.store import read_events, store_url

pytestmark = [pytest.mark.browser, pytest.mark.servers]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
REPLY_TIMEOUT_MS = 60_000
PAGE_URL = "https://www.norway.no/en/missions/UN/values-priorities/peace-stability-sec/"
CITATION = {
    "en": "Norway's government, “Peace, stability and security”, 2019",
    "es": "Gobierno de Noruega, «Paz, estabilidad y seguridad», 2019",
    "nb": "Norges regjering, «Fred, stabilitet og sikkerhet», 2019",
}
SOURCE = {"en": "Source:", "es": "Fuente:", "nb": "Kilde:"}
AIMS = {
    "en": ("What are Norway's aims?", "Source:"),
    "es": ("¿Cuáles son los objetivos de Noruega?", "Fuente:"),
    "nb": ("Hva er Norges mål?", "Kilde:"),
}
POLICE = {"en": "How many Norwegian police officers are in UN missions?",
          "es": "¿Cuántos policías noruegos hay en misiones de la ONU?",
          "nb": "Hvor mange norske politifolk er i FN-operasjoner?"}
HELLO = {"en": ("Hello", "Hello!"), "es": ("Hola", "¡Hola!"), "nb": ("Hei", "Hei!")}
SINCE_THEN = {"en": "Since then", "es": "Desde entonces", "nb": "Siden den gang"}
THANKS = {"en": "Thank you", "es": "Gracias", "nb": "Takk for at du sier fra"}
# The rating buttons' names: the words of the titles the assistant sends ("👍 Yes"), without the emoji.
RATING_NAMES = {"en": ("Yes", "No"), "es": ("Sí", "No"), "nb": ("Ja", "Nei")}
# axe-core's rules for WCAG 2.0 and 2.1, levels A and AA, and its best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        reason = "chromium not installed: browser tests SKIPPED; apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def visit(browser, stack):  # type: ignore[no-untyped-def]
    """``visit(locale, **context options)``: a fresh visitor on the chat page.

    No console errors are allowed (a Content-Security-Policy violation is one).
    """
    contexts, errors = [], []

    def open_page(locale: str, network_errors: bool = False, **options):  # type: ignore[no-untyped-def]
        context = browser.new_context(locale=locale, **options)
        contexts.append(context)
        page = context.new_page()

        def on_console(message) -> None:  # type: ignore[no-untyped-def]
            # Failed requests are logged by the browser itself when a test makes them fail.
            if message.type == "error" and not (network_errors and message.text.startswith("Failed to load resource")):
                errors.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(stack.url + "/")
        page.wait_for_selector("body.ready")
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert errors == [], errors


def bot_messages(page):  # type: ignore[no-untyped-def]
    return page.locator("#log li.from-bot")


def ask(page, text: str, expect: str) -> object:  # type: ignore[no-untyped-def]
    """Types ``text``, sends it with Enter, and waits for a new bot message containing ``expect``."""
    since = bot_messages(page).count()
    page.fill("#message", text)
    page.press("#message", "Enter")
    return wait_for_bot(page, expect, since)


def wait_for_bot(page, expect: str, since: int):  # type: ignore[no-untyped-def]
    """The last bot message containing ``expect``, once one after the first ``since`` does."""
    page.wait_for_function(
        """([since, expect]) => Array.from(document.querySelectorAll("#log li.from-bot"))
             .slice(since).some((item) => item.textContent.includes(expect))""",
        arg=[since, expect],
        timeout=REPLY_TIMEOUT_MS,
    )
    return bot_messages(page).filter(has_text=expect).last


def replies_since(page, since: int) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(bot_messages(page).all_inner_texts()[since:])


def count_bot_additions(page, root: str = "document") -> None:  # type: ignore[no-untyped-def]
    """From now on ``window.botAdditions`` counts the bot entries added to the log (``root`` holds it)."""
    page.evaluate(f"""() => {{
        window.botAdditions = 0;
        new MutationObserver((records) => {{
          for (const record of records) for (const node of record.addedNodes) {{
            if (node.classList && node.classList.contains("from-bot")) window.botAdditions += 1;
          }}
        }}).observe({root}.getElementById("log"), {{ childList: true }});
    }}""")


def assert_one_card(card, lang: str, sources: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Checks an answer's card: each paragraph with its citation right under it, the rating on
    the card as two drawn icons named in ``lang``, the suggestions as chips under the card.
    Returns the citations' links."""
    blocks = card.evaluate("""(item) => Array.from(item.querySelectorAll(".card-body .text > *"),
        (block) => ({ citation: block.classList.contains("citation"), tag: block.tagName,
                      links: Array.from(block.querySelectorAll("a"), (a) => a.href) }))""")
    citations = [i for i, block in enumerate(blocks) if block["citation"]]
    assert len(citations) == sources, blocks
    for index in citations:  # right under a paragraph (or a list) of the answer, with one link
        assert index > 0 and not blocks[index - 1]["citation"], blocks
        assert len(blocks[index]["links"]) == 1, blocks
    # A citation is small print under its paragraph.
    sizes = card.evaluate("""(item) => [".text > p:not(.citation)", ".text > .citation"].map(
        (selector) => parseFloat(getComputedStyle(item.querySelector(selector)).fontSize))""")
    assert sizes[1] < sizes[0], sizes

    ratings = card.locator(".card-body button.rating")
    assert ratings.count() == 2
    for button, name in zip(ratings.all(), RATING_NAMES[lang]):
        assert button.locator("svg").count() == 1 and button.text_content() == name  # no emoji glyph
    for name in RATING_NAMES[lang]:
        assert card.get_by_role("button", name=name, exact=True).count() == 1

    chips = card.locator(":scope > .buttons button.quick-reply")
    assert chips.count() >= 2 and card.locator(".card-body button.quick-reply").count() == 0
    # Measured together: the log may be scrolling.
    below = card.evaluate("""(item) => item.querySelector(":scope > .buttons").getBoundingClientRect().top
        >= item.querySelector(".card-body").getBoundingClientRect().bottom""")
    assert below is True
    return [link for block in blocks for link in block["links"]]


def screenshot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    LOGS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(LOGS / f"{name}.png"), full_page=True)


def test_a_visitor_talks_in_spanish_then_switches_to_english(visit) -> None:  # type: ignore[no-untyped-def]
    page = visit("es-ES")
    # The page follows the browser's language.
    assert page.get_attribute("html", "lang") == "es"
    assert page.get_attribute("button[data-lang='es']", "aria-pressed") == "true"
    assert page.inner_text("#send") == "Enviar"

    greeting = ask(page, "Hola", "¡Hola!")
    assert greeting.locator("button.quick-reply").count() >= 2

    since = bot_messages(page).count()
    answer = ask(page, "¿Cuántos soldados noruegos hay en misiones de la ONU?", "Fuente:")
    assert "45 efectivos militares" in replies_since(page, since)
    link = answer.locator("a").first
    assert re.match(r"https://", link.get_attribute("href") or "")
    assert link.get_attribute("rel") == "noopener noreferrer"

    # A button sends its payload and shows its title as the visitor's message.
    since = bot_messages(page).count()
    greeting.get_by_role("button", name="OTAN").click()
    page.locator("#log li.from-user", has_text="OTAN").wait_for()
    wait_for_bot(page, "Fuente:", since)
    assert "OTAN" in replies_since(page, since)
    assert "/ask_nato" not in page.inner_text("#log")
    screenshot(page, "browser-es")

    # The switch changes the page's words and the assistant's language.
    since = bot_messages(page).count()
    page.click("button[data-lang='en']")
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("#send") == "Send"
    wait_for_bot(page, "continue in English", since)
    ask(page, "What does Norway do about nuclear disarmament?", "Source:")
    # The conversation scrolls inside the page; the page itself does not grow.
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
    screenshot(page, "browser-en")


def test_english_browser_gets_english(visit) -> None:  # type: ignore[no-untyped-def]
    page = visit("en-US")
    assert page.get_attribute("button[data-lang='en']", "aria-pressed") == "true"
    ask(page, "How many Norwegian soldiers are in UN missions?", "Source:")


@pytest.mark.parametrize("locale", ["nb-NO", "nn-NO", "no"])
def test_a_norwegian_browser_gets_norwegian(visit, locale: str) -> None:  # type: ignore[no-untyped-def]
    page = visit(locale)
    assert page.get_attribute("html", "lang") == "nb"
    assert page.get_attribute("button[data-lang='nb']", "aria-pressed") == "true"
    assert page.get_attribute("#message", "placeholder") == "Skriv spørsmålet ditt …"
    ask(page, "hei", "Hei!")
    since = bot_messages(page).count()
    ask(page, "Hvor mange norske soldater er i FN-operasjoner?", "Kilde:")
    assert "om lag 45 militære" in replies_since(page, since)

    # The switch to English and back changes the page's words and the assistant's language.
    since = bot_messages(page).count()
    page.click("button[data-lang='en']")
    assert page.get_attribute("html", "lang") == "en"
    wait_for_bot(page, "continue in English", since)
    since = bot_messages(page).count()
    page.click("button[data-lang='nb']")
    assert page.get_attribute("html", "lang") == "nb"
    wait_for_bot(page, "Selvsagt, jeg fortsetter på norsk.", since)
    ask(page, "Hva betyr NATO for Norge?", "Kilde:")
    screenshot(page, f"browser-nb-{locale}")


def test_the_chat_works_from_the_keyboard_alone(visit) -> None:  # type: ignore[no-untyped-def]
    page = visit("en-GB")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")  # the skip link lands in the message box
    assert page.evaluate("document.activeElement.id") == "message"
    page.keyboard.type("Hello")
    page.keyboard.press("Enter")
    wait_for_bot(page, "Hello!", 0)
    # The suggestions come just before the message box.
    page.keyboard.press("Shift+Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "quick-reply"
    title = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    page.locator("#log li.from-user", has_text=title).wait_for()
    wait_for_bot(page, "Source:", 1)
    # Back through the answer from the message box: its source link is reached too.
    page.focus("#message")
    for _ in range(12):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.tagName") == "A":
            break
    assert page.evaluate("document.activeElement.href") == PAGE_URL
    # The language switch answers to the keyboard too.
    page.focus("button[data-lang='es']")
    page.keyboard.press("Space")
    assert page.get_attribute("html", "lang") == "es"


def live_region_of(page, text: str) -> dict:  # type: ignore[no-untyped-def]
    """What Chromium tells screen readers about the text ``text``: the live region it is in.

    The nearest ancestor in the accessibility tree with a ``live`` setting, its
    role and settings, and whether any node on the way is marked busy.
    """
    session = page.context.new_cdp_session(page)
    nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    by_id = {node["nodeId"]: node for node in nodes}
    node = next(n for n in nodes if n.get("role", {}).get("value") == "StaticText"
                and text in n.get("name", {}).get("value", ""))
    busy = False
    while node is not None:
        properties = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}
        busy = busy or bool(properties.get("busy"))
        if "live" in properties:
            return {"role": node["role"]["value"], "busy": busy, **properties}
        node = by_id.get(node.get("parentId"))
    return {"role": None, "busy": busy}


def test_replies_are_announced_and_typing_is_shown(visit) -> None:  # type: ignore[no-untyped-def]
    page = visit("en-GB")
    region = page.locator("#log-region")
    assert region.get_attribute("role") == "log" and region.get_attribute("aria-live") == "polite"
    page.evaluate(
        """() => {
          const typing = document.getElementById("typing");
          window.sawTyping = false;
          new MutationObserver(() => { if (!typing.hidden) window.sawTyping = true; })
            .observe(typing, { attributes: true });
        }"""
    )
    ask(page, "Hello", "Hello!")
    page.locator("#typing").wait_for(state="hidden")
    assert page.evaluate("window.sawTyping") is True
    # In Chromium's accessibility tree the new reply sits in the polite log, which announces
    # additions and is not held back as busy.
    announced = live_region_of(page, "I answer questions about Norway")
    assert announced["role"] == "log" and announced["live"] == "polite", announced
    assert "additions" in announced["relevant"] and announced["busy"] is False


@pytest.mark.parametrize("lang", LANGS)
def test_numbered_items_are_shown_as_a_list_and_the_source_as_a_link(visit, lang: str) -> None:  # type: ignore[no-untyped-def]
    page = visit(lang)
    question, marker = AIMS[lang]
    ask(page, question, marker)
    # REST replies come one paragraph a message: the list, then its source.
    items = page.locator("#log li.from-bot ol > li")
    assert items.count() == 5
    assert items.first.inner_text().startswith({"en": "maintain", "es": "mantener", "nb": "opprettholde"}[lang])
    assert "1." not in page.locator("#log ol").first.inner_text()  # the list numbers its items itself
    source = page.locator("#log li.from-bot a")
    assert source.count() == 1 and source.get_attribute("href") == PAGE_URL
    assert source.inner_text().startswith(CITATION[lang])
    assert "](" not in page.inner_text("#log")
    screenshot(page, f"browser-list-{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_a_closed_mission_shows_both_sources_with_their_dates(visit, lang: str) -> None:  # type: ignore[no-untyped-def]
    page = visit(lang)
    since = bot_messages(page).count()
    ask(page, "MINUSMA", SINCE_THEN[lang])
    links = page.locator("#log li.from-bot a")
    texts = [links.nth(i).inner_text() for i in range(links.count())]
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs[:2] == [PAGE_URL, "https://press.un.org/en/2023/sc15341.doc.htm"]
    assert texts[0].startswith(CITATION[lang])
    assert texts[1].startswith({"en": "United Nations, meetings coverage SC/15341, 30 June 2023",
                                "es": "Naciones Unidas, cobertura de reuniones SC/15341, 30 de junio de 2023",
                                "nb": "De forente nasjoner, møtereferat SC/15341, 30. juni 2023"}[lang])
    assert {"en": "In 2019", "es": "En 2019", "nb": "I 2019"}[lang] in replies_since(page, since)


@pytest.mark.parametrize("lang", LANGS)
def test_an_answer_is_one_card_announced_once(visit, lang: str) -> None:  # type: ignore[no-untyped-def]
    page = visit(lang)
    count_bot_additions(page)
    ask(page, "MINUSMA", SINCE_THEN[lang])
    page.locator("#typing").wait_for(state="hidden")
    # The fact, its source, the dated update, its source, the rating and the suggestions: one entry.
    assert bot_messages(page).count() == 1 and page.evaluate("window.botAdditions") == 1
    links = assert_one_card(bot_messages(page).first, lang, sources=2)
    assert links == [PAGE_URL, "https://press.un.org/en/2023/sc15341.doc.htm"]
    assert live_region_of(page, "MINUSMA")["live"] == "polite"
    screenshot(page, f"browser-card-{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_an_answer_is_rated_from_the_keyboard(visit, lang: str) -> None:  # type: ignore[no-untyped-def]
    page = visit(lang)
    ask(page, POLICE[lang], SOURCE[lang])
    page.locator("#typing").wait_for(state="hidden")
    # Back from the message box, past the chips, to the card's rating buttons.
    page.focus("#message")
    for _ in range(12):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.className") == "rating":
            break
    assert page.evaluate("document.activeElement.textContent") == RATING_NAMES[lang][1]
    since = bot_messages(page).count()
    page.keyboard.press("Enter")
    wait_for_bot(page, THANKS[lang], since)
    # The visitor's rating shows as their own words, and the focus is back in the message box.
    assert page.locator("#log li.from-user .text").last.inner_text() == RATING_NAMES[lang][1]
    assert page.evaluate("document.activeElement.id") == "message"


@pytest.mark.parametrize("locale,scheme", [("en-GB", "light"), ("es-ES", "dark"), ("nb-NO", "light"), ("nb-NO", "dark")])
def test_no_accessibility_violations_after_a_conversation(visit, locale: str, scheme: str) -> None:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    page = visit(locale, color_scheme=scheme)
    lang = locale[:2]
    greeting = ask(page, *HELLO[lang])
    ask(page, *AIMS[lang])
    since = bot_messages(page).count()
    greeting.locator("button.quick-reply").first.click()
    wait_for_bot(page, AIMS[lang][1], since)
    page.locator("#typing").wait_for(state="hidden")
    assert page.locator("#log button.rating").count() >= 2  # the cards' icon buttons are checked too
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    violations = [(v["id"], v["impact"], [n["html"][:120] for n in v["nodes"]]) for v in results.response["violations"]]
    screenshot(page, f"axe-{locale}-{scheme}")
    assert violations == [], violations


def test_bot_text_is_shown_as_text_and_only_web_links_are_links(visit) -> None:  # type: ignore[no-untyped-def]
    page = visit("en-GB")
    hostile = [
        {"text": "<img src=x onerror=\"document.body.dataset.pwned=1\"> see javascript:alert(1) "
                 "and https://www.regjeringen.no/en/id4/ now."},
        {"text": "Pick one", "buttons": [{"title": "<b>bold</b>", "payload": "/greet"}]},
    ]
    page.route(
        "**/webhooks/rest/webhook",
        lambda route: route.fulfill(status=200, content_type="application/json", body=json.dumps(hostile)),
    )
    ask(page, "hi", "Pick one")
    assert page.locator("#log img").count() == 0 and page.locator("#log b").count() == 0
    assert page.evaluate("document.body.dataset.pwned") is None
    assert "<img src=x" in page.inner_text("#log")
    hrefs = page.eval_on_selector_all("#log a", "links => links.map(a => a.getAttribute('href'))")
    assert hrefs == ["https://www.regjeringen.no/en/id4/"]
    assert page.get_by_role("button", name="<b>bold</b>").count() == 1


@pytest.mark.parametrize("lang,status,expected", [
    ("en", None, "cannot be reached"),
    ("es", None, "No se puede contactar"),
    ("en", 502, "cannot be reached"),
    ("es", 429, "demasiado rápido"),
    ("en", 503, "temporarily unavailable"),
    ("es", 503, "no está disponible"),
    ("nb", None, "kan ikke nås"),
    ("nb", 429, "for raskt"),
    ("nb", 503, "midlertidig utilgjengelig"),
])
def test_a_clear_message_when_the_assistant_cannot_be_reached(visit, lang, status, expected) -> None:  # type: ignore[no-untyped-def]
    page = visit(lang, network_errors=True)
    if status is None:
        page.route("**/webhooks/rest/webhook", lambda route: route.abort("connectionrefused"))
    else:
        page.route(
            "**/webhooks/rest/webhook",
            lambda route: route.fulfill(status=status, content_type="application/json", body='{"error": "x"}'),
        )
    page.fill("#message", "hello")
    page.press("#message", "Enter")
    page.locator("#log li.notice", has_text=expected).wait_for(timeout=10_000)
    # Still usable: the next message can be typed.
    assert page.is_enabled("#message")


def test_the_page_fits_a_phone(visit) -> None:  # type: ignore[no-untyped-def]
    page = visit("es-ES", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, device_scale_factor=2)
    ask(page, "Hola", "¡Hola!")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = page.locator("#message").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 740
    send = page.locator("#send").bounding_box()
    assert send is not None and send["height"] >= 44  # a finger-sized target
    screenshot(page, "browser-phone")


@pytest.mark.parametrize("lang", LANGS)
def test_a_visitor_rates_an_answer_and_the_rating_is_kept(visit, lang: str) -> None:  # type: ignore[no-untyped-def]
    started = time.time()
    page = visit(lang)
    prompt = {"en": "Was this answer useful?", "es": "¿Le ha sido útil esta respuesta?", "nb": "Var dette svaret nyttig?"}[lang]
    ask(page, POLICE[lang], prompt)
    rating = bot_messages(page).filter(has_text=prompt).last
    since = bot_messages(page).count()
    rating.get_by_role("button", name=RATING_NAMES[lang][1], exact=True).click()
    wait_for_bot(page, THANKS[lang], since)
    # A rating counts once: the card's rating buttons are spent, the chosen one marked.
    buttons = rating.locator("button.rating")
    assert buttons.count() == 2 and all(button.is_disabled() for button in buttons.all())
    assert buttons.last.get_attribute("aria-pressed") == "true"
    screenshot(page, f"browser-rating-{lang}")

    # Kept in the conversation, where `make report` finds it.
    ratings = [e for e in read_events(store_url(Settings()), since=started)
               if e.kind == "user" and e.data.get("text") == '/rate_answer{"rating": "down"}']
    assert ratings and ratings[-1].data["parse_data"]["intent"]["name"] == "rate_answer"
