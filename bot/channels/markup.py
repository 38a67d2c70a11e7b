"""The two bits of Markdown replies carry, rendered for each platform.

Replies (domain responses filled from the fact store) mark up only:

* a link, ``[text](https://...)``: the source citation;
* numbered list items, ``1. ...``, one a line.

The chat page renders them itself (``bot/web/static/chat.js``); REST and
socket.io clients get them as they are, which Markdown-aware widgets render.
Telegram gets HTML (its ``parse_mode``), Slack its own link syntax, and plain
platforms the link's text with its address after it. List items keep their
lines on every platform, which shows them as a list.
"""

from __future__ import annotations

import html
import re
from typing import Callable

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
