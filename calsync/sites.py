"""Whole conferences from the data the sites publish: where it lives, and every page of it.

The ICML / NeurIPS / ICLR "virtual" sites (and others on the same platform: MLSys, CVPR,
ECCV) publish their whole programme at
``https://<host>/static/virtual/data/<conf>-<year>-orals-posters.json``, a paged envelope
``{"count", "next", "previous", "results"}``, and newer years the abstracts beside it in
``<conf>-<year>-abstracts.json``. This module

* tells a conference's home URL (``https://neurips.cc/virtual/2025/``, ``…/index.html``)
  and derives the data URL from it (``<conf>`` is the host's first label, ``nips`` read
  as ``neurips``, unless a ``site`` name is given — for mirrors and local servers);
* fetches a source (:func:`fetch_source`): a home URL becomes its data URL; data is
  followed through its ``next`` pages (at most :data:`MAX_PAGES`) and joined with the
  companion abstracts into one envelope, so that parsing, the content hash and the
  refresh see one document; any other page is returned as fetched;
* fills in the companion abstracts of a data *file* from its sibling file.

Every request goes through :func:`calsync.fetch.fetch_page` (allow-list, address guard,
size cap, retries). No Flask; the JSON shapes themselves are :mod:`calsync.parse.sitedata`.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests

from .errors import ConfigError, ParseError
from .fetch import FetchError, FetchPolicy, FetchResult, fetch_page, make_session
from .parse.sitedata import abstracts_mapping, combine_pages, load_json, with_abstracts
from .parse.year import year_from_url

log = logging.getLogger(__name__)

#: Most pages of one data file that are followed (a loop or a runaway server stops here).
MAX_PAGES = 100
#: Site names the hosts' first labels stand for.
SITE_ALIASES = {"nips": "neurips"}

_HOME_PATH_RE = re.compile(r"^/virtual/(?:19|20)\d\d/?(?:index\.html?)?$", re.I)
_DATA_NAME_RE = re.compile(r"^(?P<site>[a-z0-9][a-z0-9_-]*?)-(?P<year>(?:19|20)\d\d)-orals-posters\.json$", re.I)
_SITE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def is_home_url(url: str) -> bool:
    """Whether a URL is a conference's home on a virtual site (its whole programme).

    >>> is_home_url("https://neurips.cc/virtual/2025/index.html"), is_home_url("https://icml.cc/virtual/2025/")
    (True, True)
    >>> is_home_url("https://icml.cc/virtual/2025/session/50259"), is_home_url("pages/virtual/2025/")
    (False, False)
    """
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in ("http", "https") and bool(_HOME_PATH_RE.match(parts.path))


def is_data_url(url: str) -> bool:
    """Whether a URL (or path) names a ``<conf>-<year>-orals-posters.json`` file.

    >>> is_data_url("https://icml.cc/static/virtual/data/icml-2025-orals-posters.json")
    True
    >>> is_data_url("https://icml.cc/virtual/2025/")
    False
    """
    return bool(_DATA_NAME_RE.match(urlsplit(url.strip()).path.rsplit("/", 1)[-1]))


def check_site(site: str) -> str:
    """A ``--site`` / ``site`` name, lower-cased, or :class:`ConfigError`.

    >>> check_site("ICML")
    'icml'
    >>> check_site("icml.cc")
    Traceback (most recent call last):
    ...
    calsync.errors.ConfigError: site name 'icml.cc': use the data file's prefix, e.g. icml or neurips (letters, digits, '-', '_')
    """
    name = site.strip().lower()
    if not _SITE_RE.match(name):
        raise ConfigError(f"site name {site!r}: use the data file's prefix, e.g. icml or neurips (letters, digits, '-', '_')")
    return name


def site_name(url: str, site: str | None = None) -> str:
    """The ``<conf>`` of a site's data files: ``site`` when given, else the host's first label.

    >>> site_name("https://www.icml.cc/virtual/2025/"), site_name("https://nips.cc/virtual/2024/")
    ('icml', 'neurips')
    >>> site_name("http://127.0.0.1:8000/virtual/2025/", "icml")
    'icml'
    >>> site_name("http://127.0.0.1:8000/virtual/2025/")
    Traceback (most recent call last):
    ...
    calsync.errors.ConfigError: cannot tell the site's name from the host '127.0.0.1': pass --site NAME (e.g. icml) or set the conference's site
    """
    if site:
        return check_site(site)
    host = (urlsplit(url.strip()).hostname or "").rstrip(".").lower()
    try:
        ipaddress.ip_address(host)
        is_address = True
    except ValueError:
        is_address = False
    labels = [label for label in host.split(".") if label]
    if labels and labels[0] == "www":
        labels = labels[1:]
    if is_address or len(labels) < 2 or not _SITE_RE.match(labels[0]):
        raise ConfigError(
            f"cannot tell the site's name from the host {host!r}: pass --site NAME (e.g. icml) or set the conference's site"
        )
    return SITE_ALIASES.get(labels[0], labels[0])


def data_url(home_url: str, site: str | None = None) -> str:
    """The orals-posters data URL of a conference home URL.

    >>> data_url("https://neurips.cc/virtual/2025/index.html")
    'https://neurips.cc/static/virtual/data/neurips-2025-orals-posters.json'
    >>> data_url("http://127.0.0.1:8000/virtual/2025/", site="icml")
    'http://127.0.0.1:8000/static/virtual/data/icml-2025-orals-posters.json'
    """
    if not is_home_url(home_url):
        raise ConfigError(f"not a conference home URL (/virtual/<year>/): {home_url}")
    parts = urlsplit(home_url.strip())
    year = year_from_url(home_url)
    name = f"{site_name(home_url, site)}-{year}-orals-posters.json"
    return urlunsplit((parts.scheme.lower(), parts.netloc, f"/static/virtual/data/{name}", "", ""))


def abstracts_url(data: str) -> str | None:
    """The companion abstracts URL of an orals-posters data URL (``None`` for other URLs).

    >>> abstracts_url("https://icml.cc/static/virtual/data/icml-2025-orals-posters.json?v=2")
    'https://icml.cc/static/virtual/data/icml-2025-abstracts.json'
    >>> abstracts_url("https://icml.cc/virtual/2025/") is None
    True
    """
    parts = urlsplit(data.strip())
    folder, _, name = parts.path.rpartition("/")
    m = _DATA_NAME_RE.match(name)
    if m is None:
        return None
    return urlunsplit((parts.scheme, parts.netloc, f"{folder}/{m['site']}-{m['year']}-abstracts.json", "", ""))


def source_url(url: str, site: str | None = None) -> str:
    """What a source URL is fetched as: a home URL's data URL, any other URL itself.

    >>> source_url("https://iclr.cc/virtual/2025/")
    'https://iclr.cc/static/virtual/data/iclr-2025-orals-posters.json'
    >>> source_url("https://iclr.cc/virtual/2025/session/1")
    'https://iclr.cc/virtual/2025/session/1'
    """
    return data_url(url, site) if is_home_url(url) else url


def data_policy(policy: FetchPolicy, max_data_bytes: int | None) -> FetchPolicy:
    """The policy for whole-conference data files: the larger of the two size caps.

    >>> data_policy(FetchPolicy(max_bytes=10), 50).max_bytes, data_policy(FetchPolicy(max_bytes=10), None).max_bytes
    (50, 10)
    """
    if max_data_bytes is None or max_data_bytes <= policy.max_bytes:
        return policy
    return replace(policy, max_bytes=max_data_bytes)


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def fetch_source(
    url: str,
    policy: FetchPolicy,
    *,
    site: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    session: requests.Session | None = None,
    max_data_bytes: int | None = None,
    max_pages: int = MAX_PAGES,
) -> FetchResult:
    """Fetch a source: a page as it is, or a site's data with all its pages and abstracts.

    A home URL is fetched as its data URL (:func:`source_url`). The first request is
    conditional (``etag``/``last_modified``): a 304 means the data is unchanged. When
    the answer is orals-posters data, its ``next`` pages (absolute or relative) are
    fetched too and the records joined, in order, with the companion abstracts filled
    in, into one envelope (the result's ``text``); the validators are the first
    page's. Data files (home and ``*-orals-posters.json`` URLs, the next pages and the
    abstracts) may be as large as ``max_data_bytes`` when that is above the policy's cap.

    The abstracts file is optional: a 403/404/410 answer (or a body that is not an
    abstracts mapping) means none, logged. Other failures (5xx, timeouts) raise like a
    failed page, so that a refresh keeps the last good data rather than importing
    every talk without its abstract.

    Raises :class:`~calsync.fetch.FetchError` and :class:`~calsync.errors.ParseError`
    (data pages that are broken JSON or not envelopes, a ``next`` loop, more than
    ``max_pages`` pages).
    """
    target = source_url(url, site)
    own_session = session is None
    session = session or make_session(policy)
    big = data_policy(policy, max_data_bytes)
    try:
        first = fetch_page(
            target, big if is_home_url(url) or is_data_url(target) else policy,
            etag=etag, last_modified=last_modified, session=session,
        )
        if first.status == 304 or first.text is None:
            return first
        data = load_json(first.text, target)
        if not (isinstance(data, dict) and isinstance(data.get("results"), list)):
            return first  # a page, or data of another shape: parsed as it is
        pages = [data]
        current, seen = first.url, {first.url}
        while (following := pages[-1].get("next")) not in (None, ""):
            if not isinstance(following, str):
                raise ParseError(f"page {len(pages)} of the data has a 'next' that is not a URL: {following!r}", source=target)
            if len(pages) >= max_pages:
                raise ParseError(f"the data runs over more than {max_pages} pages: not imported", source=target)
            page_url = urljoin(current, following)
            if page_url in seen:
                raise ParseError(f"page {len(pages)} of the data points back to {page_url} as its next page", source=target)
            seen.add(page_url)
            page = fetch_page(page_url, big, session=session)
            decoded = load_json(page.text or "", page_url)
            if not (isinstance(decoded, dict) and isinstance(decoded.get("results"), list)):
                raise ParseError("not a page of the data (no 'results' list)", source=page_url)
            pages.append(decoded)
            current = page.url
        abstracts = _fetch_abstracts(target, big, session)
        combined = combine_pages(pages, abstracts)
        count = data.get("count")
        if isinstance(count, int) and count != combined["count"]:
            log.warning("%s: the data says it has %d records, its %d pages hold %d", target, count, len(pages), combined["count"])
        log.info("%s: %d pages, %d records, %d companion abstracts", target, len(pages), combined["count"], len(abstracts))
        return replace(first, text=_dump(combined), content_type="application/json")
    finally:
        if own_session:
            session.close()


def _fetch_abstracts(target: str, policy: FetchPolicy, session: requests.Session) -> dict[str, str]:
    """The companion abstracts of a data URL, or ``{}`` when the site publishes none."""
    url = abstracts_url(target)
    if url is None:
        return {}
    try:
        result = fetch_page(url, policy, session=session)
    except FetchError as exc:
        if exc.http_status in (403, 404, 410):
            log.info("no companion abstracts at %s (HTTP %s): abstracts come from the records only", url, exc.http_status)
            return {}
        raise
    try:
        return abstracts_mapping(load_json(result.text or "", url), url)
    except ParseError as exc:
        log.warning("companion abstracts at %s ignored: %s", url, exc)
        return {}


def with_sibling_abstracts(path: Path, text: str) -> str:
    """A data file's text with its sibling ``<conf>-<year>-abstracts.json`` filled in, if there is one.

    Files of other names, and data without records, come back unchanged; an
    unreadable or malformed sibling is logged and ignored.
    """
    m = _DATA_NAME_RE.match(path.name)
    if m is None:
        return text
    sibling = path.with_name(f"{m['site']}-{m['year']}-abstracts.json")
    if not sibling.is_file():
        return text
    try:
        data = load_json(text, str(path))
    except ParseError:
        return text  # the parser reports it
    if data is None:
        return text
    try:
        abstracts = abstracts_mapping(load_json(sibling.read_bytes().decode("utf-8-sig", errors="replace"), str(sibling)), str(sibling))
    except (OSError, ParseError) as exc:
        log.warning("companion abstracts %s ignored: %s", sibling, exc)
        return text
    log.info("%s: %d companion abstracts from %s", path, len(abstracts), sibling.name)
    return _dump(with_abstracts(data, abstracts))
