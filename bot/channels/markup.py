"""The two bits of Markdown replies carry, rendered for each platform.

Replies (domain responses filled from the fact store) mark up only:

* a link, ``[text](https://...)``: the source citation;
* numbered list items, ``1. ...``, one a line.

The chat page renders them itself (``bot/web/static/chat.js``); REST and
socket.io clients get them as they are, which Markdown-aware widgets render.
Telegram gets HTML (its ``parse_mode``), Slack its own link syntax, and plain
platforms the link's text with its address after it. List items keep their
lines on every platform, which shows them as a list.

The replies to one question make one :class:`Card` (``card_of``): its
paragraphs, each citation line under the text it names, the rating (the
``/rate_answer`` buttons and their question) and the suggestions (other
buttons, with the words that introduce them), as the chat page groups them.
Each platform's output shows the card as one message of its own kind
(``bot.channels.telegram``, ``slack``, ``messenger``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

# The text may hold any character but "]"; the address is http(s) and has no spaces or ")".
LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")


def _render(text: str, escape: Callable[[str], str], link: Callable[[str, str], str]) -> str:
    """``text`` with each link made by ``link`` and everything else passed through ``escape``."""
    parts, last = [], 0
    for match in LINK.finditer(text):
        parts.append(escape(text[last:match.start()]))
        parts.append(link(match.group(1), match.group(2)))
        last = match.end()
    parts.append(escape(text[last:]))
    return "".join(parts)


def telegram_html(text: str) -> str:
    """For Telegram's ``parse_mode=HTML``: ``<a href="...">text</a>``, all else escaped."""
    return _render(
        text,
        lambda plain: html.escape(plain, quote=False),
        lambda label, url: f'<a href="{html.escape(url)}">{html.escape(label, quote=False)}</a>',
    )


def slack_escape(text: str) -> str:
    """Text Slack shows as it is: its control characters &, < and > escaped (api.slack.com/reference/surfaces/formatting)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_mrkdwn(text: str) -> str:
    """For Slack: ``<url|text>``, all else escaped."""
    return _render(text, slack_escape, lambda label, url: f"<{slack_escape(url)}|{slack_escape(label)}>")


def plain(text: str) -> str:
    """For platforms without links in text: "text: url", which they show as a link."""
    return _render(text, lambda plain_text: plain_text, lambda label, url: f"{label}: {url}")


# -- One answer, one card ------------------------------------------------------------------
#
# The replies to one question (the answer, a dated update, the rating prompt,
# suggestions) arrive as several bot messages. The chat page shows them as one
# card (``chat.js``); the platforms get their own equivalent, built from a
# :class:`Card` read the way the page reads them.

# A line that is only a short label and one link ("Source: [title](url)", "Fuente: ..."): a citation (as chat.js).
CITATION = re.compile(r"^[^\s\[\]:][^\[\]:\n]{0,24}:\s*\[[^\]\n]+\]\(https?://[^\s)]+\)\s*$")
# The payload of the rating buttons under an answer (``utter_rating_ask``).
RATING_PAYLOAD = "/rate_answer"
# What a card shows: text and buttons. A reply with anything else (an image, custom JSON) is sent as it is.
_OTHER_CONTENT = ("image", "attachment", "custom", "elements", "quick_replies")


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class ButtonGroup:
    """Buttons and the words that introduce them ("Was this answer useful?"), if any."""

    label: str
    buttons: Tuple[Button, ...]


@dataclass
class Card:
    """All the replies to one question: its paragraphs (Markdown), the rating, the suggestions."""

    paragraphs: List[str] = field(default_factory=list)
    rating: Optional[ButtonGroup] = None
    suggestions: List[ButtonGroup] = field(default_factory=list)

    def texts(self) -> List[str]:
        """Everything the card says, in order: its paragraphs, the rating's question, the suggestions' words."""
        groups = ([self.rating] if self.rating else []) + self.suggestions
        return self.paragraphs + [group.label for group in groups if group.label]

    def groups(self) -> List[ButtonGroup]:
        """The rating first, then the suggestions."""
        return ([self.rating] if self.rating else []) + self.suggestions

    def has_citation(self) -> bool:
        return any(CITATION.match(line) for text in self.paragraphs for line in text.splitlines())


def card_of(messages: Iterable[Dict[str, Any]]) -> Optional[Card]:
    """The card the bot messages of one turn make, as the chat page builds it; ``None`` if one holds more than text and buttons."""
    card = Card()
    for message in messages:
        if any(message.get(kind) for kind in _OTHER_CONTENT):
            return None
        text = message.get("text").strip() if isinstance(message.get("text"), str) else ""
        buttons = [
            Button(b["title"], b["payload"])
            for b in message.get("buttons") or []
            if isinstance(b, dict) and isinstance(b.get("title"), str) and isinstance(b.get("payload"), str)
        ]
        ratings = tuple(b for b in buttons if b.payload.startswith(RATING_PAYLOAD))
        others = tuple(b for b in buttons if not b.payload.startswith(RATING_PAYLOAD))
        if ratings:
            card.rating = ButtonGroup(text, ratings)
        elif others and card.paragraphs and text:
            # A later message's words introduce its buttons ("You can also ask about:").
            card.suggestions.append(ButtonGroup(text, others))
            continue
        elif text:
            card.paragraphs.append(text)
        if others:
            card.suggestions.append(ButtonGroup("", others))
    return card


def pieces(text: str) -> List[Tuple[bool, str]]:
    """``text`` as runs of lines: ``(True, line)`` for each citation line, ``(False, lines)`` for the text between."""
    runs: List[Tuple[bool, str]] = []
    between: List[str] = []
    for line in text.splitlines():
        if CITATION.match(line):
            if "".join(between).strip():
                runs.append((False, "\n".join(between).strip()))
            between = []
            runs.append((True, line.strip()))
        else:
            between.append(line)
    if "".join(between).strip():
        runs.append((False, "\n".join(between).strip()))
    return runs


def plain_card_text(text: str) -> str:
    """For platforms without links in text, in a card: a citation as its words, then its address on a line of its own."""
    lines = []
    for line in text.splitlines():
        if CITATION.match(line):
            lines.append(_render(line.strip(), lambda words: words, lambda label, url: f"{label}\n{url}"))
        else:
            lines.append(plain(line))
    return "\n".join(lines)


def chunks(texts: Sequence[str], limit: int, render: Callable[[str], str], joint: str = "\n\n") -> List[str]:
    """``texts`` rendered and joined by ``joint``, in as few pieces as keep each within ``limit`` characters.

    A text too long for one piece is parted between its lines, a line too long
    between its characters: the platforms refuse a longer message outright.
    """
    units: List[Tuple[str, str]] = []  # (rendered, what joins it to the one before)
    for text in texts:
        whole = render(text)
        if len(whole) <= limit:
            units.append((whole, joint))
            continue
        glue = joint
        for line in text.splitlines():
            shown = render(line)
            for start in range(0, max(len(shown), 1), limit):
                units.append((shown[start:start + limit], glue))
                glue = "\n"
    result: List[str] = []
    for piece, glue in units:
        if result and len(result[-1]) + len(glue) + len(piece) <= limit:
            result[-1] += glue + piece
        elif piece.strip():
            result.append(piece)
    return [piece.strip() for piece in result]
