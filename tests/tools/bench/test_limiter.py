"""The rate limiter's benchmark: its clients are distinct, half IPv4 and half IPv6, each its own bucket."""

from __future__ import annotations

import ipaddress

from bot.web.edge import bucket_key
from tools.bench.limiter import addresses, cost_per_request


def test_clients_are_distinct_and_of_both_families() -> None:
    pool = addresses(1000)
    versions = [ipaddress.ip_address(address).version for address in pool]
    assert versions.count(4) == versions.count(6) == 500
    # Each IPv6 client has a /64 of its own, so each is a bucket of its own.
    assert len({bucket_key(address) for address in pool}) == 1000


def test_a_cost_is_measured_per_request() -> None:
    assert cost_per_request(100, requests=1000) > 0
