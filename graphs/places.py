"""Places a traveller cares about, each linked to the nearest routable point."""
from __future__ import annotations

import dataclasses

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.ops import polygonize, unary_union

from . import poi
from .osm_reader import RawOSM

#: Kinds that are heritage of the basin (used by loops and maps).
HERITAGE_KINDS = ("major_site", "terril", "cite", "mining_building", "unesco_element",
                  "park", "cavalier", "mine_shaft", "museum")
#: Every kind of place a graph holds (``web`` has a word for each).
PLACE_KINDS = tuple(dict.fromkeys(HERITAGE_KINDS + poi.KINDS + ("peak",)))


@dataclasses.dataclass
class Place:
    """A point of interest, terril, heritage element or catalogue site.

    ``link`` is the nearest routable point: ``{"edge", "offset_m", "lat",
    "lon", "distance_m"}``; ``far`` is True when that point is farther than
    the build's ``far_from_network_m``. Area places keep a GeoJSON geometry,
    the graph nodes inside (``nodes``) and, for terrils, a ``summit``.
    """

    id: str
    kind: str
    name: str | None
    lat: float
    lon: float
    category: str | None = None
    source: str = "osm"
    unesco_id: str | None = None
    tags: dict = dataclasses.field(default_factory=dict)
    geometry: dict | None = None
    summit: dict | None = None
    nodes: list = dataclasses.field(default_factory=list)
    link: dict | None = None
    far: bool = False

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @property
    def names(self) -> dict:
        """The name per language OSM gives (``name:fr``, ``name:en``), when it differs."""
        return names_of(self.tags, self.name)

    @classmethod
    def from_dict(cls, data: dict) -> "Place":
        return cls(**data)

    def shape(self):
        """The place's shapely geometry (polygon for areas, else its point)."""
        if self.geometry:
            return shape(self.geometry)
        return shapely.Point(self.lon, self.lat)


def names_of(tags: dict, name: str | None) -> dict:
    """``{lang: name}`` from ``name:<lang>`` tags (:data:`graphs.poi.NAME_LANGUAGES`)."""
    return {lang: tags[f"name:{lang}"] for lang in poi.NAME_LANGUAGES
            if tags.get(f"name:{lang}") and tags[f"name:{lang}"] != name}


def _ring_polygon(raw: RawOSM, rings) -> object | None:
    lines = []
    for refs in rings:
        lat, lon, found = raw.locate(refs)
        if found.sum() >= 2:
            lines.append(shapely.LineString(np.column_stack([lon[found], lat[found]])))
    if not lines:
        return None
    polygons = list(polygonize(unary_union(lines)))
    if not polygons:
        return None
    geom = unary_union(polygons)
    return geom if geom.area > 0 else None


def osm_places(raw: RawOSM) -> list[Place]:
    """Places from OSM nodes and areas (terrils keep their polygon)."""
    places = []
    for item in raw.point_places:
        kind, category = item["kind"]
        tags = item["tags"]
        places.append(Place(id=f"osm:node/{item['osm_id']}", kind=kind, category=category,
                            name=tags.get("name"), lat=item["lat"], lon=item["lon"], tags=tags))
    for area in raw.areas:
        polygon = _ring_polygon(raw, area["rings"])
        if polygon is None:
            continue
        kind, category = area["kind"]
        tags = area["tags"]
        point = polygon.representative_point()
        place = Place(id=f"osm:{area['osm_type']}/{area['osm_id']}", kind=kind, category=category,
                      name=tags.get("name"), lat=point.y, lon=point.x, tags=tags,
                      unesco_id=tags.get("ref:whc") if kind == "terril" else None)
        if kind == "terril":
            place.geometry = mapping(polygon)
        places.append(place)
    return places


def attach_summits(places: list[Place], dem=None) -> list[Place]:
    """Give every terril area a summit: an OSM peak (or point terril) inside it,
    else the DEM's highest vertex, else its representative point.

    Returns the places without the point terrils that became a summit, so a
    terril mapped both as an outline and as a peak is listed once.
    """
    peaks = [p for p in places if p.kind == "peak" or (p.kind == "terril" and not p.geometry)]
    peak_points = shapely.points([(p.lon, p.lat) for p in peaks]) if peaks else None
    absorbed: set[str] = set()
    for place in places:
        if place.kind != "terril" or not place.geometry:
            continue
        polygon = shape(place.geometry)
        summit = None
        if peak_points is not None:
            inside = np.flatnonzero(shapely.contains(polygon, peak_points))
            if len(inside):
                peak = peaks[int(inside[0])]
                if peak.kind == "terril":
                    absorbed.add(peak.id)
                summit = {"lat": peak.lat, "lon": peak.lon, "ele": _float(peak.tags.get("ele")),
                          "source": "osm_peak"}
        if summit is None and dem is not None:
            coords = shapely.get_coordinates(polygon.buffer(0))
            interior = shapely.get_coordinates(polygon.representative_point())
            coords = np.vstack([coords, interior])
            ele = dem.elevations(coords[:, 1], coords[:, 0])
            if np.isfinite(ele).any():
                i = int(np.nanargmax(ele))
                summit = {"lat": float(coords[i, 1]), "lon": float(coords[i, 0]),
                          "ele": float(ele[i]), "source": "dem"}
        if summit is None:
            summit = {"lat": place.lat, "lon": place.lon, "ele": None, "source": "centroid"}
        if summit["ele"] is None and dem is not None:    # a peak without ele=*: the DEM's
            value = float(dem.elevations([summit["lat"]], [summit["lon"]])[0])
            summit["ele"] = value if np.isfinite(value) else None
            summit["ele_source"] = "dem" if np.isfinite(value) else None
        place.summit = summit
    return [p for p in places if p.id not in absorbed]


def _float(value) -> float | None:
    try:
        return float(str(value).replace(",", ".").split()[0])
    except (TypeError, ValueError, IndexError):
        return None


def find_places(places, q: str = "", kinds=(), bbox=None, limit: int = 50) -> list[dict]:
    """Places whose name contains ``q`` (or whose UNESCO id is ``q``), of ``kinds``, in
    ``bbox`` (south, west, north, east), as JSON-ready summaries."""
    q, kinds = (q or "").strip().lower(), set(kinds or ())
    found = []
    for place in places:
        if kinds and place.kind not in kinds:
            continue
        if q and all(q not in (n or "").lower() for n in (place.name, *place.names.values())) \
                and q != (place.unesco_id or "").lower():
            continue
        if bbox and not (bbox[0] <= place.lat <= bbox[2] and bbox[1] <= place.lon <= bbox[3]):
            continue
        found.append({"id": place.id, "kind": place.kind, "category": place.category,
                      "name": place.name, "names": place.names, "lat": place.lat, "lon": place.lon,
                      "unesco_id": place.unesco_id, "far": place.far,
                      "link_m": place.link["distance_m"] if place.link else None})
        if len(found) >= limit:
            break
    return found


def link_places(places: list[Place], graph, index, max_dist_m: float, far_m: float,
                edge_mask=None) -> None:
    """Link each place to its nearest routable point and list graph nodes on areas."""
    for place in places:
        snap = None
        if place.geometry and place.geometry["type"] in ("Polygon", "MultiPolygon"):
            polygon = shape(place.geometry)
            snap = index.nearest_to_polygon(polygon, max_dist_m, edge_mask)
            inside = shapely.contains_xy(polygon, graph.node_lon, graph.node_lat)
            place.nodes = np.flatnonzero(inside).tolist()
            if place.summit and place.nodes:
                # the graph node nearest the summit: « climb this terril » as a via
                nodes = np.asarray(place.nodes)
                d = (graph.node_lat[nodes] - place.summit["lat"]) ** 2 + \
                    ((graph.node_lon[nodes] - place.summit["lon"]) * np.cos(np.radians(place.lat))) ** 2
                place.summit["node"] = int(nodes[np.argmin(d)])
        else:
            snap = index.nearest(place.lat, place.lon, max_dist_m, edge_mask)
        if snap is None:
            place.link, place.far = None, True
            continue
        place.link = {"edge": snap.edge, "offset_m": round(snap.offset_m, 2),
                      "lat": round(snap.lat, 7), "lon": round(snap.lon, 7),
                      "distance_m": round(snap.distance_m, 1)}
        place.far = snap.distance_m > far_m
