"""Places along an itinerary: which lie within a corridor, at which km, at what detour."""
from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import shape

from graphs.geo import LocalProjection


class PlaceLayer:
    """All the graph's places, projected once for fast corridor queries."""

    def __init__(self, graph):
        self.places = [p for p in graph.places if p.kind != "peak"]
        lat0 = float(np.mean(graph.node_lat)) if graph.n_nodes else 0.0
        self.proj = LocalProjection(lat0)
        geoms = []
        for p in self.places:
            geom = shape(p.geometry) if p.geometry else shapely.Point(p.lon, p.lat)
            geoms.append(shapely.transform(geom, self._project_coords))
        self.geoms = np.array(geoms, dtype=object)
        self.tree = shapely.STRtree(self.geoms) if geoms else None

    def _project_coords(self, coords):
        x, y = self.proj.forward(coords[:, 1], coords[:, 0])
        return np.column_stack([x, y])

    def line(self, lat, lon):
        x, y = self.proj.forward(lat, lon)
        return shapely.LineString(np.column_stack([x, y]))

    def along(self, lat, lon, cum_m, corridor_m: float = 300.0, kinds=None) -> list[dict]:
        """Places within ``corridor_m`` of the polyline, ordered by km.

        ``detour_m`` is the there-and-back walk from the nearest route point
        to the place (0 when the route crosses an area place).
        """
        if self.tree is None or len(lat) < 2:
            return []
        line = self.line(lat, lon)
        hits = self.tree.query(line, predicate="dwithin", distance=corridor_m)
        out = []
        scale = cum_m[-1] / line.length if line.length > 0 else 1.0
        if kinds:
            hits = np.array([i for i in hits if self.places[i].kind in kinds], np.int64)
        # One vectorised GEOS call per measure for all candidates, not one per place.
        geoms = self.geoms[hits]
        dists = shapely.distance(line, geoms)
        kms = shapely.line_locate_point(
            line, shapely.get_point(shapely.shortest_line(line, geoms), 0)) * scale / 1000.0
        for j, i in enumerate(hits):
            place = self.places[i]
            dist, km = float(dists[j]), float(kms[j])
            out.append({"id": place.id, "name": place.name, "kind": place.kind,
                        "category": place.category, "unesco_id": place.unesco_id,
                        "km": round(km, 2), "detour_m": round(2 * dist, 0),
                        "lat": round(float(place.lat), 7), "lon": round(float(place.lon), 7)})
        out.sort(key=lambda d: (d["km"], d["id"]))
        return out
