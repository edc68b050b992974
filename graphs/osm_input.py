"""Checks of an OSM file before any parser sees it (no osmium needed to run them)."""
from __future__ import annotations

import bz2
import gzip
from pathlib import Path

from .errors import OSMInputError

SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.gz", ".osm.bz2", ".xml", ".xml.gz", ".xml.bz2")


def check_input(path: Path) -> None:
    """Refuse a missing, empty, unknown or entity-declaring file before parsing.

    Raises
    ------
    OSMInputError
        With a message saying what is wrong with the file.
    """
    if not path.is_file():
        raise OSMInputError(f"OSM file not found: {path}")
    name = path.name.lower()
    if not name.endswith(SUFFIXES):
        raise OSMInputError(
            f"{path.name}: unknown OSM file type; expected one of {', '.join(SUFFIXES)}")
    if path.stat().st_size == 0:
        raise OSMInputError(f"{path.name}: the file is empty")
    if name.endswith(".pbf"):
        return
    opener = gzip.open if name.endswith(".gz") else bz2.open if name.endswith(".bz2") else open
    try:
        with opener(path, "rb") as handle:
            head = handle.read(65536)
    except (OSError, EOFError) as exc:
        raise OSMInputError(f"{path.name}: cannot be decompressed ({exc})") from None
    stripped = head.lstrip()
    if not stripped.startswith(b"<"):
        raise OSMInputError(f"{path.name}: not an OSM XML file (it does not start with '<')")
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        # libosmium's XML parser would expand entities: refuse them outright.
        raise OSMInputError(f"{path.name}: XML with a DOCTYPE/ENTITY declaration is refused")
    if b"<osm" not in head and b"<osmChange" not in head:
        raise OSMInputError(f"{path.name}: the XML root is not <osm>")
