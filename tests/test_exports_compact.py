"""Compact descriptions (compact=1 feeds): short, no abstract, the same labels as the full ones."""

from __future__ import annotations

from test_exports import generated_conference, pairs, sample_schedule

from calsync.exports.compact import MAX_AUTHORS, compact_talk_description
from calsync.ical import FeedOptions, build_talk_description


def test_compact_lines_are_the_full_descriptions_lines_without_the_abstract() -> None:
    options = FeedOptions(abstracts=True)
    talks = pairs(sample_schedule())
    assert any(t.abstract for _, t in talks) and any(len(t.authors) > 1 for _, t in talks)
    for session, talk in talks:
        compact = compact_talk_description(talk, session)
        full = build_talk_description(talk, session, options)
        assert set(compact.splitlines()) <= set(full.splitlines()), talk.title  # nobody here has more than five authors
        if talk.abstract:
            assert talk.abstract not in compact and talk.abstract in full


def test_many_authors_become_et_al_and_descriptions_shrink() -> None:
    talks = pairs(generated_conference(sessions=50))
    for session, talk in talks:
        compact = compact_talk_description(talk, session)
        first = compact.splitlines()[0]
        if len(talk.authors) > MAX_AUTHORS:
            assert first == "Authors: " + ", ".join(talk.authors[:MAX_AUTHORS]) + " et al."
        elif talk.authors:
            assert first == "Authors: " + ", ".join(talk.authors)
    assert any(len(t.authors) > MAX_AUTHORS for _, t in talks)
    sample = pairs(sample_schedule())  # abstracts of a realistic length
    full = sum(len(build_talk_description(t, s, FeedOptions()).encode()) for s, t in sample)
    compact = sum(len(compact_talk_description(t, s).encode()) for s, t in sample)
    assert compact < 0.4 * full, (compact, full)


def test_only_web_links_are_written() -> None:
    session, talk = pairs(sample_schedule())[0]
    from dataclasses import replace

    bad = replace(talk, url="javascript:alert(1)")
    assert "javascript" not in compact_talk_description(bad, replace(session, source_url=None))
