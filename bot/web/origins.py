"""Which other web origins may use the front, and which may frame the page.

A browser names the page that makes a request in its ``Origin`` header. The
chat page's own requests come from the front's origin; a site that embeds the
widget (``/widget.js``) or a socket.io widget talks from its own origin, which
must be listed in WEB_ALLOWED_ORIGINS. For listed origins only:

* the REST channel answers CORS preflights and carries the CORS headers
  (no credentials: the conversation is named by its random sender id, never
  by a cookie);
* socket.io handshakes, polling requests and websocket upgrades pass.

Any other origin gets 403. Requests without ``Origin`` (curl, servers,
platforms) are not a browser's and pass as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable, Mapping, Optional
from urllib.parse import urlsplit

from aiohttp import web

from bot.runtime.settings import Settings, parse_origins
from bot.web.edge import EdgeError

# Paths a page on another origin may call: the REST channel, "clear conversation", socket.io.
CORS_PATHS = ("/webhooks/rest/", "/webhooks/privacy/", "/socket.io/")
ALLOWED_METHODS = "GET, POST, OPTIONS"
ALLOWED_HEADERS = "Content-Type, Accept"
# How long a browser may reuse a preflight's answer, in seconds.
PREFLIGHT_MAX_AGE = "600"
# Where the middleware leaves the allowed origin of a cross-origin request.
CORS_ORIGIN = "cors_origin"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Origins:
    """The other origins allowed to call the front, and those allowed to frame its page."""

    allowed: frozenset[str] = frozenset()
    frame_ancestors: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> "Origins":
        return cls(
            frozenset(parse_origins(settings.web_allowed_origins, "WEB_ALLOWED_ORIGINS")),
            parse_origins(settings.web_frame_ancestors, "WEB_FRAME_ANCESTORS"),
        )

    def frame_headers(self, policy: str) -> dict[str, str]:
        """``policy`` (a Content-Security-Policy) with who may frame the page, and X-Frame-Options."""
        if not self.frame_ancestors:
            return {"Content-Security-Policy": f"{policy}; frame-ancestors 'none'", "X-Frame-Options": "DENY"}
        # X-Frame-Options cannot name other sites; browsers that know frame-ancestors ignore it.
        return {"Content-Security-Policy": f"{policy}; frame-ancestors {' '.join(self.frame_ancestors)}"}

    def verdict(self, request: web.Request) -> Optional[str]:
        """None for a request that is not cross-origin; the origin when it is allowed; else an EdgeError."""
        origin = request.headers.get("Origin")
        if origin is None or _same_origin(origin, request.host):
            return None
        if origin in self.allowed:
            return origin
        raise EdgeError(403, "this site is not allowed to use the assistant (WEB_ALLOWED_ORIGINS)")


def _same_origin(origin: str, host: str) -> bool:
    # The scheme is not compared: behind a TLS-terminating proxy the front itself is reached over http.
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and parts.netloc.lower() == host.lower()


def cors_headers(origin: str) -> Mapping[str, str]:
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


def preflight_headers(origin: str) -> Mapping[str, str]:
    return {
        **cors_headers(origin),
        "Access-Control-Allow-Methods": ALLOWED_METHODS,
        "Access-Control-Allow-Headers": ALLOWED_HEADERS,
        "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
    }


def middleware(origins: Origins) -> Callable:
    """Checks ``Origin`` on the paths other sites may call; answers their preflights.

    Must sit inside the middleware that turns an ``EdgeError`` into a response.
    """

    @web.middleware
    async def check_origin(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(CORS_PATHS):
            return await handler(request)
        origin = origins.verdict(request)
        if origin is None:
            return await handler(request)
        if request.method == "OPTIONS":
            return web.Response(status=204, headers=preflight_headers(origin))
        request[CORS_ORIGIN] = origin
        return await handler(request)

    return check_origin


async def add_cors_headers(request: web.Request, response: web.StreamResponse) -> None:
    """On every answer to an allowed origin, refusals (429, 413, ...) included, so its page can read them."""
    origin = request.get(CORS_ORIGIN)
    if origin:
        response.headers.update(cors_headers(origin))
