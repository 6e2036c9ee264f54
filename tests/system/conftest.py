"""The slow end-to-end tests: gunicorn instances, the Docker image, a real browser, a whole
conference imported from a site's data, live feeds read by icscheck over HTTP. Every test here
is marked ``system``.

``python -m pytest`` (the README's command, ``.ci/run``) runs them with everything else;
``python -m pytest --ignore=tests/system`` (or ``-m "not system"``) is the fast suite.
Fixtures come from ``tests/conftest.py``, helpers from ``tests/helpers.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.system)
