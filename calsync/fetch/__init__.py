"""Fetch conference schedule pages by URL, safely (an SSRF-guarded HTTP GET).

Pages are fetched with :mod:`requests`, under a :class:`FetchPolicy`:

* only ``http`` and ``https``;
* only hosts in the allow-list (``"host"`` for the scheme's default port,
  ``"host:port"`` for any other port);
* every address a host resolves to must be public (not loopback, link-local,
  private, multicast, reserved or unspecified), unless that *address* is itself
  in the allow-list (``"127.0.0.1:8080"``, ``"10.0.0.5"``); a listed *name* that
  resolves to a private address is refused, so that a public name whose DNS
  points inside (by mistake or on purpose) cannot reach internal services;
* redirects are followed by hand and every hop is checked again;
* bodies are streamed and capped at ``max_bytes``;
* 5xx answers, timeouts and connection errors are retried with exponential
  backoff; 4xx answers and refusals are not;
* ``ETag`` / ``Last-Modified`` make conditional requests (``304`` → no body).

The address check runs twice: once before each request (a clear refusal, no
connection attempt) and again inside the connection that :func:`make_session`
sets up, on the very addresses the socket connects to, so that DNS answers that
change between the check and the connection (DNS rebinding) are caught too.
"""

from __future__ import annotations

from ..errors import FetchError, FetchRefused
from .client import FetchResult, fetch_page
from .guard import make_session
from .policy import WELL_KNOWN_HOSTS, FetchPolicy, default_allow_hosts, parse_allow_hosts

__all__ = [
    "WELL_KNOWN_HOSTS",
    "FetchError",
    "FetchPolicy",
    "FetchRefused",
    "FetchResult",
    "default_allow_hosts",
    "fetch_page",
    "make_session",
    "parse_allow_hosts",
]
