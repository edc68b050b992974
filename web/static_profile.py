"""A static elevation profile, drawn as SVG (for the PDF fiche, or any printed page).

Distance along the route against elevation, with round ticks on both axes, the stage
ends as dashed lines and numbered places at their km (the numbers of the static map).
Only numbers and units are written, so one drawing serves every language (the
decimal mark is the caller's). Like :mod:`web.static_map`, coordinates are tenths of a
millimetre of paper and the line is simplified to that resolution.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import shapely
from markupsafe import escape

from .static_map import TOLERANCE, UNITS_PER_MM, nice_length
from .static_markers import MARKER_RADIUS, numbered_disc

FILL, LINE, GRID, INK = "#d9e4d3", "#3f6212", "#cbd5e1", "#334155"


@dataclasses.dataclass(frozen=True)
class StaticProfile:
    """The drawing, and the figures it shows (metres)."""

    svg: str
    min_m: float
    max_m: float
    vertices: int


def _ticks(lo: float, hi: float, count: int = 5) -> np.ndarray:
    step = nice_length((hi - lo) / count) or 1.0
    if (hi - lo) / step > count + 2:           # nice_length rounds down: at most ~count+2
        step *= 2
    return np.arange(np.ceil(lo / step) * step, hi + 1e-9, step)


def _number(value: float, decimal: str) -> str:
    return f"{value:g}".replace(".", decimal)


def draw_profile(cum_m, ele, *, width_mm: float = 180, height_mm: float = 42,
                 stage_ends_m=(), places=(), decimal: str = ",", label: str = "") -> StaticProfile | None:
    """Draw distance (``cum_m``) against elevation (``ele``, NaN where unknown).

    Parameters
    ----------
    cum_m, ele : array_like
        Metres from the start, and elevation, per vertex.
    stage_ends_m : sequence of float
        Where stages end (dashed lines, numbered).
    places : sequence of (float, str)
        ``(km, label)`` of numbered places, drawn on the line.
    decimal : str
        The decimal mark of the tick labels (``,`` in French).
    label : str
        The drawing's accessible name (escaped).

    Returns
    -------
    StaticProfile or None
        None when no elevation is known.
    """
    cum_m, ele = np.asarray(cum_m, float), np.asarray(ele, float)
    ok = np.isfinite(cum_m) & np.isfinite(ele)
    if ok.sum() < 2 or float(cum_m[ok].max()) <= 0:
        return None
    x_m, z = cum_m[ok], ele[ok]
    width, height = width_mm * UNITS_PER_MM, height_mm * UNITS_PER_MM
    left, right, top, bottom = 110.0, 30.0, 30.0, 70.0
    lo, hi = float(z.min()), float(z.max())
    pad = max(10.0, 0.15 * (hi - lo))
    z_lo, z_hi = max(lo - pad, 0.0) if lo >= 0 else lo - pad, hi + pad
    span_x = float(x_m.max())
    plot_w, plot_h = width - left - right, height - top - bottom

    def px(metres):
        return left + np.asarray(metres, float) / span_x * plot_w

    def py(metres):
        return top + (1 - (np.asarray(metres, float) - z_lo) / (z_hi - z_lo)) * plot_h

    line = shapely.simplify(shapely.linestrings(np.column_stack([px(x_m), py(z)])),
                            TOLERANCE / 2, preserve_topology=False)
    coords = np.round(shapely.get_coordinates(line), 1)
    points = " ".join(f"{a:g},{b:g}" for a, b in coords)
    base = top + plot_h
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'width="{width_mm}mm" height="{height_mm}mm" role="img" aria-label="{escape(label)}" '
            f'font-family="DejaVu Sans, sans-serif" font-size="20" fill="{INK}">')]
    for z_tick in _ticks(z_lo, z_hi, 4):
        y = float(py(z_tick))
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                   f'stroke="{GRID}" stroke-width="1.5"/><text x="{left - 10}" y="{y + 7:.1f}" '
                   f'text-anchor="end">{_number(z_tick, decimal)} m</text>')
    for km in _ticks(0, span_x / 1000, 8):
        x = float(px(km * 1000))
        out.append(f'<line x1="{x:.1f}" y1="{base}" x2="{x:.1f}" y2="{base + 8}" stroke="{INK}" '
                   f'stroke-width="2"/><text x="{x:.1f}" y="{base + 32}" text-anchor="middle">'
                   f'{_number(round(km, 3), decimal)}</text>')
    out.append(f'<text x="{width - right}" y="{height - 6}" text-anchor="end">km</text>')
    out.append(f'<polygon points="{left:.1f},{base} {points} {float(px(span_x)):.1f},{base}" '
               f'fill="{FILL}"/><polyline points="{points}" fill="none" stroke="{LINE}" '
               f'stroke-width="4" stroke-linejoin="round"/>')
    out.append(f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="{INK}" '
               'stroke-width="2"/>')
    for number, end in enumerate(stage_ends_m, start=1):
        x = float(px(end))
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{base}" stroke="#1e293b" '
                   f'stroke-width="2" stroke-dasharray="8 6"/><text x="{x - 6:.1f}" '
                   f'y="{top + 18}" text-anchor="end" font-weight="bold">{number}</text>')
    # numbers above the line where there is room for them (a crowd in a town is left to
    # the map and the list): each one at least a disc's width from those kept
    kept: list[tuple[float, float]] = []
    for km, text in places:
        metres = float(km) * 1000
        if not 0 <= metres <= span_x:
            continue
        x, y = float(px(metres)), float(py(np.interp(metres, x_m, z)))
        if all(abs(x - kx) >= 2 * MARKER_RADIUS + 4 or abs(y - ky) >= 2 * MARKER_RADIUS + 4
               for kx, ky in kept):
            kept.append((x, y))
            out.append(numbered_disc(x, y, (x, y - 30), text, stage=False))
    out.append("</svg>")
    return StaticProfile(svg="".join(out), min_m=lo, max_m=hi, vertices=len(coords))
