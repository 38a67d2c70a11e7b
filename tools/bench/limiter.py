"""``python -m tools.bench.limiter``: the rate limiter's cost per request with 100 to 1,000,000 clients.

Every size is measured in the same run and given as a ratio to the 100-client
table, which holds on a noisy, shared machine where absolute figures do not.
With 1,000,000 clients the table stays at its 100,000-bucket bound and every
request also evicts one.
"""

from __future__ import annotations

import ipaddress
import random
import time

from bot.web.edge import RateLimiter, bucket_key

REQUESTS = 200_000


def addresses(count: int) -> list[str]:
    """``count`` clients, half IPv4 and half IPv6 (each its own /64)."""
    base6 = int(ipaddress.IPv6Address("2001:db8::"))
    return [
        str(ipaddress.IPv4Address(0x0A000000 + i)) if i % 2 else str(ipaddress.IPv6Address(base6 + (i << 64) + 1))
        for i in range(count)
    ]


def cost_per_request(clients: int, requests: int = REQUESTS) -> float:
    """Microseconds per request (key derivation and bucket) once ``clients`` buckets are held."""
    limiter = RateLimiter(rate_per_minute=30, burst=20)
    pool = addresses(clients)
    for address in pool:
        limiter.take(bucket_key(address))
    order = [random.choice(pool) for _ in range(requests)]
    started = time.perf_counter()
    for address in order:
        limiter.take(bucket_key(address))
    return (time.perf_counter() - started) / requests * 1e6


def main() -> None:
    reference = cost_per_request(100)
    print(f"rate limiter, {REQUESTS:,} requests from random clients of a pool:")
    print(f"  {100:>9,} clients: {reference:6.2f} us/request (reference)")
    for clients in (10_000, 100_000, 1_000_000):
        cost = cost_per_request(clients)
        print(f"  {clients:>9,} clients: {cost:6.2f} us/request, {cost / reference:.2f}x the reference")


if __name__ == "__main__":
    main()
