"""Where a form may send the person back to: only a path on this site (no open redirects)."""

from django.utils.http import url_has_allowed_host_and_scheme


def local(url: str | None, fallback: str = "") -> str:
    """`url` if it is a path on this site, else `fallback`."""
    if url and url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return url
    return fallback
