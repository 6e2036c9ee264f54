"""Generate a whole conference in the shape the virtual sites publish (invented text, deterministic).

Writes ``<site>-<year>-orals-posters.json`` (the envelope ``{"count", "next", "previous",
"results"}``) and, unless ``--inline-abstracts``, the companion
``<site>-<year>-abstracts.json`` (``{"<id>": "..."}``) with the records' abstracts left empty,
as newer years do. The programme: three days; poster sessions of two halls sharing one
slot (every poster carries its session's slot and a position such as ``#E-1204``); oral
sessions of four rooms in parallel with 15-minute slots; a few invited talks without a
session; some posters shown a second time (``starttime2``/``endtime2``); some records
without a time and some hidden (``"visible": false``); HTML entities in names, institutions
and titles (``Texas A&amp;M``-like). The same arguments give the same bytes.

    .venv/bin/python bench/gen_site_data.py 6000 /tmp/data [--seed 7] [--site icml] [--year 2025]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

FIRST_NAMES = ["Ana", "Bo", "Chiara", "Dmitri", "Ebele", "Farid", "Greta", "Hiro", "Ines", "Jun", "Kalani",
               "Lior", "Mele", "Nadia", "Oskar", "Priya", "Quang", "Rosa", "Sione", "Tariq", "Ulla", "Vikram",
               "Wen", "Ximena", "Yusuf", "Zo&euml;", "Ren&eacute;", "J&oslash;rgen", "Saoirse", "Thandiwe"]
LAST_NAMES = ["Lima", "Chen", "Rossi", "Volkov", "Okafor", "Haddad", "Lind", "Tanaka", "Duarte", "Park",
              "Akana", "Ben-Ami", "Fifita", "Karimi", "Berg", "Raman", "Nguyen", "Moreno", "Tupou", "Aziz",
              "Nieminen", "Sethi", "Liu", "Quispe", "Demir", "Marchetti", "M&uuml;ller", "Fj&aelig;ldstad",
              "O&#39;Brien", "Dlamini"]
INSTITUTIONS = ["Univ. of Sample &amp; Test", "Example Institute of Technology", "North Coast A&amp;M University",
                "Instituto de Ejemplos", "Placeholder Labs", "&Eacute;cole des Exemples", "Fictional College"]
WORDS = ["sparse", "widgets", "gradients", "transformers", "kernels", "diffusion", "agents", "graphs", "priors",
         "robust", "scalable", "causal", "federated", "contrastive", "bandits", "manifolds", "tokens", "optimal",
         "implicit", "equivariant", "latent", "spectral", "adaptive", "private", "memory", "reasoning"]
TOPICS = ["Deep Learning", "Optimization", "Theory", "Reinforcement Learning", "Probabilistic Methods",
          "Applications", "Social Aspects", "Computer Vision"]

DAYS = 3
POSTER_SLOTS = [("11:00", "13:30"), ("16:30", "19:00")]
ORAL_SLOTS = ["10:00", "15:30"]  # six 15-minute orals from each
ORAL_ROOMS = ["Ballroom A", "Ballroom B", "Room 301", "Room 302"]
HALLS = [("East Exhibition Hall A-B", "E"), ("West Exhibition Hall C", "W")]


def _title(rng: random.Random) -> str:
    words = rng.sample(WORDS, rng.randint(4, 8))
    title = " ".join(words).capitalize()
    kind = rng.random()
    if kind < 0.05:
        title += " &amp; Beyond"
    elif kind < 0.08:
        title = f"<i>{words[0].capitalize()}</i> " + " ".join(words[1:])
    return title


def _abstract(rng: random.Random) -> str:
    sentences = []
    for _ in range(rng.randint(6, 10)):
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 22)))
        sentences.append(sentence.capitalize() + ".")
    return " ".join(sentences)


def _authors(rng: random.Random, next_id: list[int]) -> list[dict[str, Any]]:
    out = []
    for _ in range(rng.randint(1, 8)):
        next_id[0] += 1
        out.append({
            "id": next_id[0],
            "fullname": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            "url": f"/virtual/author/{next_id[0]}",
            "institution": rng.choice(INSTITUTIONS),
        })
    return out


def _at(year: int, day: int, clock: str, offset: str, minutes: int = 0) -> str:
    hour, minute = map(int, clock.split(":"))
    total = hour * 60 + minute + minutes
    return f"{year}-07-{14 + day:02d}T{total // 60:02d}:{total % 60:02d}:00{offset}"


def generate(n: int, *, seed: int = 2025, year: int = 2025, offset: str = "-07:00",
             inline_abstracts: bool = False) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """``n`` records and the companion abstracts (empty with ``inline_abstracts``)."""
    rng = random.Random(seed)
    records: list[dict[str, Any]] = []
    abstracts: dict[str, str] = {}
    author_id = [900000]
    oral_counter = 0
    poster_counter = 0
    for index in range(n):
        event_id = 100000 + index
        roll = rng.random()
        record: dict[str, Any] = {
            "id": event_id,
            "uid": f"{rng.getrandbits(64):016x}",
            "name": _title(rng),
            "abstract": "",
            "authors": _authors(rng, author_id),
            "topic": rng.choice(TOPICS),
            "keywords": rng.sample(WORDS, 3),
            "decision": "Accept (poster)",
            "session": None,
            "eventtype": "Poster",
            "event_type": "{location} Poster",
            "room_name": None,
            "virtualsite_url": None,
            "paper_url": f"https://papers.example.org/forum?id={event_id:x}",
            "poster_position": None,
            "starttime": None,
            "endtime": None,
            "related_events_ids": [],
            "children": [],
            "visible": True,
            "show_in_schedule_overview": True,
        }
        text = _abstract(rng)
        if inline_abstracts:
            record["abstract"] = text
        else:
            abstracts[str(event_id)] = text
        if roll < 0.08:  # an oral: its own 15-minute slot in an oral session
            slot, place = divmod(oral_counter, 6)
            oral_counter += 1
            room_index = slot % len(ORAL_ROOMS)
            block = slot // len(ORAL_ROOMS)
            day, start = (block // len(ORAL_SLOTS)) % DAYS, ORAL_SLOTS[block % len(ORAL_SLOTS)]
            record.update({
                "decision": "Accept (oral)", "eventtype": "Oral", "event_type": "Oral",
                "session": f"Oral {block + 1}{'ABCD'[room_index]} {TOPICS[block % len(TOPICS)]}",
                "room_name": ORAL_ROOMS[room_index],
                "virtualsite_url": f"/virtual/{year}/oral/{event_id}",
                "starttime": _at(year, day, start, offset, 15 * place),
                "endtime": _at(year, day, start, offset, 15 * place + 15),
            })
        elif roll < 0.082:  # an invited talk: no session of its own
            day = rng.randrange(DAYS)
            record.update({
                "decision": None, "eventtype": "Invited Talk", "event_type": "Invited Talk",
                "name": f"Invited talk: {_title(rng)}", "room_name": "Hall A",
                "virtualsite_url": f"/virtual/{year}/invited-talk/{event_id}",
                "starttime": _at(year, day, "08:30", offset), "endtime": _at(year, day, "09:30", offset),
            })
        else:  # a poster: the whole session's slot and a position
            session_index = poster_counter % (DAYS * len(POSTER_SLOTS))
            poster_counter += 1
            day = session_index // len(POSTER_SLOTS)
            start, end = POSTER_SLOTS[session_index % len(POSTER_SLOTS)]
            hall, letter = HALLS[rng.randrange(len(HALLS))]
            record.update({
                "session": f"Poster Session {session_index + 1}",
                "room_name": hall,
                "poster_position": f"#{letter}-{1000 + poster_counter}",
                "virtualsite_url": f"/virtual/{year}/poster/{event_id}",
                "starttime": _at(year, day, start, offset), "endtime": _at(year, day, end, offset),
            })
            if rng.random() < 0.03:  # shown a second time, a day later
                later = (day + 1) % DAYS
                record["starttime2"] = _at(year, later, start, offset)
                record["endtime2"] = _at(year, later, end, offset)
        if roll > 0.98:
            record["starttime"] = record["endtime"] = None
            record.pop("starttime2", None)
            record.pop("endtime2", None)
        elif roll > 0.97:
            record["visible"] = False
        records.append(record)
    return records, abstracts


def envelope(records: list[dict[str, Any]], next_url: str | None = None, previous: str | None = None,
             count: int | None = None) -> dict[str, Any]:
    """One page of the published envelope."""
    return {"count": len(records) if count is None else count, "next": next_url, "previous": previous, "results": records}


def write(directory: Path, n: int, *, seed: int = 2025, year: int = 2025, site: str = "icml",
          inline_abstracts: bool = False) -> tuple[Path, Path | None]:
    """Write the data file (and the abstracts file) into ``directory``; return their paths."""
    records, abstracts = generate(n, seed=seed, year=year, inline_abstracts=inline_abstracts)
    directory.mkdir(parents=True, exist_ok=True)
    data = directory / f"{site}-{year}-orals-posters.json"
    data.write_text(json.dumps(envelope(records), ensure_ascii=False), encoding="utf-8")
    if inline_abstracts:
        return data, None
    companion = directory / f"{site}-{year}-abstracts.json"
    companion.write_text(json.dumps(abstracts, ensure_ascii=False), encoding="utf-8")
    return data, companion


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", type=int)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--site", default="icml")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--inline-abstracts", action="store_true", help="abstracts in the records, no companion file")
    args = parser.parse_args()
    data, companion = write(args.directory, args.records, seed=args.seed, year=args.year, site=args.site,
                            inline_abstracts=args.inline_abstracts)
    print(data, f"{data.stat().st_size:,} bytes")
    if companion:
        print(companion, f"{companion.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
