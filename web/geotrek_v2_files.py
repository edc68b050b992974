"""The files a Geotrek trek links to: GPX, KML, a PDF sheet, the altimetric profile, the DEM.

A minimal but real one-page PDF is written here (PDF 1.4, Helvetica,
WinAnsi): title, figures, the route drawn to scale and the credits; a full
printable sheet is another issue's.
"""
from __future__ import annotations

import numpy as np
from flask import Blueprint, Response, jsonify, request
from markupsafe import escape

from gpx import geotrek, safe_filename

from .file_words import gpx_text, kml_text
from .geotrek_v2 import trek_object
from .i18n import language as words_in
from .geotrek_v2_params import language_param, published_entries
from .problems import Problem

bp = Blueprint("geotrek_v2_files", __name__, url_prefix="/api/v2/trek")
CREDITS = "© OpenStreetMap contributors (ODbL) – Mission Bassin Minier / data.gouv.fr (Etalab 2.0)"


def _entry(trek_id: int):
    entry = published_entries().get(trek_id)
    if entry is None:
        raise Problem(404, "Not found", f"no published trek {trek_id}", "not-found")
    return entry


def _pdf_text(text: str) -> str:
    """A PDF string literal in WinAnsi (Latin-1 here), escaped."""
    raw = text.encode("cp1252", "replace").decode("latin-1")
    return "(" + raw.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def trek_pdf(obj: dict, itinerary) -> bytes:
    """A one-page A4 sheet of a trek (``obj`` in one language)."""
    lines = [(16, obj["name"]),
             (11, f"{obj['length_2d'] / 1000:.1f} km · {obj['duration']:.1f} h"
                  + (f" · D+ {obj['ascent']} m / D- {-obj['descent']} m" if obj["ascent"] is not None
                     else "")),
             (10, f"{obj['departure']} → {obj['arrival']}")]
    ops = ["BT"]
    y = 800
    for size, text in lines:
        ops += [f"/F1 {size} Tf", f"1 0 0 1 50 {y} Tm", f"{_pdf_text(text)} Tj"]
        y -= size + 10
    ops += ["/F1 7 Tf", "1 0 0 1 50 40 Tm", f"{_pdf_text(CREDITS)} Tj", "ET"]
    lon, lat = itinerary.lon, itinerary.lat
    scale_x = np.cos(np.radians(float(lat.mean())))
    span = max(float(np.ptp(lon)) * scale_x, float(np.ptp(lat)), 1e-9)
    k = 480 / span
    xs = 60 + (lon - lon.min()) * scale_x * k
    ys = 100 + (lat - lat.min()) * k
    step = max(1, len(xs) // 2000)
    path = [f"{xs[0]:.1f} {ys[0]:.1f} m"] + [f"{x:.1f} {y:.1f} l" for x, y in
                                             zip(xs[1::step], ys[1::step])]
    ops += ["0.8 0.1 0.1 RG", "2 w", *path, "S"]
    content = "\n".join(ops).encode("latin-1")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
               b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"]
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


@bp.get("/<int:trek_id>/<slug>.<any(gpx, kml, pdf):fmt>")
def trek_file(trek_id: int, slug: str, fmt: str):
    """GPX, KML or the PDF sheet of a trek (``?language=`` for their words)."""
    entry = _entry(trek_id)
    itinerary = entry.itinerary
    name = safe_filename(itinerary.name or entry.slug)
    if fmt in ("gpx", "kml"):
        with words_in(language_param()):          # default: the request's language
            body, mimetype = ((gpx_text(itinerary, typed_names=True), "application/gpx+xml")
                              if fmt == "gpx" else
                              (kml_text(itinerary), "application/vnd.google-earth.kml+xml"))
    else:
        language = language_param() or geotrek.LANGUAGES[0]
        body, mimetype = trek_pdf(trek_object(entry, language), itinerary), "application/pdf"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


def _profile(itinerary) -> list:
    step = max(1, len(itinerary.lat) // 500)
    rows = []
    for i in list(range(0, len(itinerary.lat), step)) + [len(itinerary.lat) - 1]:
        ele = itinerary.ele[i]
        rows.append([round(float(itinerary.cum_m[i]), 1),
                     round(float(ele), 1) if np.isfinite(ele) else None,
                     [round(float(itinerary.lon[i]), 7), round(float(itinerary.lat[i]), 7)]])
    return rows


@bp.get("/<int:trek_id>/profile/")
def profile(trek_id: int):
    """The altimetric profile: ``[distance m, elevation m or null, [lon, lat]]``; SVG on ask."""
    itinerary = _entry(trek_id).itinerary
    rows = _profile(itinerary)
    known = [r[1] for r in rows if r[1] is not None]
    limits = {"floor": min(known), "ceil": max(known)} if known else {"floor": None, "ceil": None}
    if request.args.get("format") != "svg":
        return jsonify({"profile": rows, "limits": limits})
    width, height = 800, 200
    points = ""
    if known:
        low, high = limits["floor"], max(limits["ceil"], limits["floor"] + 1)
        total = max(rows[-1][0], 1.0)
        points = " ".join(f"{20 + r[0] / total * (width - 40):.1f},"
                          f"{height - 20 - (r[1] - low) / (high - low) * (height - 40):.1f}"
                          for r in rows if r[1] is not None)
    title = escape(itinerary.name or "")
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}"><title>{title}</title>'
           f'<polyline fill="none" stroke="#b22" stroke-width="2" points="{points}"/></svg>')
    return Response(svg, mimetype="image/svg+xml")


@bp.get("/<int:trek_id>/dem/")
def dem(trek_id: int):
    """An elevation grid around the trek (Geotrek's ``elevation_area_url``), from its own line."""
    itinerary = _entry(trek_id).itinerary
    known = np.isfinite(itinerary.ele)
    if not known.any():
        raise Problem(404, "Not found", f"trek {trek_id} has no elevation", "not-found")
    from scipy.interpolate import griddata

    lon, lat, ele = itinerary.lon[known], itinerary.lat[known], itinerary.ele[known]
    w, e = float(lon.min()) - 0.005, float(lon.max()) + 0.005
    s, n = float(lat.min()) - 0.005, float(lat.max()) + 0.005
    nx, ny = 40, 40
    gx, gy = np.meshgrid(np.linspace(w, e, nx), np.linspace(s, n, ny))
    grid = griddata(np.column_stack([lon, lat]), ele, (gx, gy), method="nearest")
    corner = (lambda la, lo: {"lat": la, "lng": lo, "x": lo, "y": la})
    return jsonify({
        "center": corner((s + n) / 2, (w + e) / 2),
        "resolution": {"x": nx, "y": ny, "step": {"x": (e - w) / (nx - 1), "y": (n - s) / (ny - 1)}},
        "altitudes": [[round(float(v), 1) for v in row] for row in grid],
        "extent": {"altitudes": {"min": round(float(ele.min()), 1), "max": round(float(ele.max()), 1)},
                   "southwest": corner(s, w), "northeast": corner(n, e),
                   "northwest": corner(n, w), "southeast": corner(s, e)}})
