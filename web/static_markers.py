"""Markers of the static map: start, end, stage ends and numbered places.

Numbered markers are moved off one another (:func:`spread`) with a leader to their
point, so a crowd of places stays readable; labels are escaped. Drawn in the
coordinates of a :class:`web.static_map.Frame` (tenths of a millimetre of paper).
"""
from __future__ import annotations

import dataclasses
import math

from markupsafe import escape

START_COLOUR, END_COLOUR = "#15803d", "#b91c1c"


@dataclasses.dataclass(frozen=True)
class Marker:
    """A numbered place (``label`` is its number) or a start/end (``kind``)."""

    lat: float
    lon: float
    label: str = ""
    kind: str = "place"          # place, start, end, start_end, stage


#: numbered places drawn at most (the caller lists them; more would be unreadable)
MAX_MARKERS = 200
MARKER_RADIUS = 14.0
#: where a numbered marker may move when its spot is taken: rings of 8 directions
_SHIFTS = [(r * math.cos(a * math.pi / 4), r * math.sin(a * math.pi / 4))
           for r in (32.0, 60.0, 90.0) for a in range(8)]


def spread(points: list[tuple[float, float]], radius: float = MARKER_RADIUS,
           width: float = math.inf, height: float = math.inf) -> list[tuple[float, float]]:
    """Positions for numbered markers that do not cover one another: each marker keeps
    its point when free, else takes the nearest free spot of :data:`_SHIFTS` inside the
    frame (else its point: a crowd stays a crowd rather than wander off)."""
    placed: list[tuple[float, float]] = []
    gap = (2 * radius + 6) ** 2
    for x, y in points:
        for dx, dy in [(0.0, 0.0)] + _SHIFTS:
            cx, cy = x + dx, y + dy
            inside = radius <= cx <= width - radius and radius <= cy <= height - radius
            if inside and all((cx - px) ** 2 + (cy - py) ** 2 >= gap for px, py in placed):
                break
        else:
            cx, cy = x, y
        placed.append((cx, cy))
    return placed


def numbered_disc(x: float, y: float, at: tuple[float, float], label: str, stage: bool) -> str:
    """A numbered disc at ``at``, with a leader to its point (x, y) when moved."""
    cx, cy = at
    leader = "" if (cx, cy) == (x, y) else (
        f'<path d="M{x:.0f} {y:.0f}L{cx:.0f} {cy:.0f}" stroke="#1e293b" stroke-width="2"/>'
        f'<circle cx="{x:.0f}" cy="{y:.0f}" r="4" fill="#1e293b"/>')
    fill, ink = ("#1e293b", "#ffffff") if stage else ("#ffffff", "#1e293b")
    return (f'{leader}<g transform="translate({cx:.0f} {cy:.0f})"><circle '
            f'r="{MARKER_RADIUS + (2 if stage else 0):.0f}" fill="{fill}" stroke="#1e293b" '
            f'stroke-width="3"/><text y="6" text-anchor="middle" font-size="17" '
            f'font-weight="bold" fill="{ink}">{escape(label)}</text></g>')


def end_marker(x: float, y: float, kind: str) -> str:
    """The start (a green disc with an arrow; ringed when it is also the end) or the end."""
    if kind == "end":
        return (f'<g transform="translate({x:.0f} {y:.0f})"><rect x="-14" y="-14" width="28" '
                f'height="28" fill="{END_COLOUR}" stroke="#ffffff" stroke-width="4"/>'
                '<rect x="-6" y="-6" width="12" height="12" fill="#ffffff"/></g>')
    ring = ('<circle r="22" fill="none" stroke="#ffffff" stroke-width="5"/>'
            f'<circle r="22" fill="none" stroke="{END_COLOUR}" stroke-width="3"/>'
            if kind == "start_end" else "")
    return (f'<g transform="translate({x:.0f} {y:.0f})">{ring}<circle r="15" '
            f'fill="{START_COLOUR}" stroke="#ffffff" stroke-width="4"/>'
            '<path d="M-5 -8 L9 0 L-5 8 Z" fill="#ffffff"/></g>')


def draw_markers(frame, markers: list[Marker]) -> str:
    """SVG of the markers in ``frame`` (a :class:`web.static_map.Frame`): numbered places
    and stage ends spread apart, then the start and end on top."""
    shown = []
    for m in markers[:MAX_MARKERS]:
        x, y = (float(v) for v in frame.project(m.lat, m.lon))
        if 0 <= x <= frame.width and 0 <= y <= frame.height:
            shown.append((m, x, y))
    ends = [(m, x, y) for m, x, y in shown if m.kind in ("start", "end", "start_end")]
    numbered = sorted((s for s in shown if s[0].kind not in ("start", "end", "start_end")),
                      key=lambda s: s[0].kind != "stage")          # stage ends placed first
    # the ends are taken spots too: numbers move off them
    spots = spread([(x, y) for _, x, y in ends] + [(x, y) for _, x, y in numbered],
                   width=frame.width, height=frame.height)[len(ends):]
    out = [numbered_disc(x, y, at, m.label, m.kind == "stage")
           for (m, x, y), at in zip(numbered, spots)]
    out += [end_marker(x, y, m.kind) for m, x, y in sorted(ends, key=lambda s: s[0].kind != "end")]
    return "".join(out)
