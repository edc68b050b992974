"""Read GPX 1.0/1.1 safely: streaming, no DTD or entities, bounded size and points.

Real files come from Garmin devices (with their extensions), gpx.studio,
RideWithGPS, Komoot, Waymarked Trails: several tracks and segments, routes
only, waypoints only, with or without elevation and time. Extensions are
skipped. Hostile files (XXE, entity bombs, huge files, millions of points)
are refused early with a :class:`GPXInputError`, in bounded memory.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
import tempfile
from array import array
from pathlib import Path
from xml.etree.ElementTree import ParseError

import numpy as np
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from .errors import GPXInputError

MAX_BYTES = 50 * 1024 * 1024
MAX_POINTS = 1_000_000


@dataclasses.dataclass
class Line:
    """A track segment or a route: coordinate arrays (NaN where unknown)."""

    name: str | None
    lat: np.ndarray
    lon: np.ndarray
    ele: np.ndarray
    time: np.ndarray          # POSIX seconds, NaN where unknown

    def __len__(self) -> int:
        return len(self.lat)


@dataclasses.dataclass
class GPXData:
    """What a GPX file holds."""

    version: str | None
    creator: str | None
    name: str | None
    description: str | None
    tracks: list            # list of (track name, [Line, …])
    routes: list            # list of Line
    waypoints: list         # list of dict

    def lines(self) -> list[Line]:
        """Track segments, or the routes when the file has no track."""
        segments = [seg for _, segs in self.tracks for seg in segs if len(seg)]
        return segments or [r for r in self.routes if len(r)]

    @property
    def points(self) -> int:
        return sum(len(line) for line in self.lines())


class _LimitedReader(io.RawIOBase):
    """A byte stream that refuses to go past ``limit`` bytes."""

    def __init__(self, raw, limit: int):
        self.raw, self.limit, self.count = raw, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(min(len(buffer), 1 << 16))
        self.count += len(data)
        if self.count > self.limit:
            raise GPXInputError(f"GPX larger than {self.limit // (1024 * 1024)} MB: refused")
        buffer[: len(data)] = data
        return len(data)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _time(text: str | None) -> float:
    if not text:
        return math.nan
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return math.nan
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.timestamp()


def _float(text: str | None) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


_POINT_TAGS = (b"<trkpt", b"<rtept", b"<wpt")


def _count_points(chunks, max_bytes: int, max_points: int, sink=None) -> None:
    """Count point start tags at C speed, refusing too many points or bytes before any
    parsing; ``sink`` (a file) receives the bytes when the source can be read only once."""
    tail, points, size = b"", 0, 0
    for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            raise GPXInputError(f"GPX larger than {max_bytes // (1024 * 1024)} MB: refused")
        window = tail + chunk
        points += sum(window.count(t) - tail.count(t) for t in _POINT_TAGS)
        if points > max_points:
            raise GPXInputError(f"more than {max_points:,} points: refused")
        tail = window[-8:]
        if sink is not None:
            sink.write(chunk)


def _chunks(handle, size: int = 1 << 20):
    while chunk := handle.read(size):
        yield chunk


def read_gpx(source, max_bytes: int = MAX_BYTES, max_points: int = MAX_POINTS) -> GPXData:
    """Parse GPX from a path, bytes, str or binary file object.

    Sizes and point counts are checked by a fast scan before the XML parser
    sees anything, so a hostile file is refused in milliseconds per megabyte;
    a stream is spooled (to disk past 8 MB) while it is scanned.

    Raises
    ------
    GPXInputError
        Not XML, root not ``<gpx>``, DTD/entities, over ``max_bytes`` or
        ``max_points``, bad coordinates.
    """
    if isinstance(source, (str, Path)) and not (isinstance(source, str) and source.lstrip().startswith("<")):
        path = Path(source)
        if not path.is_file():
            raise GPXInputError(f"GPX file not found: {path}")
        if path.stat().st_size > max_bytes:
            raise GPXInputError(f"{path.name}: larger than {max_bytes // (1024 * 1024)} MB: refused")
        with open(path, "rb") as handle:
            _count_points(_chunks(handle), max_bytes, max_points)
            handle.seek(0)
            return _parse(handle, max_bytes, max_points)
    if isinstance(source, str):
        source = source.encode("utf-8")
    if isinstance(source, (bytes, bytearray)):
        _count_points([bytes(source)], max_bytes, max_points)
        return _parse(io.BytesIO(source), max_bytes, max_points)
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        _count_points(_chunks(source), max_bytes, max_points, sink=spool)
        spool.seek(0)
        return _parse(spool, max_bytes, max_points)


def _parse(stream, max_bytes: int, max_points: int) -> GPXData:
    limited = io.BufferedReader(_LimitedReader(stream, max_bytes))
    try:
        return _walk(iterparse(limited, events=("start", "end"), forbid_dtd=True,
                               forbid_entities=True, forbid_external=True), max_points)
    except DefusedXmlException as exc:
        raise GPXInputError(f"XML with a DTD or entities is refused ({type(exc).__name__})") from None
    except ParseError as exc:
        raise GPXInputError(f"not a well-formed XML file ({exc})") from None


def _walk(events, max_points: int) -> GPXData:
    data = GPXData(None, None, None, None, [], [], [])
    stack: list[str] = []
    elems: list = []
    current = None          # (lat, lon, ele, time) arrays of the line being read
    point: dict = {}
    count = 0
    root = None
    for event, elem in events:
        tag = _local(elem.tag)
        if event == "start":
            if root is None:
                root = elem
                if tag != "gpx":
                    raise GPXInputError(f"not a GPX file: the root element is <{tag}>")
                data.version, data.creator = elem.get("version"), elem.get("creator")
            if tag in ("trkseg", "rte"):
                current = (array("d"), array("d"), array("d"), array("d"), [None])
            elif tag == "trk":
                data.tracks.append([None, []])
            elif tag in ("trkpt", "rtept", "wpt"):
                count += 1
                if count > max_points:
                    raise GPXInputError(f"more than {max_points:,} points: refused")
                point = {"lat": _float(elem.get("lat")), "lon": _float(elem.get("lon"))}
                if not (-90 <= point["lat"] <= 90 and -180 <= point["lon"] <= 180):
                    raise GPXInputError(f"bad coordinates lat={elem.get('lat')!r} lon={elem.get('lon')!r}")
            stack.append(tag)
            elems.append(elem)
            continue
        stack.pop()
        elems.pop()
        parent = stack[-1] if stack else None
        if "extensions" in stack:
            continue
        if tag in ("ele", "time", "name", "desc", "type", "sym", "cmt") and parent in (
                "trkpt", "rtept", "wpt"):
            point[tag] = elem.text
        elif tag == "name" and parent in ("trk", "rte", "metadata", "gpx"):
            if parent == "trk":
                data.tracks[-1][0] = elem.text
            elif parent == "rte":
                current[4][0] = elem.text
            else:
                data.name = data.name or elem.text
        elif tag == "desc" and parent in ("metadata", "gpx"):
            data.description = elem.text
        elif tag in ("trkpt", "rtept"):
            lat, lon, ele, tim, _ = current
            lat.append(point["lat"]); lon.append(point["lon"])
            ele.append(_float(point.get("ele"))); tim.append(_time(point.get("time")))
        elif tag == "wpt":
            data.waypoints.append({"lat": point["lat"], "lon": point["lon"],
                                   "ele": _float(point.get("ele")), "name": point.get("name"),
                                   "desc": point.get("desc"), "type": point.get("type"),
                                   "sym": point.get("sym")})
        elif tag in ("trkseg", "rte"):
            line = Line(current[4][0], *(np.frombuffer(a, np.float64).copy() for a in current[:4]))
            if tag == "trkseg":
                if not data.tracks:
                    data.tracks.append([None, []])
                data.tracks[-1][1].append(line)
            else:
                data.routes.append(line)
            current = None
        if tag in ("trkpt", "rtept", "wpt", "trkseg", "trk", "rte", "metadata") and elems:
            elems[-1].remove(elem)  # drop what was read: memory stays bounded on long files
    if root is None:
        raise GPXInputError("empty file")
    for track in data.tracks:
        for line in track[1]:
            line.name = line.name or track[0]
    return data
