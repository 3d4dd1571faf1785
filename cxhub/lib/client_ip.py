"""The client's real address, for every limit that counts per address (login lockouts, the token
endpoint's throttle, share links).

`X-Forwarded-For` is trusted only from the proxies named in CXHUB_TRUSTED_PROXIES (addresses or
networks): walking it from the right, the first address that is not one of ours is the client. Without
trusted proxies, or from anyone else, it is ignored, so a client cannot choose the address it is
counted under by sending the header itself.
"""

import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest

type Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if not _is_trusted(remote):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed(hops):
        if _parsed(hop) is None:
            return remote  # garbage in the header: count the proxy, not a name the client made up
        if not _is_trusted(hop):
            return hop
    return remote


def _is_trusted(address: str) -> bool:
    parsed = _parsed(address)
    return parsed is not None and any(parsed in network for network in _trusted(tuple(settings.CXHUB_TRUSTED_PROXIES)))


def _parsed(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None


@cache
def _trusted(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
