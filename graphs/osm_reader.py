"""Read an OSM file (PBF or XML, plain/gzip/bzip2) into plain arrays and lists.

Three streaming passes with pyosmium, each seeing only one entity type:
relations (route memberships, multipolygon areas), ways (routable lines and
area outlines), then nodes (coordinates of the nodes used, and point places).
Node coordinates are resolved in Python rather than with libosmium's location
index because that index rejects negative ids, which JOSM-style files use.
"""
from __future__ import annotations

import bz2
import dataclasses
import gzip
from pathlib import Path

import numpy as np
import osmium

from . import node_network, poi, tags as tagrules
from .errors import OSMInputError
from .progress import progress_bar

SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.gz", ".osm.bz2", ".xml", ".xml.gz", ".xml.bz2")


@dataclasses.dataclass
class RawOSM:
    """What the graph compiler needs from an OSM file."""

    osm_date: str | None
    bounds: tuple[float, float, float, float] | None
    routes: list[dict]
    way_routes: dict[int, list[int]]
    way_ids: list[int]
    way_refs: list[np.ndarray]
    way_tags: list[dict]
    way_flags: list[int]
    areas: list[dict]
    point_places: list[dict]
    #: restricted passages: node id -> ``tags.node_passage`` bits (open nodes are absent)
    node_passage: dict = dataclasses.field(default_factory=dict)
    #: why nodes restrict passage: node id -> reason (``tags.node_drop_reason``)
    node_reasons: dict = dataclasses.field(default_factory=dict)
    #: highway ways left out of the graph, counted by reason (``tags.way_drop_reason``)
    dropped_ways: dict = dataclasses.field(default_factory=dict)
    node_ids: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, np.int64))
    node_lat: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0))
    node_lon: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0))
    #: node-network junction nodes: ``{"osm_id", "entries"}`` (see graphs.node_network)
    junctions: list = dataclasses.field(default_factory=list)

    def locate(self, refs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Coordinates of node ``refs``: (lat, lon, found mask)."""
        pos = np.searchsorted(self.node_ids, refs)
        pos = np.clip(pos, 0, max(len(self.node_ids) - 1, 0))
        if len(self.node_ids) == 0:
            found = np.zeros(len(refs), bool)
            return np.zeros(len(refs)), np.zeros(len(refs)), found
        found = self.node_ids[pos] == refs
        return self.node_lat[pos], self.node_lon[pos], found


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


def _route_record(rel) -> dict | None:
    tags = rel.tags
    if tags.get("type") not in ("route", "superroute"):
        return None
    route = tags.get("route")
    if route not in tagrules.ROUTE_TYPES:
        return None
    return {
        "osm_id": rel.id, "route": route, "network": tags.get("network"),
        "ref": tags.get("ref"), "name": tags.get("name"),
        "names": {lang: tags[f"name:{lang}"] for lang in poi.NAME_LANGUAGES
                  if tags.get(f"name:{lang}") and tags[f"name:{lang}"] != tags.get("name")},
        "operator": tags.get("operator"), "colour": tags.get("colour"),
        "node_network": node_network.is_node_network_route(tags),
    }


def read_osm(path: str | Path, progress: bool | None = None) -> RawOSM:
    """Read an OSM file.

    Parameters
    ----------
    path : str or Path
        ``.osm.pbf``, ``.osm``, ``.osm.gz`` or ``.osm.bz2`` file.
    progress : bool or None
        Show a progress bar per pass (None: on a terminal only).

    Returns
    -------
    RawOSM
    """
    path = Path(path)
    check_input(path)
    try:
        return _read(path, progress)
    except OSMInputError:
        raise
    except (RuntimeError, ValueError, OSError) as exc:
        raise OSMInputError(f"{path.name}: not a readable OSM file ({exc})") from None


def _read(path: Path, progress) -> RawOSM:
    fname = str(path)
    reader = osmium.io.Reader(fname, osmium.osm.NOTHING)
    header = reader.header()
    reader.close()
    osm_date = header.get("osmosis_replication_timestamp") or header.get("timestamp") or None
    box = header.box()
    bounds = None
    if box.valid() and not (box.bottom_left.lon == 0 and box.top_right.lon == 180):
        bounds = (box.bottom_left.lat, box.bottom_left.lon, box.top_right.lat, box.top_right.lon)

    routes: list[dict] = []
    way_routes: dict[int, list[int]] = {}
    area_members: dict[int, list[int]] = {}  # member way id -> indices into areas
    areas: list[dict] = []
    with progress_bar(progress, desc="relations", unit=" rel") as bar:
        for rel in osmium.FileProcessor(fname, osmium.osm.RELATION):
            bar.update()
            record = _route_record(rel)
            if record is not None:
                index = len(routes)
                routes.append(record)
                for member in rel.members:
                    if member.type == "w":
                        way_routes.setdefault(member.ref, []).append(index)
                continue
            if rel.tags.get("type") == "multipolygon":
                kind = poi.classify(rel.tags)
                if kind is None:
                    continue
                area = {"osm_type": "relation", "osm_id": rel.id, "kind": kind,
                        "tags": poi.kept_tags(rel.tags), "member_ways": [], "rings": []}
                for member in rel.members:
                    if member.type == "w" and member.role in ("outer", ""):
                        area["member_ways"].append(member.ref)
                        area_members.setdefault(member.ref, []).append(len(areas))
                areas.append(area)

    way_ids, way_refs, way_tags, way_flags = [], [], [], []
    dropped: dict = {}
    with progress_bar(progress, desc="ways", unit=" way") as bar:
        for way in osmium.FileProcessor(fname, osmium.osm.WAY):
            bar.update()
            tags = way.tags
            refs = None
            if "highway" in tags:
                flags = tagrules.way_flags(tags)
                if flags:
                    refs = np.fromiter((n.ref for n in way.nodes), np.int64)
                    way_ids.append(way.id)
                    way_refs.append(refs)
                    way_flags.append(flags)
                    way_tags.append(_edge_tags(tags))
                else:
                    reason = tagrules.way_drop_reason(tags)
                    dropped[reason] = dropped.get(reason, 0) + 1
            if way.id in area_members:
                refs = refs if refs is not None else np.fromiter((n.ref for n in way.nodes), np.int64)
                for index in area_members[way.id]:
                    areas[index]["rings"].append(refs)
            elif len(way.nodes) >= 4 and way.nodes[0].ref == way.nodes[-1].ref:
                kind = poi.classify(tags)
                if kind is not None:
                    refs = refs if refs is not None else np.fromiter((n.ref for n in way.nodes), np.int64)
                    areas.append({"osm_type": "way", "osm_id": way.id, "kind": kind,
                                  "tags": poi.kept_tags(tags), "rings": [refs]})

    needed = set()
    for refs in way_refs:
        needed.update(refs.tolist())
    for area in areas:
        for ring in area["rings"]:
            needed.update(ring.tolist())
    ids, lats, lons, point_places, junctions = [], [], [], [], []
    passages, reasons = {}, {}
    with progress_bar(progress, desc="nodes", unit=" node") as bar:
        for node in osmium.FileProcessor(fname, osmium.osm.NODE):
            bar.update()
            node_id = node.id
            if node_id in needed:
                loc = node.location
                ids.append(node_id)
                lats.append(loc.lat)
                lons.append(loc.lon)
                if len(node.tags):
                    passage = tagrules.node_passage(node.tags)
                    if passage != tagrules.NODE_OPEN:
                        passages[node_id] = passage
                        reasons[node_id] = tagrules.node_drop_reason(node.tags, passage)
            if len(node.tags):
                entries = node_network.junction_entries(node.tags)
                if entries:
                    junctions.append({"osm_id": node_id, "entries": entries})
                kind = poi.classify(node.tags)
                if kind is None and node.tags.get("natural") == "peak":
                    kind = ("peak", "peak")
                if kind is not None:
                    loc = node.location
                    point_places.append({"osm_type": "node", "osm_id": node_id, "kind": kind,
                                         "lat": loc.lat, "lon": loc.lon,
                                         "tags": poi.kept_tags(node.tags)})
    ids_arr = np.asarray(ids, np.int64)
    order = np.argsort(ids_arr, kind="stable")
    return RawOSM(
        osm_date=osm_date, bounds=bounds, routes=routes, way_routes=way_routes,
        way_ids=way_ids, way_refs=way_refs, way_tags=way_tags, way_flags=way_flags,
        areas=areas, point_places=point_places, node_passage=passages, node_reasons=reasons,
        dropped_ways=dict(sorted(dropped.items(), key=lambda kv: -kv[1])), junctions=junctions,
        node_ids=ids_arr[order],
        node_lat=np.asarray(lats, np.float64)[order], node_lon=np.asarray(lons, np.float64)[order])


def _edge_tags(tags) -> dict:
    """The way tags stored on edges: categorical values, numbers and the name."""
    kept = {name: tags.get(key) for name, key in tagrules.CATEGORICAL_KEYS.items()}
    for name, key in tagrules.NUMERIC_KEYS.items():
        kept[name] = tagrules.parse_number(tags.get(key))
    kept["name"] = tags.get("name") or tags.get("ref")
    kept["names"] = {lang: tags[f"name:{lang}"] for lang in poi.NAME_LANGUAGES
                     if tags.get(f"name:{lang}") and tags.get("name")
                     and tags[f"name:{lang}"] != tags["name"]}
    return kept
