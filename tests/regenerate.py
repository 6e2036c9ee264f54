"""Rewrite the expected JSON and golden .ics files from the fixture pages (and kinds/expected/).

Run by hand after a deliberate change of output (``.venv/bin/python tests/regenerate.py``),
then read the diff: these files are the reviewed truth the tests compare against.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from helpers import (
    ERROR_PAGES,
    FIXTURES,
    GOLDEN_OPTIONS,
    KINDS,
    PAGES,
    TODAY,
    golden_calendar,
    kind_result,
    parse_fixture,
)

from calsync.serialize import build_schedule_dict


def main() -> None:
    for page in sorted(PAGES.iterdir()):
        if page.suffix not in {".txt", ".html"} or page.name in ERROR_PAGES:
            continue
        schedule = parse_fixture(page.name)
        out = FIXTURES / "expected" / f"{page.stem}.json"
        out.write_text(json.dumps(build_schedule_dict(schedule), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        (FIXTURES / "golden" / f"{page.stem}.ics").write_bytes(golden_calendar(schedule))
        print("wrote", out.name, f"{page.stem}.ics")
    for page in sorted(KINDS.glob("*.txt")):  # text fixtures (saved HTML goes to the site readers)
        out = KINDS / "expected" / f"{page.stem}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(kind_result(page.name), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print("wrote kinds/expected/" + out.name)
    print(f"(reference date {TODAY}, options {GOLDEN_OPTIONS})")


if __name__ == "__main__":
    main()
