"""A generated 10,000-talk conference's subscribe kit points Google only at feeds of at most
``feed.google_max_bytes`` (1 MB), measured on real renders fetched through the app (slow:
several renders of 10,000 talks); and the compact variant passes icscheck."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from helpers import assert_icscheck_clean, make_test_config, run_icscheck
from test_exports import generated_conference

from calsync.web import create_app

SLUG = "gen-2026"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("kit10k")
    app = create_app(make_test_config(folder))
    store = app.extensions["calsync"]["store"]
    now = datetime.now(UTC)
    store.ensure_conference(SLUG, "Generated 2026", "America/Vancouver", 2026, now)
    store.import_schedule(SLUG, generated_conference(), now)
    return app.test_client()


def fetched_size(client, google_link: str) -> int:
    """The size of what a Google subscribe link subscribes to, fetched from the app."""
    target = parse_qs(urlsplit(google_link).query)["cid"][0]
    parts = urlsplit(target)
    response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert response.status_code == 200
    return len(response.data)


@pytest.mark.parametrize("query", ["", "view=talks", "view=both"])
def test_the_kit_points_google_only_at_feeds_under_1_mb(client, query: str) -> None:
    kit = client.get(f"/api/conferences/{SLUG}/kit?{query}").get_json()
    plan = kit["google_plan"]
    assert plan["max_bytes"] == 1_000_000
    assert plan["full"]["size_bytes"] > 1_000_000 and plan["feed"] in ("compact", "days")
    assert kit["warning"] and "Google Calendar" in kit["warning"]
    links = [kit["google"]] if kit["google"] else [d["google"] for d in plan["days"] if d["google"]]
    if not links:  # every day too big even compact (the talks view): the kit says so, day by day, and links nothing
        assert all(not d["fits"] and d["google"] is None for d in plan["days"]) and len(plan["days"]) == 5
        assert all(f"{d['day']} ({d['size']})" in kit["warning"] for d in plan["days"])
        assert "or make a personal feed" in kit["warning"]
    for link in links:
        assert fetched_size(client, link) <= 1_000_000
    if plan["feed"] == "days":
        assert len(plan["days"]) == 5 and kit["google"] is None
        over = [d["day"] for d in plan["days"] if not d["fits"]]
        assert all(d["size_bytes"] > 1_000_000 for d in plan["days"] if not d["fits"])
        if over:
            assert "Over the limit even alone: " + over[0] in kit["warning"]
    assert "compact" not in kit["url"] and "compact" not in kit["webcal"]  # webcal and Outlook keep the full feed
    html = client.get(f"/conferences/{SLUG}/kit?{query}").get_data(as_text=True)
    assert "compact" in html


def test_what_the_kit_gives_google_passes_icscheck(client, tmp_path: Path) -> None:
    """The compact feed the default kit gives Google (the whole conference or its first day) passes the six parsers."""
    kit = client.get(f"/api/conferences/{SLUG}/kit").get_json()
    link = kit["google"] or next(d["google"] for d in kit["google_plan"]["days"] if d["google"])
    target = urlsplit(parse_qs(urlsplit(link).query)["cid"][0])
    assert "compact=1" in target.query
    path = tmp_path / "google.ics"
    path.write_bytes(client.get(f"{target.path}?{target.query}").data)
    assert_icscheck_clean(run_icscheck(path))
