"""Read GPX 1.0/1.1 safely: streaming, no DTD or entities, bounded size and points.

Real files come from Garmin devices (with their extensions), gpx.studio,
RideWithGPS, Komoot, Waymarked Trails: several tracks and segments, routes
only, waypoints only, with or without elevation and time. Extensions are
skipped. Hostile files (XXE, entity bombs, huge files, millions of points or
elements, deep nesting, unknown encodings) are refused early with a :class:`GPXInputError`, in bounded memory.
"""
from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
import io
import math
import re
import tempfile
from array import array
from pathlib import Path
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

import numpy as np
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from .errors import GPXInputError

MAX_BYTES = 50 * 1024 * 1024
MAX_POINTS = 1_000_000
MAX_DEPTH = 64               # real files nest 8 deep at most (Garmin extensions)
MAX_ELEMENTS = 4_000_000     # start tags; 50 MB of Garmin points (~200 bytes, 7 elements each) is 1.75 M


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


@dataclasses.dataclass(frozen=True)
class _Limits:
    max_bytes: int
    max_points: int
    max_depth: int
    max_elements: int


_POINT_TAGS = (b"<trkpt", b"<rtept", b"<wpt")
#: Where each structural element may appear (GPX 1.0 and 1.1 alike); extensions are free.
_PARENTS = {"trkpt": "trkseg", "rtept": "rte", "trkseg": "trk", "trk": "gpx", "rte": "gpx",
            "wpt": "gpx", "metadata": "gpx"}
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']{0,40})["']""")


def _prescan(chunks, limits: _Limits, sink=None) -> None:
    """Count point and element start tags at C speed, refusing too many points, elements or
    bytes before any parsing; ``sink`` (a file) receives the bytes when the source can be
    read only once."""
    tail, points, elements, size = b"", 0, 0, 0
    for chunk in chunks:
        if not size:
            _check_encoding(chunk[:512])
        size += len(chunk)
        if size > limits.max_bytes:
            raise GPXInputError(f"GPX larger than {limits.max_bytes // (1024 * 1024)} MB: refused")
        window = tail + chunk
        points += sum(window.count(t) - tail.count(t) for t in _POINT_TAGS)
        if points > limits.max_points:
            raise GPXInputError(f"more than {limits.max_points:,} points: refused")
        elements += chunk.count(b"<") - window.count(b"</") + tail.count(b"</")
        if elements > limits.max_elements:
            raise GPXInputError(f"more than {limits.max_elements:,} XML elements: refused")
        tail = window[-8:]
        if sink is not None:
            sink.write(chunk)


def _check_encoding(head: bytes) -> None:
    """Refuse an XML declaration naming an encoding the parser cannot read, with its name."""
    match = _DECLARED.match(head)
    if not match:
        return
    name = match.group(1).decode("ascii", "replace")
    probe = f'<?xml version="1.0" encoding="{name}"?><a/>'.encode("ascii", "replace")
    try:
        codecs.lookup(name)
        expat.ParserCreate().Parse(probe, True)
    except (LookupError, ValueError):       # unknown, or multi-byte (expat reads none)
        raise GPXInputError(f"unsupported XML encoding {name!r}: use UTF-8") from None
    except expat.ExpatError:
        pass                                # a real encoding not matching the probe: the parse says


def _chunks(handle, size: int = 1 << 20):
    while chunk := handle.read(size):
        yield chunk


def read_gpx(source, max_bytes: int = MAX_BYTES, max_points: int = MAX_POINTS,
             max_depth: int = MAX_DEPTH, max_elements: int = MAX_ELEMENTS) -> GPXData:
    """Parse GPX from a path, bytes, str or binary file object.

    Sizes, point and element counts are checked by a fast scan before the XML
    parser sees anything, so a hostile file is refused in milliseconds per
    megabyte; a stream is spooled (to disk past 8 MB) while it is scanned. The
    parse itself is linear in the input and keeps only the open elements, so
    memory stays bounded by ``max_depth``, whatever the file.

    Raises
    ------
    GPXInputError
        Not XML, root not ``<gpx>``, DTD/entities, unsupported encoding, over
        ``max_bytes``, ``max_points``, ``max_elements`` or nested deeper than
        ``max_depth``, a point outside its segment or route, bad coordinates.
    """
    limits = _Limits(max_bytes, max_points, max_depth, max_elements)
    if isinstance(source, (str, Path)) and not (isinstance(source, str) and source.lstrip().startswith("<")):
        path = Path(source)
        if not path.is_file():
            raise GPXInputError(f"GPX file not found: {path}")
        if path.stat().st_size > max_bytes:
            raise GPXInputError(f"{path.name}: larger than {max_bytes // (1024 * 1024)} MB: refused")
        with open(path, "rb") as handle:
            _prescan(_chunks(handle), limits)
            handle.seek(0)
            return _parse(handle, limits)
    if isinstance(source, str):
        source = source.encode("utf-8")
    if isinstance(source, (bytes, bytearray)):
        _prescan([bytes(source)], limits)
        return _parse(io.BytesIO(source), limits)
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        _prescan(_chunks(source), limits, sink=spool)
        spool.seek(0)
        return _parse(spool, limits)


def _parse(stream, limits: _Limits) -> GPXData:
    limited = io.BufferedReader(_LimitedReader(stream, limits.max_bytes))
    try:
        return _walk(iterparse(limited, events=("start", "end"), forbid_dtd=True,
                               forbid_entities=True, forbid_external=True), limits)
    except DefusedXmlException as exc:
        raise GPXInputError(f"XML with a DTD or entities is refused ({type(exc).__name__})") from None
    except ParseError as exc:
        raise GPXInputError(f"not a well-formed XML file ({exc})") from None


class _Reader:
    """What the walk has read so far: the data, the line and the point being read."""

    def __init__(self):
        self.data = GPXData(None, None, None, None, [], [], [])
        self.current = None       # (lat, lon, ele, time, [name]) of the line being read
        self.point: dict = {}
        self.points = 0

    def start(self, tag: str, parent: str | None, elem, limits: _Limits) -> None:
        data = self.data
        if parent is None:
            if tag != "gpx":
                raise GPXInputError(f"not a GPX file: the root element is <{tag}>")
            data.version, data.creator = elem.get("version"), elem.get("creator")
        elif tag in _PARENTS and parent != _PARENTS[tag]:
            raise GPXInputError(f"<{tag}> outside <{_PARENTS[tag]}> (inside <{parent}>): "
                                "not a valid GPX file")
        if tag in ("trkseg", "rte"):
            self.current = (array("d"), array("d"), array("d"), array("d"), [None])
        elif tag == "trk":
            data.tracks.append([None, []])
        elif tag in ("trkpt", "rtept", "wpt"):
            self.points += 1
            if self.points > limits.max_points:
                raise GPXInputError(f"more than {limits.max_points:,} points: refused")
            self.point = {"lat": _float(elem.get("lat")), "lon": _float(elem.get("lon"))}
            if not (-90 <= self.point["lat"] <= 90 and -180 <= self.point["lon"] <= 180):
                raise GPXInputError(f"bad coordinates lat={elem.get('lat')!r} lon={elem.get('lon')!r}")

    def end(self, tag: str, parent: str | None, text: str | None) -> None:
        data, point = self.data, self.point
        if tag in ("ele", "time", "name", "desc", "type", "sym", "cmt") and parent in (
                "trkpt", "rtept", "wpt"):
            point[tag] = text
        elif tag == "name" and parent in ("trk", "rte", "metadata", "gpx"):
            if parent == "trk":
                data.tracks[-1][0] = text
            elif parent == "rte":
                self.current[4][0] = text
            else:
                data.name = data.name or text
        elif tag == "desc" and parent in ("metadata", "gpx"):
            data.description = text
        elif tag in ("trkpt", "rtept"):
            lat, lon, ele, tim, _ = self.current
            lat.append(point["lat"]); lon.append(point["lon"])
            ele.append(_float(point.get("ele"))); tim.append(_time(point.get("time")))
        elif tag == "wpt":
            data.waypoints.append({"lat": point["lat"], "lon": point["lon"],
                                   "ele": _float(point.get("ele")), "name": point.get("name"),
                                   "desc": point.get("desc"), "type": point.get("type"),
                                   "sym": point.get("sym")})
        elif tag in ("trkseg", "rte"):
            current = self.current
            line = Line(current[4][0], *(np.frombuffer(a, np.float64).copy() for a in current[:4]))
            if tag == "trkseg":
                data.tracks[-1][1].append(line)
            else:
                data.routes.append(line)
            self.current = None


def _walk(events, limits: _Limits) -> GPXData:
    """One pass over the parse events, O(1) work per event.

    ``stack`` holds the open elements only: each closed element is detached
    from its parent at once, so the tree never grows past the nesting depth.
    """
    reader = _Reader()
    stack: list = []            # (local tag, element) of the open elements
    in_extensions = 0           # open <extensions> elements: what is inside is skipped
    elements = 0
    for event, elem in events:
        if event == "start":
            elements += 1
            if len(stack) >= limits.max_depth:
                raise GPXInputError(f"XML nested deeper than {limits.max_depth} elements: refused")
            if elements > limits.max_elements:
                raise GPXInputError(f"more than {limits.max_elements:,} XML elements: refused")
            tag = _local(elem.tag)
            if not in_extensions:
                reader.start(tag, stack[-1][0] if stack else None, elem, limits)
            if tag == "extensions":
                in_extensions += 1
            stack.append((tag, elem))
            continue
        tag, _ = stack.pop()
        if tag == "extensions":
            in_extensions -= 1
        elif not in_extensions:
            reader.end(tag, stack[-1][0] if stack else None, elem.text)
        if stack:
            del stack[-1][1][:]     # drop what was read: each element is detached once
    if not elements:
        raise GPXInputError("empty file")
    data = reader.data
    for track in data.tracks:
        for line in track[1]:
            line.name = line.name or track[0]
    return data
