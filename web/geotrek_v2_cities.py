"""Communes for Geotrek's ``city`` list, ``cities`` and ``departure_city``.

Geotrek names a commune by its INSEE code. The outlines come, in order of
preference, from communes the graph carries (places of kind ``commune`` with
a polygon), from the heritage layer ``communes-mbm.geojson`` (config
``COMMUNES_FILE``), else from place data: the ``commune``/``commune_N`` tags
of the heritage places (no outline, no code: the id is the name).
"""
from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape

from graphs.geo import haversine_m
from gpx.geotrek import normalise

#: Farthest a place may be to lend its commune to a point, without outlines (m).
NEAR_M = 1500.0
_LOCK = threading.Lock()


class Communes:
    """Communes with outlines (point-in-polygon) or points (nearest), read-only."""

    def __init__(self, entries: list[dict], shapes: list | None = None, points=None,
                 source: str = ""):
        self.entries = entries                 # [{"id", "name"}], in id order
        self.by_id = {e["id"]: e for e in entries}
        self.source = source
        self._shapes = shapes
        self._tree = shapely.STRtree(shapes) if shapes else None
        self._points = points                  # (lat, lon, id) arrays without outlines

    def locate(self, lon: float, lat: float) -> str | None:
        """The commune at a point, or None."""
        if self._tree is not None:
            hits = self._tree.query(shapely.Point(lon, lat), predicate="within")
            return self.entries[int(hits[0])]["id"] if len(hits) else None
        if self._points is None or not len(self._points[0]):
            return None
        d = haversine_m(lat, lon, self._points[0], self._points[1])
        best = int(np.argmin(d))
        return self._points[2][best] if d[best] <= NEAR_M else None

    def along(self, lon, lat) -> list[str]:
        """The communes a line crosses, in travel order."""
        if self._tree is not None:
            line = shapely.LineString(np.column_stack([lon, lat]))
            hits = self._tree.query(line, predicate="intersects")
            order = {}
            for i in hits:                     # where the line first enters each commune
                first = shapely.get_coordinates(shapely.intersection(self._shapes[int(i)], line))
                order[self.entries[int(i)]["id"]] = line.project(shapely.Point(first[0])) \
                    if len(first) else 0.0
            return sorted(order, key=order.get)
        step = max(1, len(lon) // 200)
        found = self.locate_many(np.append(np.asarray(lon)[::step], lon[-1]),
                                 np.append(np.asarray(lat)[::step], lat[-1]))
        return list(dict.fromkeys(c for c in found if c))

    def locate_many(self, lon, lat) -> list:
        """:meth:`locate` of many points (the nearest-place search done in blocks)."""
        if self._tree is not None or self._points is None or not len(self._points[0]):
            return [self.locate(float(x), float(y)) for x, y in zip(lon, lat)]
        out = []
        for start in range(0, len(lon), 64):         # 64 × places distances at a time
            block_lat = np.asarray(lat[start:start + 64], np.float64)[:, None]
            block_lon = np.asarray(lon[start:start + 64], np.float64)[:, None]
            d = haversine_m(block_lat, block_lon, self._points[0][None, :],
                            self._points[1][None, :])
            best = np.argmin(d, axis=1)
            out += [self._points[2][b] if d[i, b] <= NEAR_M else None
                    for i, b in enumerate(best)]
        return out


def _from_geojson(path: Path) -> Communes:
    features = json.loads(path.read_text("utf-8"))["features"]
    rows = []
    for f in features:
        props = f.get("properties") or {}
        code, name = props.get("insee") or props.get("code"), props.get("nom") or props.get("name")
        if code and name and f.get("geometry"):
            rows.append((str(code), str(name), shape(f["geometry"])))
    rows.sort(key=lambda r: r[0])
    return Communes([{"id": c, "name": n} for c, n, _ in rows], [g for *_, g in rows],
                    source=path.name)


def _from_places(places) -> Communes:
    outlined = [p for p in places if p.kind == "commune" and p.geometry]
    if outlined:
        outlined.sort(key=lambda p: str(p.tags.get("insee") or p.id))
        return Communes([{"id": str(p.tags.get("insee") or p.id.split(":", 1)[-1]),
                          "name": p.name or p.id} for p in outlined],
                        [shape(p.geometry) for p in outlined], source="graph")
    lat, lon, ids, names = [], [], [], {}
    for place in places:
        keys = ["commune"] + [f"commune_{i}" for i in range(1, 7)]
        for key in keys:
            name = place.tags.get(key)
            if isinstance(name, str) and name.strip():
                label = name.strip()
                label = label.title() if label.isupper() else label
                code = normalise(label).replace(" ", "-")
                names.setdefault(code, label)
                lat.append(place.lat), lon.append(place.lon), ids.append(code)
                break
    entries = [{"id": c, "name": names[c]} for c in sorted(names)]
    return Communes(entries, points=(np.array(lat), np.array(lon), ids), source="places")


def communes(app, graph) -> Communes:
    """The app's communes, built once (graph, then ``COMMUNES_FILE``, then place data).

    Without a graph (``graph`` None) only ``COMMUNES_FILE`` can give them.
    """
    cached = app.extensions.get("geotrek_communes")
    if cached is not None:
        return cached
    with _LOCK:
        if "geotrek_communes" not in app.extensions:
            index = _from_places(graph.places if graph is not None else [])
            path = app.config.get("COMMUNES_FILE")
            if index.source != "graph" and path and Path(path).is_file():
                index = _from_geojson(Path(path))
            app.extensions["geotrek_communes"] = index
    return app.extensions["geotrek_communes"]
