"""Errors gunicorn answers before the app sees the request are JSON, not its HTML page."""

from __future__ import annotations

from pathlib import Path

import requests
from test_slow_clients import gunicorn


def test_a_request_line_too_long_and_headers_too_large_get_json(tmp_path: Path) -> None:
    with gunicorn(tmp_path) as url:
        long_line = requests.get(f"{url}/api/conferences?q={'x' * 9000}", timeout=10)
        assert long_line.status_code == 414
        assert long_line.headers["Content-Type"] == "application/json"
        assert long_line.json()["status"] == 414 and "too large" in long_line.json()["error"]
        big_header = requests.get(f"{url}/api/conferences", headers={"X-Big": "y" * 9000}, timeout=10)
        assert big_header.status_code in (400, 431)
        assert big_header.headers["Content-Type"] == "application/json"
        assert big_header.json()["status"] == big_header.status_code
        assert "<html" not in long_line.text + big_header.text
        assert requests.get(f"{url}/api/conferences", timeout=10).status_code == 200  # the worker still serves
