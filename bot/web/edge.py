"""Checks at the public edge, before a request reaches Rasa (bodies: ``bot.channels.bodies``)."""

from __future__ import annotations

import ipaddress
import math
import re
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Optional, Sequence, Union

from multidict import CIMultiDictProxy

from bot.channels import platforms
from bot.channels.bodies import Refusal
from bot.runtime.settings import ConfigError, Settings

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


class EdgeError(Refusal):
    """A request the edge refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str, retry_after: Optional[int] = None) -> None:
        super().__init__(status, message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limits:
    """The edge's limits; their defaults are the settings' (``bot.runtime.settings``), nowhere else."""

    max_message_chars: int
    max_body_bytes: int
    rate_per_minute: int
    burst: int
    background_rate_per_minute: int
    background_burst: int

    @classmethod
    def from_settings(cls, settings: Settings) -> "Limits":
        limits = cls(
            settings.web_max_message_chars,
            settings.web_max_body_bytes,
            settings.web_rate_per_minute,
            settings.web_burst,
            settings.web_background_rate_per_minute,
            settings.web_background_burst,
        )
        for name, value in vars(limits).items():
            if value <= 0:
                raise ConfigError(f"WEB_{name.upper()} must be above zero, not {value}")
        return limits


def parse_trusted_proxies(text: str) -> tuple[Network, ...]:
    """The proxies whose ``X-Forwarded-For`` the front believes: "10.0.0.0/8, 127.0.0.1"."""
    try:
        return tuple(ipaddress.ip_network(item.strip()) for item in text.split(",") if item.strip())
    except ValueError as error:
        raise ConfigError(f"WEB_TRUSTED_PROXIES must list addresses or networks: {error}") from None


def client_address(peer: Optional[str], forwarded_for: Sequence[str], trusted: tuple[Network, ...]) -> str:
    """The visitor's address: the peer, or the nearest hop that no trusted proxy vouches for.

    ``forwarded_for`` is every ``X-Forwarded-For`` header line, in order. Each
    proxy appends the address it saw, to the last line or as a line of its own
    (HAProxy's ``option forwardfor``), so all lines are read as one list, from
    the right, stopping at the first untrusted hop: whatever a visitor wrote
    into the header themselves is ignored.
    """
    address = peer or "unknown"
    hops = [hop.strip() for line in forwarded_for for hop in line.split(",") if hop.strip()]
    for hop in reversed(hops):
        ip = _ip(address)
        if ip is None or not any(ip in network for network in trusted) or _ip(hop) is None:
            break
        address = hop
    return address


def _ip(text: str) -> Optional[Union[ipaddress.IPv4Address, ipaddress.IPv6Address]]:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


class RateLimiter:
    """A token bucket per key: ``burst`` requests at once, ``rate_per_minute`` sustained.

    At most ``max_keys`` buckets are kept, least recently used first out, so
    memory is bounded and each request costs the same however many clients
    there are. A forgotten bucket starts full again: evicting one lets that
    client burst once more, which needs ``max_keys`` other clients in between.
    """

    MAX_KEYS = 100_000

    def __init__(
        self, rate_per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic, max_keys: int = MAX_KEYS
    ) -> None:
        self.rate = rate_per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        self.max_keys = max_keys
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str, cost: int = 1) -> float:
        """0 when a request of ``cost`` tokens may pass (and uses them), else seconds until it may."""
        now = self.clock()
        entry = self.buckets.get(key)
        if entry is None:
            tokens, since = self.burst, now
        else:
            tokens, since = entry
            self.buckets.move_to_end(key)
        tokens = min(self.burst, tokens + (now - since) * self.rate)
        wait = 0.0
        if tokens < cost:
            # More than a whole burst can never pass: wait as long as for a full bucket.
            wait = (min(float(cost), self.burst) - tokens) / self.rate
        else:
            tokens -= cost
        self.buckets[key] = (tokens, now)
        if len(self.buckets) > self.max_keys:
            self.buckets.popitem(last=False)
        return wait

    def __len__(self) -> int:
        return len(self.buckets)


def charge(limiter: RateLimiter, key: str, cost: int = 1) -> None:
    """Takes ``cost`` tokens from ``key``'s bucket of ``limiter``; 429 when it has not that many."""
    wait = limiter.take(key, cost)
    if wait:
        raise EdgeError(429, "too many requests; slow down", retry_after=math.ceil(wait))


def bucket_key(address: str) -> str:
    """The rate-limit key of a client address: IPv6 by its /64 (one subscriber's whole block), IPv4 as it is."""
    if ":" not in address:
        return address
    ip = _ip(address)
    if not isinstance(ip, ipaddress.IPv6Address):
        return address
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return f"{str(ipaddress.IPv6Address(int(ip) >> 64 << 64))}/64"


# The signature headers of the platforms' webhooks, each as its platform writes it (bot.channels.platforms).
# Anything else (non-ASCII, another length or alphabet) is refused here with
# 403, before a channel compares it with what it expects.
SIGNATURE_FORMATS: dict[str, dict[str, re.Pattern[str]]] = {
    platform.name: platform.signature_formats() for platform in platforms.PLATFORMS
}


def check_signature_headers(channel: str, headers: CIMultiDictProxy[str]) -> None:
    """403 for a platform's signature header that is present but not in its platform's format, or repeated."""
    for name, form in SIGNATURE_FORMATS.get(channel, {}).items():
        values = headers.getall(name, [])
        if len(values) > 1 or any(form.fullmatch(value) is None for value in values):
            raise EdgeError(403, f"malformed {name} header")
