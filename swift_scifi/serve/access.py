"""Who may call the service: the API key, the Host and Origin a browser sends, and the body's media type.
Pure functions of the request headers; each refusal is a :class:`ServeError`.

Without an API key the service is safe from web pages and DNS rebinding because a request must name an
allowed Host (the bound address or a loopback name, or ``allowed_hosts``), may not come from a foreign
Origin (unless listed in ``cors_origins``) and must send ``Content-Type: application/json``, which a page
cannot send cross-origin without a CORS preflight that this service does not grant.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from urllib.parse import urlsplit

from .settings import LOOPBACK_HOSTS, ServeError, ServeSettings

WILDCARD_BINDS = ("0.0.0.0", "::", "")


def authorize(headers: Mapping[str, str], api_key: str | None) -> None:
    """401 unless ``Authorization: Bearer <api_key>`` (scheme in any case, RFC 7235); no key: anyone."""
    if not api_key:
        return
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else ""
    if not secrets.compare_digest(token.encode(), api_key.encode()):
        raise ServeError(401, "missing or wrong API key", "authentication_error")


def host_name(host: str) -> str:
    """``example.org:8100`` → ``example.org``; ``[::1]:8100`` → ``::1``; lower case."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def allowed_host_names(settings: ServeSettings) -> frozenset[str] | None:
    """The Host names accepted, or None for any: ``allowed_hosts`` if given; else, without a key, the
    bound address and the loopback names; else (a key and no list) any."""
    if settings.allowed_hosts:
        return frozenset(settings.allowed_hosts)
    if settings.api_key:
        return None
    bound = settings.bind_host.lower()
    return frozenset(LOOPBACK_HOSTS) | ({bound} if bound not in WILDCARD_BINDS else set())


def check_host(headers: Mapping[str, str], allowed: frozenset[str] | None) -> None:
    """400 when the Host header names a host not in ``allowed`` (DNS rebinding, a misdirected request)."""
    if allowed is None:
        return
    name = host_name(headers.get("host", ""))
    if name not in allowed:
        raise ServeError(400, f"Host {name!r} is not served here (see --allowed-host)", "invalid_host")


def check_origin(headers: Mapping[str, str], settings: ServeSettings) -> None:
    """403 for a browser request from a foreign Origin when no API key is set (CORS origins and the
    service's own origin are fine)."""
    origin = headers.get("origin")
    if settings.api_key or not origin or origin in settings.cors_origins:
        return
    if urlsplit(origin).netloc.lower() == headers.get("host", "").lower():
        return
    raise ServeError(403, f"requests from origin {origin!r} are not allowed", "forbidden_origin")


def require_json(headers: Mapping[str, str]) -> None:
    """415 unless ``Content-Type`` is ``application/json`` (parameters such as charset allowed)."""
    media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        raise ServeError(415, f"Content-Type must be application/json, got {media or 'none'!r}")
