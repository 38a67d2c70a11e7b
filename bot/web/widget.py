"""The chat page and the widget script as the front serves them.

Both are the static files with the retention period written in. The widget,
``/widget.js``, is chat.js (the page's chat) followed by launcher.js (the
launcher and panel in a shadow root), in one function scope so that nothing
leaks into the host page's globals.
"""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).with_name("static")
_RETENTION_ATTRIBUTE = re.compile(r'data-retention-days="\d*"')


def page(retention_days: int) -> str:
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    return _RETENTION_ATTRIBUTE.sub(f'data-retention-days="{retention_days}"', html, count=1)


def widget_script(retention_days: int) -> str:
    chat = (STATIC / "chat.js").read_text(encoding="utf-8")
    launcher = (STATIC / "launcher.js").read_text(encoding="utf-8")
    return (
        '"use strict";\n(() => {\n'
        f"const RETENTION_DAYS = {retention_days};\n"
        f"{chat}\n{launcher}\n"
        "})();\n"
    )
