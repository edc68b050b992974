"""``bassin-routes``: the command line, assembled from each layer's commands."""
from __future__ import annotations

import argparse
import os
import sys

from graphs import cli as graph_cli
from graphs.errors import BassinRoutesError
from gpx import cli as gpx_cli
from routing import cli as routing_cli

from . import commands as web_commands
from . import db_commands, node_commands, traveller_cli
from .languages import LANGUAGES


#: Commands that print numbers only, so start without the web stack (``gpx stats`` ≤ 1 s).
WORDLESS = {("gpx", "stats")}


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bassin-routes",
        description="Itineraries and trail-network routing for the Bassin minier du "
                    "Nord-Pas de Calais.")
    parser.add_argument("--lang", choices=LANGUAGES, default=None,
                        help="language of the words in files, maps and instructions "
                             "(default: BASSIN_LANGUAGE, else fr)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    graph_cli.add_commands(sub)
    writers = _writers()
    routing_cli.add_commands(sub, writers=writers)
    gpx_cli.add_commands(sub, dict(writers, geojson=routing_cli.write_geojson))
    web_commands.add_commands(sub)
    db_commands.add_commands(sub)
    node_commands.add_commands(sub)
    traveller_cli.add_commands(sub)
    return parser


def _write_map(itinerary, path) -> None:
    from .maps import standalone_map_html

    path.write_text(standalone_map_html(itinerary), "utf-8")


def _write_gpx(itinerary, path) -> None:
    from .file_words import write_gpx_file

    write_gpx_file(itinerary, path)


def _writers() -> dict:
    """Output formats of the planning commands, worded in the command's ``--lang``."""
    return {"gpx": _write_gpx, "map": _write_map}


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    args.lang = args.lang or os.environ.get("BASSIN_LANGUAGE") or LANGUAGES[0]
    if args.lang not in LANGUAGES:
        print(f"bassin-routes: error: BASSIN_LANGUAGE must be one of {', '.join(LANGUAGES)}",
              file=sys.stderr)
        return 2
    try:
        if (args.command, getattr(args, "gpx_command", None)) in WORDLESS:
            return int(args.func(args) or 0)      # numbers only: no web stack to load
        from .i18n import language                 # GPX, maps and instructions are worded

        with language(args.lang):
            return int(args.func(args) or 0)
    except BassinRoutesError as exc:
        print(f"bassin-routes {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:          # e.g. piped into `head`
        sys.stderr.close()
        return 0
    except Exception as exc:
        if not _database_down(exc):
            raise
        print(f"bassin-routes {args.command}: error: the database does not answer "
              f"({str(getattr(exc, 'orig', exc) or exc).strip().splitlines()[0][:200]})",
              file=sys.stderr)
        return 2


def _database_down(exc: Exception) -> bool:
    """Whether ``exc`` is a database that is down (:data:`web.db.UNAVAILABLE`).

    A command that never opened the database never loaded ``web.db``: SQLAlchemy is
    not imported just to build the parser (``gpx stats`` starts in well under 1 s).
    """
    db = sys.modules.get("web.db")
    return db is not None and isinstance(exc, db.UNAVAILABLE)


if __name__ == "__main__":
    sys.exit(main())
