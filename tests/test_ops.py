"""Operations: /metrics (Prometheus text), /readyz, request log lines, ProxyFix."""

from __future__ import annotations

import logging
from pathlib import Path

from helpers import make_test_config
from prometheus_client.parser import text_string_to_metric_families

from calsync.web import SAMPLE_SLUG, create_app


def samples(text: str) -> dict[tuple[str, tuple], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def test_metrics_count_requests_and_renders(client) -> None:
    assert client.get(f"/conferences/{SAMPLE_SLUG}.ics").status_code == 200
    assert client.get(f"/conferences/{SAMPLE_SLUG}.ics").status_code == 200
    assert client.get("/conferences/nope.ics").status_code == 404
    response = client.get("/metrics")
    assert response.status_code == 200 and response.content_type.startswith("text/plain; version=0.0.4")
    found = samples(response.get_data(as_text=True))
    route = "/conferences/<id:slug>.ics"
    assert found[("calsync_requests_total", (("method", "GET"), ("route", route), ("status", "200")))] == 2
    assert found[("calsync_requests_total", (("method", "GET"), ("route", route), ("status", "404")))] == 1
    assert found[("calsync_feed_render_seconds_count", (("kind", "conference"),))] == 1  # the second was cached


def test_readyz_and_healthz(client) -> None:
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["ready"] is True
    assert ready.get_json()["store"]["database"] == "ok"
    assert client.get("/healthz").get_json()["status"] == "ok"


def test_readyz_fails_when_database_is_gone(tmp_path: Path) -> None:
    app = create_app(make_test_config(tmp_path))
    store = app.extensions["calsync"]["store"]
    store.engine.dispose()
    (tmp_path / "calsync.db").unlink()
    (tmp_path / "calsync.db").mkdir()  # now a directory: the database cannot be opened
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json()["ready"] is False
    health = app.test_client().get("/healthz")
    assert health.status_code == 503 and "Traceback" not in health.get_data(as_text=True)


def test_one_structured_log_line_per_request(client, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="calsync.web"):
        client.get(f"/conferences/{SAMPLE_SLUG}.ics?view=talks")
    (line,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("request ")]
    assert line.startswith('request method=GET path="/conferences/icil-2026.ics?view=talks" status=200 bytes=')
    assert ' feed="' in line and " ms=" in line


def test_proxy_fix_trusts_forwarded_for_only_when_configured(tmp_path: Path) -> None:
    """The per-client rate limit sees the client behind the proxy only with proxy_fix_hops."""
    from calsync.config import LimitsConfig

    limits = LimitsConfig(feed_creations_per_hour=1, cache_check_seconds=0)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    plain = create_app(make_test_config(tmp_path / "a", limits=limits)).test_client()
    fixed = create_app(make_test_config(tmp_path / "b", limits=limits, proxy_fix_hops=1)).test_client()
    talk = plain.get(f"/api/conferences/{SAMPLE_SLUG}/talks").get_json()["talks"][0]["id"]

    def create(client, address: str) -> int:
        return client.post("/api/feeds", json={"name": "x", "talk_ids": [talk]}, headers={"X-Forwarded-For": address}).status_code

    assert [create(plain, "203.0.113.1"), create(plain, "203.0.113.2")] == [201, 429]  # one client: the proxy
    assert [create(fixed, "203.0.113.1"), create(fixed, "203.0.113.2"), create(fixed, "203.0.113.2")] == [201, 201, 429]
