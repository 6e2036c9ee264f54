"""What a short line of a schedule page is: a type label, an award badge, a room, a paragraph.

Pure predicates on one line of text, shared by every page grammar.
"""

from __future__ import annotations

import re

#: Slot types recognised on a line of their own before a title (case-insensitive).
SLOT_TYPES = frozenset(
    s.casefold()
    for s in (
        "Oral", "Spotlight", "Poster", "Break", "Q&A", "Live Q&A", "Invited Talk", "Keynote",
        "Talk", "Contributed Talk", "Lightning Talk", "Tutorial", "Workshop", "Panel",
        "Panel Discussion", "Opening Remarks", "Closing Remarks", "Remarks", "Social", "Lunch",
        "Coffee Break", "Demo", "Demonstration", "Competition", "Expo", "Town Hall",
        "Poster Session", "Oral Session", "Award", "Test of Time", "Plenary", "Discussion",
        "Affinity Event", "Invited Speaker", "Oral Presentation", "Spotlight Presentation",
    )
)

#: The last word of a type label ("Spotlight *Poster*", "Expo Talk *Panel*").
TYPE_HEADS = frozenset(
    """poster oral spotlight talk talks tutorial workshop panel competition demonstration demo
    social keynote session presentation remarks event break lunch reception discussion lecture
    symposium mentorship hackathon challenge expo plenary q&a meetup""".split()
)
#: Words a type label may start with ("*Affinity* Workshop", "*In-Person Oral* presentation").
TYPE_WORDS = TYPE_HEADS | frozenset(
    """invited affinity contributed lightning journal track position paper live opening closing
    industry sponsor creative ai datasets and benchmarks high school town test of time coffee
    main conference in-person virtual hybrid poster-session &""".split()
)
_AWARD_RE = re.compile(
    r"^(?:awards?\s+)?(?:outstanding|best|honou?rable|distinguished|test of time|runner[- ]up)\b"
    r"[\w\s,&'-]{0,60}?(?:\s*\|)?$",
    re.I,
)
#: A room with a poster position: ``Hall J (level 1) #302``, ``HALL A #2108``, ``#W-100``.
_POSITION_RE = re.compile(r"^(?:.{0,80}\s)?#[A-Za-z]{0,3}-?\d{1,5}$")
#: A sentence end: a word of two or more letters, then ". X" ("T. Q. Chen" has none).
_SENTENCE_BREAK_RE = re.compile(r"[a-z0-9)\]]{2}[.!?][\"”’)]?\s+[A-Z]")
#: Words that make a short line a room rather than a name ("West Exhibition Hall C").
ROOM_WORDS = frozenset(
    """hall halls room rooms ballroom auditorium exhibition exhibit virtual level floor theater theatre
    pavilion stage center centre salon suite lobby terrace annex building foyer meeting online zoom""".split()
)


def looks_like_room(text: str) -> bool:
    """Whether a short line names a room ("West Exhibition Hall C", "Virtual").

    >>> looks_like_room("West Exhibition Hall C"), looks_like_room("Hallie Chen")
    (True, False)
    """
    return len(text) <= 80 and any(w.strip("(),").casefold() in ROOM_WORDS for w in text.split())


def is_type_label(text: str) -> bool:
    """Whether a line is an event's type label rather than a title.

    >>> [is_type_label(t) for t in ("Spotlight Poster", "Expo Talk Panel", "Affinity Workshop", "Tutorial")]
    [True, True, True, True]
    >>> is_type_label("In-Person Oral presentation / top 5% paper")
    True
    >>> [is_type_label(t) for t in ("Poster Session 3", "Outstanding Paper", "Flow Matching Tutorial")]
    [False, False, False]
    """
    folded = text.casefold().strip()
    if folded in SLOT_TYPES:
        return True
    label = folded.split(" / ", 1)[0]
    words = label.split()
    if not 1 <= len(words) <= 5 or len(label) > 50 or label in {"session", "event", "talks"}:
        return False  # "Session" is the label above a session page's title
    return words[-1] in TYPE_HEADS and all(w in TYPE_WORDS for w in words)


def is_award(text: str) -> bool:
    """Whether a line is an award badge ("Outstanding Paper |"), never a title.

    >>> [is_award(t) for t in ("Outstanding Paper |", "award Outstanding Paper", "Best Paper Award")]
    [True, True, True]
    >>> is_award("Best Practices for Training Large Models on Small Clusters Without Pain")
    False
    """
    return len(text.split()) <= 6 and _AWARD_RE.match(text) is not None


def is_position_room(text: str) -> bool:
    """Whether a line is a room with a poster position (``East Exhibition Hall A-B #E-3009``).

    >>> [is_position_room(t) for t in ("Hall J (level 1) #302", "#W-100", "Ranking #1 Papers in 2020")]
    [True, True, False]
    """
    return _POSITION_RE.match(text) is not None


def is_prose(text: str) -> bool:
    """Whether a line is a paragraph (an abstract, a description), never a title or a room.

    >>> is_prose("Sparse Models: A Tale of Robustness, Fairness, and Performativity")
    False
    >>> is_prose("The tutorial targets a broad audience, and no prior knowledge is required.")
    True
    >>> is_prose("Ricky T. Q. Chen · Yaron Lipman · Heli Ben-Hamu")
    False
    """
    words = len(text.split())
    if len(text) >= 200 or len(_SENTENCE_BREAK_RE.findall(text[:400])) >= 2:
        return True
    return words >= 8 and text.endswith(".") and not text.endswith("et al.")


def is_author_bio(text: str, authors: tuple[str, ...] | frozenset[str]) -> bool:
    """Whether a line starts an author's biography block: "Ana Lima (University of X)".

    >>> is_author_bio("Ana Lima (Uni Porto)", ("Ana Lima", "Bo Chen")), is_author_bio("Ana Lima", ("Ana Lima",))
    (True, False)
    """
    return " (" in text and text.split(" (", 1)[0] in authors


