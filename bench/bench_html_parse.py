"""Speed of reading a saved session page by its HTML structure (calsync.parse.sitehtml).

Target: the real ICML 2025 poster session page (736 KB, 232 posters) parses in under
0.5 s on one core. The real page is read from ``../shared/realpages/html/`` when it
exists; otherwise a page of the same shape with 232 generated cards is timed.

    .venv/bin/python bench/bench_html_parse.py            # prints the figures
    .venv/bin/python bench/bench_html_parse.py --check    # exits 1 when the target is missed

Figures: best and median of several runs of ``parse_page`` (structured reader, year
and zone resolution, display zone), and of building the BeautifulSoup tree alone
(``html.parser``), the floor of any reading of the page.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

from calsync.parse import PageOptions, parse_page
from calsync.parse.sitehtml.soup import make_soup

logger = logging.getLogger("bench_html_parse")

REAL = Path(__file__).resolve().parents[2] / "shared" / "realpages" / "html" / "icml2025_session_50259_poster_session_3_west.html"
TARGET_SECONDS = 0.5

_CARD = """
                <div class="track-schedule-card">
                    <div None  >
                        <div class="btn-spacer float-end track-pad" style="position:relative; top:-3px">
                            <div class="track-child-bookmark">
    <span id="bookmark-number-{n}" class="bump20 bookmark-cell fa-lg" title="Add / Remove Bookmark"
          onclick="toggle_bookmark(bookmark_id='bookmark-number-{n}', event_id='{event}', bookmark_event_number='1');">
                <i class="fa-bookmark fa-solid solid-bookmark" style="display:none;"></i>
                <i class="fa-bookmark fa-regular regular-bookmark" ></i>
    </span>
</div>
                            <br>
                                <div class="float-end small">
                                    Poster
                                </div>
                                <div class="small" title="Poster Position">#W-{n}</div>
                        </div>
                        <h5><strong><a href="/virtual/2025/poster/{event}">Generated Poster {n}: A Study of Synthetic Benchmarks</a></strong></h5>
                        <p class="text-muted">
                            Ana Lima &middot; Bo Chen &middot; Zoë Þórsdóttir &middot; Kofi Mensah-Arhin &middot; Wei Zhang
                        </p>
                    </div>
                    <div class="abstract">
                        <p>{abstract}</p>
                    </div>
                </div>
"""
_ABSTRACT = (
    "We study a synthetic problem with a long abstract, so that the cost of reading it is realistic; "
    "the method, which we call <strong>Benchmarked Learning</strong>, improves results by 3.2% on average. "
) * 8


def make_page(cards: int = 232) -> str:
    """A session page in the real page's shape with ``cards`` posters (about 3 KB each)."""
    header = """<!DOCTYPE html><html lang="en"><head><title>ICML 2025</title></head><body>
<div class="container"><div class="card-header">
<h3 class="text-center ">Poster Session</h3>
<h2 class="card-title main-title text-center">Generated Poster Session</h2>
<h5 class="text-center text-muted">West Exhibition Hall B2-B3</h5>
<div class="text-center"><div>Wed 16 Jul 11 a.m. PDT &mdash; 1:30 p.m. PDT
<span id="bookmark-number-0" class="bump20 " title="Add / Remove Bookmark"><span class="green">(Bookmark)</span></span></div></div>
</div></div><div class="container">"""
    body = "".join(_CARD.format(n=n, event=40000 + n, abstract=_ABSTRACT) for n in range(1, cards + 1))
    return header + body + "</div></body></html>"


def timings(func, runs: int) -> list[float]:
    """Wall-clock seconds of ``runs`` calls."""
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        out.append(time.perf_counter() - start)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the best parse exceeds the target")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)

    if REAL.exists():
        text, what = REAL.read_text(encoding="utf-8"), f"real page {REAL.name}"
        options = PageOptions(url="https://icml.cc/virtual/2025/session/50259")
    else:
        text, what = make_page(), "generated page (232 cards; the real page is not here)"
        options = PageOptions(url="https://icml.cc/virtual/2025/session/1")
    schedule = parse_page(text, options)  # warm-up, and a sanity check
    talks = sum(len(s.talks) for s in schedule.sessions)
    soup = timings(lambda: make_soup(text), args.runs)
    parse = timings(lambda: parse_page(text, options), args.runs)
    logger.info("%s: %d KB, %d talks", what, len(text.encode()) // 1024, talks)
    logger.info("soup alone (html.parser): best %.3f s, median %.3f s", min(soup), statistics.median(soup))
    logger.info("parse_page:               best %.3f s, median %.3f s (target < %.1f s)", min(parse), statistics.median(parse), TARGET_SECONDS)
    if args.check and min(parse) >= TARGET_SECONDS:
        logger.info("FAIL: parsing took %.3f s", min(parse))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
