"""Import a whole conference from a site's published data: time, writes and memory.

Generates a data file of N records (``gen_site_data.py``, default 6,000, with its abstracts
file), then runs ``calsync import FILE --conference bench-site`` twice, each in a fresh
subprocess on one SQLite file in a temporary directory:

1. into the fresh database (every talk new);
2. again, unchanged (the talks must not be written: 0 new, 0 changed, and no new rows in
   ``talk_changes``).

Each run reports the wall time of ``calsync.cli.main`` inside the process (not the
interpreter's start) and the process's peak RSS (``resource.getrusage``). Targets: the
first import < 10 s, peak RSS < 300 MB, zero talk writes on the re-import; ``--check``
exits 1 when one is missed.

    .venv/bin/python bench/bench_site_import.py [--records 6000] [--check]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_site_data  # noqa: E402

IMPORT_SECONDS = 10.0
PEAK_RSS_MB = 300.0
URL = "https://icml.cc/static/virtual/data/icml-2025-orals-posters.json"


def child(data: str, database: str) -> None:
    """One ``calsync import`` in this process; prints a JSON line with its figures."""
    import io
    import resource
    from contextlib import redirect_stderr

    os.environ["CALSYNC_DATABASE_URL"] = database
    from calsync.cli import main

    err = io.StringIO()
    start = time.perf_counter()
    with redirect_stderr(err):
        code = main(["import", data, "--url", URL, "--conference", "bench-site"])
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    summary = next((line for line in err.getvalue().splitlines() if line.startswith("bench-site: ")), "")
    print(json.dumps({"code": code, "seconds": seconds, "peak_mb": peak_kb / 1024, "summary": summary}))


def run(data: Path, database: str) -> dict[str, object]:
    proc = subprocess.run([sys.executable, __file__, "--child", str(data), database],
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise SystemExit(f"import failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def changes(database: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database)
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM talk_changes")).scalar_one())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--child", nargs=2, metavar=("DATA", "DATABASE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0

    ok = True
    with tempfile.TemporaryDirectory(prefix="calsync-bench-site-") as tmp:
        data, companion = gen_site_data.write(Path(tmp), args.records, seed=args.seed)
        database = f"sqlite:///{Path(tmp) / 'bench.db'}"
        size = data.stat().st_size + (companion.stat().st_size if companion else 0)
        print(f"data: {args.records:,} records, {data.stat().st_size / 1e6:.1f} MB + abstracts "
              f"{(companion.stat().st_size if companion else 0) / 1e6:.1f} MB ({size / 1e6:.1f} MB)")

        first = run(data, database)
        print(f"import into a fresh database: {first['seconds']:.2f} s, peak RSS {first['peak_mb']:.0f} MB — {first['summary']}")
        ok &= float(first["seconds"]) < IMPORT_SECONDS and float(first["peak_mb"]) < PEAK_RSS_MB  # type: ignore[arg-type]

        written = changes(database)
        second = run(data, database)
        new_rows = changes(database) - written
        print(f"re-import, unchanged: {second['seconds']:.2f} s, peak RSS {second['peak_mb']:.0f} MB — {second['summary']}; "
              f"{new_rows} new talk_changes rows")
        m = re.search(r"(\d+) new, (\d+) changed, \d+ unchanged, (\d+) removed", str(second["summary"]))
        zero = m is not None and m.groups() == ("0", "0", "0") and new_rows == 0
        ok &= zero and float(second["peak_mb"]) < PEAK_RSS_MB  # type: ignore[arg-type]
    print(f"targets: import < {IMPORT_SECONDS:g} s, peak RSS < {PEAK_RSS_MB:g} MB, re-import writes no talk: "
          + ("met" if ok else "MISSED"))
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
