"""The subscribe kit measures what each link subscribes to (real renders of the sample
conference, Flask's test client): Google gets the feed while it fits ``feed.google_max_bytes``,
then its compact variant, then one compact feed per day; Outlook and webcal keep the full feed.
The JSON API gives the same sizes, in the shape the OpenAPI document describes."""

from __future__ import annotations

from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
from helpers import make_test_config
from test_exports_web import CONF, new_feed

from calsync.config import FeedConfig
from calsync.links import google_subscribe_url, webcal_url
from calsync.openapi import openapi_document
from calsync.web import create_app

TALKS = f"{CONF}.ics?view=talks"


def client_with_limit(folder: Path, limit: int | None = None):
    """A test client of an app on its own SQLite file in ``folder`` (made), with ``feed.google_max_bytes``."""
    folder.mkdir(parents=True, exist_ok=True)
    feed = FeedConfig() if limit is None else FeedConfig(google_max_bytes=limit)
    return create_app(make_test_config(folder, feed=feed)).test_client()


def size_of(client, url: str) -> int:
    """Bytes of the feed at an absolute URL of the test client's service."""
    parts = urlsplit(url)
    response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert response.status_code == 200
    return len(response.data)


def kit_json(client, query: str = "view=talks") -> dict:
    response = client.get(f"/api{CONF}/kit?{query}")
    assert response.status_code == 200, response.data
    doc = openapi_document(version="test")
    schema = {**doc["components"]["schemas"]["Kit"], "$defs": doc["components"]["schemas"]}
    resolver_doc = {"components": doc["components"], **schema}
    jsonschema.validate(response.get_json(), resolver_doc)
    return response.get_json()


def sizes(tmp_path: Path) -> tuple[int, int]:
    client = client_with_limit(tmp_path / "measure")
    return len(client.get(TALKS).data), len(client.get(TALKS + "&compact=1").data)


def test_a_feed_that_fits_goes_to_google_as_it_is(client) -> None:
    kit = kit_json(client)
    full = f"http://localhost{TALKS}"
    assert kit["url"] == full and kit["google"] == google_subscribe_url(full) and kit["webcal"] == webcal_url(full)
    assert kit["google_plan"]["feed"] == "full" and kit["google_plan"]["compact"] is None and kit["warning"] is None
    assert kit["size_bytes"] == kit["google_plan"]["full"]["size_bytes"] == size_of(client, full)


def test_over_the_limit_google_gets_the_compact_variant(tmp_path: Path) -> None:
    full_size, compact_size = sizes(tmp_path)
    assert compact_size < full_size
    client = client_with_limit(tmp_path / "limited", (full_size + compact_size) // 2)
    kit = kit_json(client)
    plan = kit["google_plan"]
    compact_url = f"http://localhost{CONF}.ics?compact=1&view=talks"
    assert plan["feed"] == "compact" and plan["url"] == compact_url
    assert kit["google"] == google_subscribe_url(compact_url)
    assert plan["compact"]["size_bytes"] == size_of(client, compact_url) == compact_size <= plan["max_bytes"]
    assert plan["full"]["size_bytes"] == full_size > plan["max_bytes"]
    # Outlook, webcal and the feed URL keep the full feed
    assert kit["url"] == f"http://localhost{TALKS}" and kit["webcal"] == webcal_url(kit["url"])
    assert all("compact" not in link for link in kit["outlook"].values())
    assert "compact variant" in kit["warning"]
    html = unescape(client.get(f"{CONF}/kit?view=talks").get_data(as_text=True))
    assert google_subscribe_url(compact_url) in html and "compact variant" in html


def test_still_too_big_the_kit_offers_a_compact_feed_per_day(tmp_path: Path) -> None:
    full_size, compact_size = sizes(tmp_path)
    probe = client_with_limit(tmp_path / "probe", compact_size - 1)
    days = kit_json(probe)["google_plan"]["days"]
    assert len(days) >= 2
    day_sizes = [size_of(probe, d["url"]) for d in days]
    assert [d["size_bytes"] for d in days] == day_sizes and max(day_sizes) < compact_size
    client = client_with_limit(tmp_path / "fits", max(day_sizes))
    kit = kit_json(client)
    plan = kit["google_plan"]
    assert plan["feed"] == "days" and plan["url"] is None and kit["google"] is None
    assert all(d["fits"] and d["google"] == google_subscribe_url(d["url"]) and "compact=1" in d["url"] for d in plan["days"])
    assert [d["day"] for d in plan["days"]] == sorted(d["day"] for d in plan["days"])
    assert all(f"day={d['day']}" in d["url"] for d in plan["days"])
    assert "subscribe to one feed per day" in kit["warning"] and "Over the limit even alone" not in kit["warning"]
    html = unescape(client.get(f"{CONF}/kit?view=talks").get_data(as_text=True))
    assert "One compact feed per day" in html and "too big for it; subscribe per day" in html
    assert html.count('class="day-feed"') == len(plan["days"])
    # one day over the limit even alone: the kit says which
    biggest = max(plan["days"], key=lambda d: d["size_bytes"])
    tight = kit_json(client_with_limit(tmp_path / "tight", biggest["size_bytes"] - 1))
    over = [d for d in tight["google_plan"]["days"] if not d["fits"]]
    assert biggest["day"] in [d["day"] for d in over] and all(d["google"] is None for d in over)
    assert f"Over the limit even alone: {biggest['day']} ({biggest['size']})" in tight["warning"]


def test_a_day_filter_is_kept_as_the_only_day(tmp_path: Path) -> None:
    full_size, compact_size = sizes(tmp_path)
    day = kit_json(client_with_limit(tmp_path / "p", compact_size - 1))["google_plan"]["days"][0]["day"]
    kit = kit_json(client_with_limit(tmp_path / "one", 1), f"view=talks&day={day}")
    assert [d["day"] for d in kit["google_plan"]["days"]] == [day] and not kit["google_plan"]["days"][0]["fits"]


def test_a_custom_feeds_kit_points_google_at_its_compact_variant(tmp_path: Path) -> None:
    client = client_with_limit(tmp_path / "m")
    sessions = client.get(f"/api{CONF}/sessions").get_json()["sessions"]
    ids = [s["id"] for s in sessions]
    token = new_feed(client, session_ids=ids, view="talks")
    full_size, compact_size = len(client.get(f"/feeds/{token}.ics").data), len(client.get(f"/feeds/{token}.ics?compact=1").data)
    assert compact_size < full_size
    limited = client_with_limit(tmp_path / "l", (full_size + compact_size) // 2)
    token = new_feed(limited, session_ids=ids, view="talks")
    response = limited.get(f"/api/feeds/{token}/kit")
    assert response.status_code == 200
    kit = response.get_json()
    assert kit["google_plan"]["feed"] == "compact" and kit["google"] == google_subscribe_url(f"http://localhost/feeds/{token}.ics?compact=1")
    assert kit["google_plan"]["compact"]["size_bytes"] == compact_size and kit["url"] == f"http://localhost/feeds/{token}.ics"
    assert "compact variant" in unescape(limited.get(f"/feeds/{token}").get_data(as_text=True))


def test_the_programme_pages_kit_has_a_compact_option(client) -> None:
    html = client.get(f"{CONF}?compact=1").get_data(as_text=True)
    assert '<input type="checkbox" name="compact" value="1" checked>' in html
    assert f'value="http://localhost{CONF}.ics?compact=1"' in html
    assert '<input type="checkbox" name="compact" value="1">' in client.get(CONF).get_data(as_text=True)
