"""Parse time grows linearly with a page's size, up to 5 MB (the fetch size cap).

Hypothesis draws the shape of a slot (time style, type label, title, authors and their
separator, abstract length) or of a pathological long line; the same shape is repeated
to 50 KB, 500 KB and 5 MB, and the time per byte at 5 MB must stay within
:data:`FACTOR` of the time per byte at 50 KB — a ratio, never an absolute time, so a
slow machine passes and a quadratic step fails (it would cost ~100× per byte).
The whole module takes about 15 s (two session shapes, three long lines).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calsync.errors import ParseError
from calsync.parse import PageOptions, parse_page

SIZES = (50_000, 500_000, 5_000_000)
#: Time per byte at 5 MB may be at most this many times that at 50 KB.
FACTOR = 3.0
OPTIONS = PageOptions(year=2023, timezone="America/Los_Angeles")
SETTINGS = settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Time lines of one slot number ``i`` (minutes cycle within a valid hour).
TIME_STYLES: dict[str, Callable[[int], str]] = {
    "24-hour": lambda i: f"Tue 18 July {9 + i % 8}:{i % 50:02d} - {9 + i % 8}:{i % 50 + 5:02d} PDT",
    "12-hour each": lambda i: f"Tue 18 Jul {1 + i % 8}:{i % 50:02d} p.m. PDT — {1 + i % 8}:{i % 50 + 5:02d} p.m. PDT",
    "old style": lambda i: f"Tue Jul 18 {1 + i % 8:02d}:{i % 50:02d} PM -- {1 + i % 8:02d}:{i % 50 + 5:02d} PM (PDT) @ Hall A",
}
WORDS = ("Sparse", "Invented", "Calendars", "Learning", "Robust", "Deep", "Scaling", "Flows", "Kernels")
SENTENCE = "We study how parsers scale with the size of the page and find that they scale linearly. "


def _grow(head: str, unit: Callable[[int], str], size: int) -> str:
    parts, length, i = [head], len(head), 0
    while length < size:
        part = unit(i)
        parts.append(part)
        length += len(part)
        i += 1
    return "".join(parts)


def _seconds(text: str, repeats: int) -> float:
    """The fastest of ``repeats`` parses (an error is a result too: its time counts)."""
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        try:
            parse_page(text, OPTIONS)
        except ParseError:
            pass
        best = min(best, time.perf_counter() - start)
    return best


def _per_byte(make: Callable[[int], str]) -> list[float]:
    """Seconds per byte at each size (the small sizes timed several times: less noise)."""
    out = []
    for size, repeats in zip(SIZES, (7, 3, 1), strict=True):
        text = make(size)
        out.append(_seconds(text, repeats) / len(text))
    return out


def _assert_linear(per_byte: list[float], what: str) -> None:
    small, _, large = per_byte
    assert large <= FACTOR * small, (
        f"{what}: {large * 1e6:.3f} µs/byte at 5 MB vs {small * 1e6:.3f} µs/byte at 50 KB "
        f"(×{large / small:.1f}; at most ×{FACTOR})"
    )


@st.composite
def slot_shapes(draw: st.DrawFn) -> Callable[[int], str]:
    """One slot of a session page, as a function of its number."""
    when = TIME_STYLES[draw(st.sampled_from(sorted(TIME_STYLES)))]
    label = draw(st.sampled_from(["", "Oral\n", "Spotlight\n", "Poster\n", "Invited Talk\n"]))
    words = draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=12))
    sep = draw(st.sampled_from([" · ", " ⋅ "]))
    authors = sep.join(f"Author{k} Name{k}" for k in range(draw(st.integers(1, 8))))
    abstract = SENTENCE * draw(st.integers(0, 6))
    return lambda i: f"{when(i)}\n{label}{' '.join(words)} {i}\n{authors}\n{abstract}\n"


@settings(SETTINGS, max_examples=2)
@given(slot=slot_shapes(), shared=st.booleans())
def test_session_pages_parse_in_linear_time(slot: Callable[[int], str], shared: bool) -> None:
    if shared:  # a poster session: one range, children with positions
        head = "Poster Session\nPoster Session 1\nHall A\nTue 18 Jul 9 a.m. PDT — 11 a.m. PDT\n"

        def unit(i: int) -> str:
            return "Poster\n#" + str(i % 9000) + "\n" + slot(i).split("\n", 1)[1]
    else:
        head = "Session\nScaling Session\nRoom 1\nModerator: Ana Lima\n"
        unit = slot
    _assert_linear(_per_byte(lambda size: _grow(head, unit, size)), "session page" + (" (shared slot)" if shared else ""))


@SETTINGS
@given(unit=st.sampled_from(["a", "[ ", "Ana · ", "Thu 21 July ", "7:30 - ", "9 a.m. ", "[a](", "[1]a ", "(", "L1: ", "#"]))
def test_one_pathological_long_line_parses_in_linear_time(unit: str) -> None:
    head = "Session\nScaling Session\nTue 18 July 9:00 - 9:20 PDT\nA talk\n"

    def page(size: int) -> str:
        return head + unit * ((size - len(head)) // len(unit)) + "\n"

    _assert_linear(_per_byte(page), f"a long line of {unit!r}")
