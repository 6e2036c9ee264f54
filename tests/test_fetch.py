"""calsync.fetch against a real local HTTP server (pytest-httpserver on 127.0.0.1).

requests is never patched: every request goes over a real socket. Only the
resolver (``socket.getaddrinfo``) is replaced, in the tests of names that would
need a DNS entry (a name pointing at the metadata address, DNS rebinding).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

from calsync.errors import CalsyncError, ConfigError
from calsync.fetch import (
    WELL_KNOWN_HOSTS,
    FetchError,
    FetchPolicy,
    FetchRefused,
    default_allow_hosts,
    fetch_page,
    make_session,
    parse_allow_hosts,
)


@pytest.fixture
def httpserver(httpserver_ipv4: HTTPServer) -> Iterator[HTTPServer]:
    """pytest-httpserver's server, bound to 127.0.0.1 (the plain fixture listens on "localhost")."""
    yield httpserver_ipv4
    httpserver_ipv4.clear()


def host_port(server: HTTPServer) -> str:
    return f"{server.host}:{server.port}"


def policy_for(server: HTTPServer, **kwargs: object) -> FetchPolicy:
    """A fast policy that allows exactly the test server."""
    kwargs.setdefault("allow_hosts", frozenset({host_port(server)}))
    kwargs.setdefault("backoff", 0.0)  # retries without sleeping (test_backoff_doubles measures it)
    kwargs.setdefault("connect_timeout", 2.0)
    kwargs.setdefault("read_timeout", 2.0)
    return FetchPolicy(**kwargs)  # type: ignore[arg-type]


def redirect(location: str, status: int = 302) -> Response:
    return Response("", status=status, headers={"Location": location})


def requests_seen(server: HTTPServer) -> int:
    return len(server.log)


# -- success and conditional requests -------------------------------------------


def test_200_returns_text_validators_and_sends_user_agent(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/schedule").respond_with_data(
        "Thu 21 July — Deep Learning",
        content_type="text/html; charset=utf-8",
        headers={"ETag": '"v1"', "Last-Modified": "Wed, 01 Jul 2026 10:00:00 GMT"},
    )
    result = fetch_page(httpserver.url_for("/schedule"), policy_for(httpserver))
    assert result.status == 200
    assert result.text == "Thu 21 July — Deep Learning"
    assert result.url == httpserver.url_for("/schedule")
    assert result.etag == '"v1"'
    assert result.last_modified == "Wed, 01 Jul 2026 10:00:00 GMT"
    assert result.content_type == "text/html; charset=utf-8"
    request, _ = httpserver.log[0]
    assert request.headers["User-Agent"].startswith("calsync/")
    assert "If-None-Match" not in request.headers


def test_decoding_uses_the_declared_charset_else_utf8(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/latin").respond_with_data(
        "Montréal".encode("latin-1"), content_type="text/plain; charset=ISO-8859-1"
    )
    # text/* without a charset: UTF-8 (not requests' ISO-8859-1 default), bad bytes replaced.
    httpserver.expect_request("/plain").respond_with_data(
        "Montréal ".encode() + b"\xff", content_type="text/plain"
    )
    policy = policy_for(httpserver)
    assert fetch_page(httpserver.url_for("/latin"), policy).text == "Montréal"
    assert fetch_page(httpserver.url_for("/plain"), policy).text == "Montréal \ufffd"


def test_conditional_request_gets_304(httpserver: HTTPServer) -> None:
    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response("page", headers={"ETag": '"v1"'})

    httpserver.expect_request("/page").respond_with_handler(handler)
    policy = policy_for(httpserver)
    first = fetch_page(httpserver.url_for("/page"), policy)
    assert (first.status, first.text, first.etag) == (200, "page", '"v1"')

    again = fetch_page(
        httpserver.url_for("/page"), policy, etag=first.etag, last_modified="Wed, 01 Jul 2026 10:00:00 GMT"
    )
    assert again.status == 304
    assert again.text is None
    assert again.etag == '"v1"'
    # The 304 carried no Last-Modified: the given one is kept.
    assert again.last_modified == "Wed, 01 Jul 2026 10:00:00 GMT"
    request, _ = httpserver.log[-1]
    assert request.headers["If-None-Match"] == '"v1"'
    assert request.headers["If-Modified-Since"] == "Wed, 01 Jul 2026 10:00:00 GMT"


def test_a_session_is_reused_across_fetches(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("A")
    httpserver.expect_request("/b").respond_with_data("B")
    policy = policy_for(httpserver)
    with make_session(policy) as session:
        assert session.headers["User-Agent"] == policy.user_agent
        assert fetch_page(httpserver.url_for("/a"), policy, session=session).text == "A"
        assert fetch_page(httpserver.url_for("/b"), policy, session=session).text == "B"


# -- retries ---------------------------------------------------------------------


def test_500_then_200_is_retried(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/flaky").respond_with_data("down", status=500)
    httpserver.expect_ordered_request("/flaky").respond_with_data("up")
    result = fetch_page(httpserver.url_for("/flaky"), policy_for(httpserver, retries=2))
    assert result.text == "up"
    assert requests_seen(httpserver) == 2


def test_persistent_500_fails_after_retries_plus_one_attempts(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/down").respond_with_data("down", status=503)
    with pytest.raises(FetchError) as info:
        fetch_page(httpserver.url_for("/down"), policy_for(httpserver, retries=2))
    assert not isinstance(info.value, FetchRefused)
    assert requests_seen(httpserver) == 3
    assert "HTTP 503" in str(info.value)
    assert "after 3 attempts" in str(info.value)
    assert httpserver.url_for("/down") in str(info.value)
    assert info.value.http_status == 503
    assert info.value.status == 502


def test_backoff_doubles(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/down").respond_with_data("down", status=500)
    start = time.monotonic()
    with pytest.raises(FetchError):
        fetch_page(httpserver.url_for("/down"), policy_for(httpserver, retries=2, backoff=0.1))
    assert time.monotonic() - start >= 0.1 + 0.2


def test_404_is_not_retried(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/missing").respond_with_data("no", status=404)
    with pytest.raises(FetchError) as info:
        fetch_page(httpserver.url_for("/missing"), policy_for(httpserver, retries=3))
    assert requests_seen(httpserver) == 1
    assert info.value.http_status == 404
    assert "404" in str(info.value)


def test_read_timeout_is_retried_then_fails(httpserver: HTTPServer) -> None:
    release = threading.Event()
    calls: list[float] = []

    def slow(request: Request) -> Response:
        calls.append(time.monotonic())
        release.wait(1.0)
        return Response("too late")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    start = time.monotonic()
    try:
        with pytest.raises(FetchError) as info:
            fetch_page(httpserver.url_for("/slow"), policy_for(httpserver, read_timeout=0.3, retries=1))
    finally:
        release.set()
    assert time.monotonic() - start < 3
    assert "timeout" in str(info.value)
    deadline = time.monotonic() + 2
    while len(calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(calls) == 2  # retries=1: two attempts


def test_connection_refused_is_retried_then_fails() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    policy = FetchPolicy(allow_hosts=frozenset({f"127.0.0.1:{port}"}), retries=1, backoff=0)
    with pytest.raises(FetchError, match="connection error.*after 2 attempts"):
        fetch_page(f"http://127.0.0.1:{port}/", policy)


# -- size cap --------------------------------------------------------------------


def test_content_length_over_the_cap_is_refused_unread(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/big").respond_with_data(b"x" * 50_000)
    with pytest.raises(FetchError, match=r"larger than 1000 bytes \(Content-Length: 50000\)"):
        fetch_page(httpserver.url_for("/big"), policy_for(httpserver, max_bytes=1000))
    assert requests_seen(httpserver) == 1  # not retried


def test_body_exactly_at_the_cap_is_accepted(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/fits").respond_with_data(b"x" * 1000)
    assert fetch_page(httpserver.url_for("/fits"), policy_for(httpserver, max_bytes=1000)).text == "x" * 1000


def test_chunked_body_over_the_cap_stops_early(httpserver: HTTPServer) -> None:
    total = 64 * 1024 * 1024
    produced = [0]
    finished = threading.Event()

    def endless(request: Request) -> Response:
        def chunks() -> Iterator[bytes]:
            try:
                block = b"y" * 16384
                while produced[0] < total:
                    produced[0] += len(block)
                    yield block
            finally:
                finished.set()

        return Response(chunks(), content_type="text/plain")  # no Content-Length: chunked

    httpserver.expect_request("/endless").respond_with_handler(endless)
    with pytest.raises(FetchError, match="larger than 100000 bytes") as info:
        fetch_page(httpserver.url_for("/endless"), policy_for(httpserver, max_bytes=100_000))
    assert "Content-Length" not in str(info.value)
    # The client hung up: the server's writes fail and the generator is closed long before its end.
    assert finished.wait(5)
    assert produced[0] < total


# -- redirects -------------------------------------------------------------------


def test_redirect_chain_within_the_server(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_response(redirect(httpserver.url_for("/b"), 301))
    httpserver.expect_request("/b").respond_with_response(redirect("/c?x=1", 307))  # relative
    httpserver.expect_request("/c").respond_with_response(redirect("d", 308))  # relative to /c
    httpserver.expect_request("/d").respond_with_data("arrived", headers={"ETag": '"d"'})
    result = fetch_page(httpserver.url_for("/a"), policy_for(httpserver, max_redirects=3))
    assert result.url == httpserver.url_for("/d")
    assert (result.status, result.text, result.etag) == (200, "arrived", '"d"')


def test_more_than_max_redirects_fails(httpserver: HTTPServer) -> None:
    for i in range(4):
        httpserver.expect_request(f"/r{i}").respond_with_response(redirect(f"/r{i + 1}"))
    httpserver.expect_request("/r4").respond_with_data("never")
    with pytest.raises(FetchError, match=r"too many redirects \(more than 3\)"):
        fetch_page(httpserver.url_for("/r0"), policy_for(httpserver, max_redirects=3))
    assert requests_seen(httpserver) == 4  # /r0 .. /r3; /r4 is never asked


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.1/",
        "http://localhost:{other}/",
        "http://{host}:{other}/",  # the same address on a port that is not listed
        "file:///etc/passwd",
        "gopher://{host}:{port}/",
    ],
)
def test_redirect_to_a_disallowed_target_is_refused(httpserver: HTTPServer, target: str) -> None:
    other = httpserver.port + 1 if httpserver.port < 65535 else httpserver.port - 1
    location = target.format(host=httpserver.host, port=httpserver.port, other=other)
    httpserver.expect_request("/go").respond_with_response(redirect(location))
    with pytest.raises(FetchRefused) as info:
        fetch_page(httpserver.url_for("/go"), policy_for(httpserver, retries=3))
    assert location in str(info.value)
    assert requests_seen(httpserver) == 1  # refusals are not retried


def test_redirect_to_a_listed_name_resolving_to_metadata_is_refused(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The address check runs on every hop, before any connection is attempted."""
    real_getaddrinfo = socket.getaddrinfo

    def fake_getaddrinfo(host: str, port: object, *args: object, **kwargs: object) -> list:
        if host == "metadata.calsync.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", port))]
        return real_getaddrinfo(host, port, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    connects: list[object] = []
    real_connect = socket.socket.connect
    monkeypatch.setattr(
        socket.socket, "connect", lambda self, addr: (connects.append(addr), real_connect(self, addr))[1]
    )
    httpserver.expect_request("/go").respond_with_response(redirect("http://metadata.calsync.test/latest/meta-data"))
    policy = policy_for(httpserver, allow_hosts=frozenset({host_port(httpserver), "metadata.calsync.test"}))
    with pytest.raises(FetchRefused, match="link-local address 169.254.169.254"):
        fetch_page(httpserver.url_for("/go"), policy)
    assert all(addr[0] != "169.254.169.254" for addr in connects)  # type: ignore[index]


# -- refusals before any request -------------------------------------------------


def test_host_not_listed_is_refused(httpserver: HTTPServer) -> None:
    policy = policy_for(httpserver, allow_hosts=frozenset({"icml.cc"}))
    with pytest.raises(FetchRefused, match=r"is not in the allow-list \(fetch.allow_hosts / CALSYNC_FETCH_ALLOW_HOSTS\)"):
        fetch_page(httpserver.url_for("/"), policy)
    assert requests_seen(httpserver) == 0


def test_empty_allow_list_refuses_everything() -> None:
    with pytest.raises(FetchRefused, match="not in the allow-list"):
        fetch_page("https://icml.cc/virtual/2026/calendar", FetchPolicy())


def test_host_without_port_allows_only_the_default_port(httpserver: HTTPServer) -> None:
    with pytest.raises(FetchRefused, match="not in the allow-list"):
        fetch_page(httpserver.url_for("/"), policy_for(httpserver, allow_hosts=frozenset({httpserver.host})))


@pytest.mark.parametrize("url", ["ftp://icml.cc/schedule.txt", "file:///etc/passwd", "javascript:alert(1)", "icml.cc/x"])
def test_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(FetchRefused, match="only http and https"):
        fetch_page(url, FetchPolicy(allow_hosts=frozenset({"icml.cc"})))


def test_same_server_by_name_without_its_address_listed_is_refused(httpserver: HTTPServer) -> None:
    """``localhost:<port>`` is listed, but the loopback address it resolves to is not."""
    url = f"http://localhost:{httpserver.port}/page"
    httpserver.expect_request("/page").respond_with_data("private")
    policy = policy_for(httpserver, allow_hosts=frozenset({f"localhost:{httpserver.port}"}))
    with pytest.raises(FetchRefused, match="loopback") as info:
        fetch_page(url, policy)
    assert info.value.status == 403
    assert isinstance(info.value, CalsyncError)
    assert requests_seen(httpserver) == 0


def test_name_is_allowed_when_its_address_is_listed_too(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/page").respond_with_data("ok")
    policy = policy_for(
        httpserver, allow_hosts=frozenset({f"localhost:{httpserver.port}", "127.0.0.1", "::1"})
    )
    assert fetch_page(f"http://localhost:{httpserver.port}/page", policy).text == "ok"


def test_numeric_host_names_are_judged_by_address() -> None:
    # 167772161 == 10.0.0.1: listed as a name, it is still a private address.
    with pytest.raises(FetchRefused, match="private address 10.0.0.1"):
        fetch_page("http://167772161/", FetchPolicy(allow_hosts=frozenset({"167772161"})))


def test_dns_rebinding_is_caught_at_connect_time(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The name is public when checked and loopback when connecting: the connection refuses."""
    real_getaddrinfo = socket.getaddrinfo
    answers = iter(["93.184.216.34", "127.0.0.1"])

    def rebinding(host: str, port: object, *args: object, **kwargs: object) -> list:
        if host == "rebind.calsync.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers, "127.0.0.1"), port))]
        return real_getaddrinfo(host, port, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    httpserver.expect_request("/").respond_with_data("internal")
    policy = policy_for(httpserver, allow_hosts=frozenset({f"rebind.calsync.test:{httpserver.port}"}))
    with pytest.raises(FetchRefused, match="loopback address 127.0.0.1") as info:
        fetch_page(f"http://rebind.calsync.test:{httpserver.port}/", policy)
    assert f"rebind.calsync.test:{httpserver.port}" in str(info.value)
    assert requests_seen(httpserver) == 0


def test_https_to_a_plain_http_port_is_a_tls_error_not_retried(httpserver: HTTPServer) -> None:
    """The guarded HTTPS connection connects, then the handshake fails cleanly."""
    with pytest.raises(FetchError, match="TLS error") as info:
        fetch_page(f"https://{host_port(httpserver)}/", policy_for(httpserver, retries=3))
    assert not isinstance(info.value, FetchRefused)


# -- allow-list helpers ----------------------------------------------------------


def test_parse_allow_hosts() -> None:
    assert parse_allow_hosts("a.org, 127.0.0.1:8080") == {"a.org", "127.0.0.1:8080"}
    assert parse_allow_hosts("ICML.cc\n  www.icml.cc:8443 [::1]:8000 ::1") == {
        "icml.cc",
        "www.icml.cc:8443",
        "[::1]:8000",
        "::1",
    }
    assert parse_allow_hosts(" , ") == frozenset()


@pytest.mark.parametrize(
    "text",
    ["https://icml.cc", "icml.cc/path", "*.icml.cc", "a.org:0", "a.org:70000", "a.org:http", "bad host!", "[::1"],
)
def test_parse_allow_hosts_rejects(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_allow_hosts(text)


def test_default_allow_hosts() -> None:
    hosts = default_allow_hosts(
        ["https://ICML.cc/virtual/2026/calendar", "http://schedule.example.org:8080/day1", "pages/local.html"],
        extra=["127.0.0.1:9000"],
    )
    assert WELL_KNOWN_HOSTS <= hosts
    assert {"icml.cc", "schedule.example.org:8080", "127.0.0.1:9000"} <= hosts
    assert "pages" not in hosts
    assert {"neurips.cc", "iclr.cc", "nips.cc", "www.icml.cc"} <= WELL_KNOWN_HOSTS


def test_policy_validates() -> None:
    assert FetchPolicy(allow_hosts=frozenset({"A.org"})).allow_hosts == {"a.org"}
    assert FetchPolicy().user_agent.startswith("calsync/")
    with pytest.raises(ConfigError):
        FetchPolicy(max_bytes=0)
    with pytest.raises(ConfigError):
        FetchPolicy(allow_hosts="a.org")  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        FetchPolicy(read_timeout=0)

