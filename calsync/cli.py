"""The ``calsync`` command and its five subcommands:

* ``parse PAGE`` — one page's schedule as JSON on stdout;
* ``ics PAGE...`` — pages as one iCalendar file;
* ``import PAGE|URL... --conference SLUG`` — parse pages and store them in a conference;
* ``refresh [--conference SLUG]`` — fetch every stored or configured source again;
* ``serve`` — the web service on Werkzeug's development server.

``parse`` and ``ics`` need no database: the store (and so SQLAlchemy), the refresher and
the web app are imported only inside the commands that use them.

Exit codes: 0 success (warnings on stderr), 2 bad input or options (one line
naming the file and line; never a traceback); ``refresh`` exits 1 when a source failed.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .clock import utcnow
from .config import ConferenceConfig, Config, load_config
from .decoding import decode_page
from .errors import CalsyncError, NoEvents, ParseError
from .ical import Revision, describe_schedule, render_calendar
from .intake import PageInput, read_url, store_schedule
from .model import SLUG_RE, PageReport, Schedule
from .parse import parse_pages
from .parse.context import describe_report
from .serialize import build_schedule_dict
from .sites import check_site, with_sibling_abstracts
from .sources import is_url, page_options

if TYPE_CHECKING:  # annotations only: the store (SQLAlchemy) is imported by the commands that use it
    from .refresh import SourceOutcome
    from .store import Conference

log = logging.getLogger(__name__)


def read_page(name: str, config: Config, names: Sequence[str] = (), site: str | None = None) -> PageInput:
    """Read a page from a file, ``-`` (stdin) or an http(s) URL (fetched under the fetch policy).

    A virtual site's home URL is read as its whole programme: the published data, every
    page of it, with its abstracts (:func:`calsync.sites.fetch_source`; ``site`` names the
    data files where the host does not); the page is then named by the data URL, the
    source a refresh fetches. A data file's sibling abstracts file is read too.
    Undecodable bytes become U+FFFD.
    """
    if is_url(name):
        return read_url(name, config, site=site, names=names)
    if name == "-":
        raw = sys.stdin.buffer.read()
        return PageInput("<stdin>", decode_page(raw), None)
    path = Path(name)
    try:
        raw = path.read_bytes()
        mtime = datetime.fromtimestamp(int(path.stat().st_mtime), tz=UTC)
    except OSError as exc:
        raise CalsyncError(f"{name}: cannot read: {exc.strerror or exc}") from None
    return PageInput(name, with_sibling_abstracts(path, decode_page(raw)), mtime)


def _year(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a year: {text!r}") from None
    if not 1900 <= year <= 2200:
        raise argparse.ArgumentTypeError(f"year out of range: {year}")
    return year


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _days(text: str) -> tuple[date, ...]:
    first, sep, last = text.partition("..")
    try:
        start, end = date.fromisoformat(first), date.fromisoformat(last if sep else first)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD..YYYY-MM-DD: {text!r}") from None
    if not 0 <= (end - start).days <= 31:
        raise argparse.ArgumentTypeError(f"the days must run forwards, at most a month: {text!r}")
    return tuple(start + timedelta(days=n) for n in range((end - start).days + 1))


def _stamp(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date-time: {text!r}") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"--stamp needs a UTC offset or Z: {text!r}")
    return moment.astimezone(UTC)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (documented in the README's CLI section)."""
    parser = argparse.ArgumentParser(prog="calsync", description="Conference session pages → JSON and iCalendar.")
    parser.add_argument("--version", action="version", version=f"calsync {__version__}")
    parser.add_argument("--config", help="TOML config file (default: $CALSYNC_CONFIG)")
    parser.add_argument("--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    sub = parser.add_subparsers(dest="command", required=True)

    def page_options(p: argparse.ArgumentParser, many: bool) -> None:
        p.add_argument("--url", action="append" if many else "store", default=[] if many else None,
                       help="the page's URL (gives the year and the event link)" + ("; repeat once per page, in order" if many else ""))
        p.add_argument("--year", type=_year, help="the conference year, when neither page nor URL names it")
        p.add_argument("--timezone", help="IANA zone of the page's times (overrides the page)")
        p.add_argument("--today", type=_date, help="reference date for year inference (default: today)")
        p.add_argument("--days", type=_days, help="the conference's days FIRST..LAST (YYYY-MM-DD..YYYY-MM-DD), "
                       "for pages whose slots name only a weekday")
        p.add_argument("--site", type=_site, help="the <conf> of a virtual site's data files (icml for "
                       "icml-2025-orals-posters.json), for home URLs whose host does not say it")

    p_parse = sub.add_parser("parse", help="print a page's schedule as JSON")
    p_parse.add_argument("page", help="a text or HTML file, or - for stdin")
    p_parse.add_argument("-v", "--verbose", action="store_true", help="list the page's ignored lines")
    page_options(p_parse, many=False)

    p_ics = sub.add_parser("ics", help="write pages as one iCalendar file")
    p_ics.add_argument("pages", nargs="+", help="text or HTML files, or - for stdin")
    page_options(p_ics, many=True)
    p_ics.add_argument("--sessions", action="store_true", help="add one event per session spanning its talks")
    p_ics.add_argument("--no-talks", action="store_true", help="leave out the per-talk events (with --sessions)")
    p_ics.add_argument("--name", help="calendar name (default: the session title)")
    p_ics.add_argument("--host", help="UID host (default: feed.uid_host of the config)")
    p_ics.add_argument("--stamp", type=_stamp,
                       help="DTSTAMP/LAST-MODIFIED (default: $SOURCE_DATE_EPOCH, else the newest input file's mtime)")
    p_ics.add_argument("-o", "--output", help="write to FILE instead of stdout")

    p_import = sub.add_parser("import", help="store pages in a conference (created when new)")
    p_import.add_argument("pages", nargs="+", help="text or HTML files, or - for stdin")
    p_import.add_argument("--conference", required=True, type=_slug, help="conference slug, e.g. icml-2022")
    p_import.add_argument("--name", help="conference name (when it is created; default: the slug)")
    p_import.add_argument("-v", "--verbose", action="store_true", help="list each page's ignored lines")
    page_options(p_import, many=True)

    p_refresh = sub.add_parser("refresh", help="fetch every source again and import what changed")
    p_refresh.add_argument("--conference", type=_slug, help="only this conference")

    p_serve = sub.add_parser("serve", help="run the web service (development server; production: gunicorn)")
    p_serve.add_argument("--host", default="127.0.0.1")
    p_serve.add_argument("--port", type=int, default=8000)
    return parser


def _site(text: str) -> str:
    try:
        return check_site(text)
    except CalsyncError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _slug(text: str) -> str:
    if not SLUG_RE.match(text):
        raise argparse.ArgumentTypeError(f"use lower-case letters, digits and '-': {text!r}")
    return text


def _schedule(
    args: argparse.Namespace,
    config: Config,
    names: Sequence[str],
    urls: Sequence[str | None],
    *,
    skip_empty: bool = False,
    conference: Conference | None = None,
    conf_config: ConferenceConfig | None = None,
) -> tuple[Schedule, list[PageInput]]:
    """Read and parse the pages; print each page's report line and the warnings on stderr."""
    if len(urls) > len(names):
        raise CalsyncError(f"{len(urls)} --url options for {len(names)} pages")
    site = getattr(args, "site", None) or (conf_config.site if conf_config else None)
    inputs = [read_page(n, config, names, site) for n in names]
    pages = [
        (
            page.text,
            page_options(
                conference,
                conf_config,
                urls[i] if i < len(urls) else page.url,
                year=args.year,
                timezone=args.timezone,
                today=args.today,
                source=page.name,
                days=args.days or (),
            ),
        )
        for i, page in enumerate(inputs)
    ]
    try:
        schedule = parse_pages(pages, skip_empty=skip_empty)
    except NoEvents as exc:
        for report in exc.reports:
            _print_report(report, getattr(args, "verbose", False))
        raise
    for report in schedule.reports:
        _print_report(report, getattr(args, "verbose", False))
    for w in schedule.warnings:
        where = f"{w.source}:{w.line}" if w.line is not None else (w.source or "<page>")
        print(f"{where}: warning: {w.message}", file=sys.stderr)
    return schedule, inputs


def _print_report(report: PageReport, verbose: bool) -> None:
    print(describe_report(report), file=sys.stderr)
    if verbose:
        for number, text in report.ignored:
            print(f"{report.source or '<page>'}:{number}: ignored: {text}", file=sys.stderr)


def data_stamp(args: argparse.Namespace, inputs: Sequence[PageInput], schedule: Schedule) -> datetime:
    """DTSTAMP/LAST-MODIFIED for a CLI export: from the data, never the clock.

    ``--stamp``, else ``$SOURCE_DATE_EPOCH`` (reproducible builds), else the newest
    input file's modification time, else (stdin) the earliest talk's start.
    """
    if args.stamp is not None:
        stamp: datetime = args.stamp
        return stamp
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC)
        except (ValueError, OverflowError, OSError):
            raise CalsyncError(f"SOURCE_DATE_EPOCH is not a Unix time: {epoch!r}") from None
    times = [p.modified for p in inputs if p.modified is not None]
    if times:
        return max(times)
    return min(t.start for s in schedule.sessions for t in s.talks).astimezone(UTC)


def _write(data: bytes, output: str | None) -> None:
    if output is None or output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    path = Path(output)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise CalsyncError(f"{output}: cannot write: {exc.strerror or exc}") from None


def cmd_parse(args: argparse.Namespace, config: Config) -> int:
    """``calsync parse PAGE``: the schedule as JSON on stdout."""
    schedule, _ = _schedule(args, config, [args.page], [args.url] if args.url else [])
    text = json.dumps(build_schedule_dict(schedule), ensure_ascii=False, indent=2) + "\n"
    _write(text.encode("utf-8"), None)
    return 0


def cmd_ics(args: argparse.Namespace, config: Config) -> int:
    """``calsync ics PAGE...``: one calendar of all pages."""
    schedule, inputs = _schedule(args, config, args.pages, args.url)
    overrides: dict[str, object] = {"sessions": args.sessions, "talks": not args.no_talks}
    if args.host:
        overrides["host"] = args.host
    if args.no_talks and not args.sessions:
        raise CalsyncError("--no-talks needs --sessions: the calendar would be empty")
    options = config.feed.feed_options(**overrides)
    revision = Revision(modified=data_stamp(args, inputs, schedule))
    data = render_calendar(schedule.sessions, describe_schedule(schedule, args.name), lambda _id: revision, options)
    _write(data, args.output)
    return 0


def cmd_import(args: argparse.Namespace, config: Config) -> int:
    """``calsync import PAGE|URL... --conference SLUG``: fetch, parse, then store in one transaction.

    URLs are remembered as the conference's sources (with their validators), so
    ``calsync refresh`` and the service's scheduler keep them fresh.
    """
    from .store import Store
    from .store.checks import conference_days

    conf = next((c for c in config.conferences if c.slug == args.conference), None)
    store = Store(config.database_url)
    store.migrate()
    existing = store.find_conference(args.conference)
    if existing is not None and not args.days:  # the days organisers gave it, as /add reads its pages
        args.days = conference_days(*store.get_days(args.conference)) or None
    try:
        schedule, inputs = _schedule(
            args, config, args.pages, args.url, skip_empty=True, conference=existing, conf_config=conf
        )
    except NoEvents as exc:
        print(f"calsync: {exc.reason}", file=sys.stderr)
        return 0
    stored = store_schedule(store, args.conference, schedule, inputs, utcnow(), name=args.name, existing=existing,
                            conf_config=conf)
    if stored.said is not None:
        print(f"calsync: {args.conference}: {stored.said}", file=sys.stderr)
    print(stored.report.summary(), file=sys.stderr)
    return 0


def cmd_refresh(args: argparse.Namespace, config: Config) -> int:
    """``calsync refresh [--conference SLUG]``: fetch every source again; a progress bar on a terminal."""
    from .refresh import refresh_all
    from .store import Store

    store = Store(config.database_url)
    store.migrate()
    tty = sys.stderr.isatty()

    def progress(done: int, total: int, outcome: SourceOutcome) -> None:
        if tty:
            width = 30
            bar = "#" * (width * done // max(total, 1))
            print(f"\r[{bar:<{width}}] {done}/{total} {outcome.conference}", end="", file=sys.stderr, flush=True)
        log.info("%s %s: %s %s", outcome.conference, outcome.url, outcome.status, outcome.message)

    outcomes = refresh_all(store, config, utcnow, only=args.conference, progress=progress)
    if tty:
        print(file=sys.stderr)
    if outcomes is None:
        print("calsync: another refresh is running (the refresh lease is held); try later", file=sys.stderr)
        return 1
    for outcome in outcomes:
        print(f"{outcome.conference} {outcome.url}: {outcome.status} {outcome.message}".rstrip(), file=sys.stderr)
    failed = [o for o in outcomes if o.status == "failed"]
    return 1 if failed else 0


def cmd_serve(args: argparse.Namespace, config: Config) -> int:
    """``calsync serve``: the app on Werkzeug's development server."""
    from .web import create_app

    app = create_app(config)
    print(f"calsync: serving on http://{args.host}:{args.port}/ (Ctrl-C to stop)", file=sys.stderr)
    app.run(host=args.host, port=args.port, debug=False, use_reloader=False, threaded=True)
    return 0


COMMANDS = {"parse": cmd_parse, "ics": cmd_ics, "import": cmd_import, "refresh": cmd_refresh, "serve": cmd_serve}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``calsync`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = load_config(args.config)
        return COMMANDS[args.command](args, config)
    except ParseError as exc:
        print(f"calsync: error: {exc}", file=sys.stderr)
        return 2
    except CalsyncError as exc:
        print(f"calsync: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
