"""``build_graph``: OSM file (+ heritage layers, + DEM) -> CompiledGraph."""
from __future__ import annotations

import datetime as dt
import time
import uuid
from pathlib import Path

import numpy as np

from . import heritage, node_network
from .compile import compile_network, way_kind_summary
from .dem_download import DEM_CREDIT
from .elevation import DEM
from .graph import CompiledGraph
from .osm_reader import read_osm
from .places import attach_summits, link_places, osm_places
from .progress import progress_bar
from .settings import Settings, settings as default_settings
from .spatial import EdgeIndex

OSM_ATTRIBUTION = "© OpenStreetMap contributors (ODbL 1.0)"


def build_graph(osm: str | Path, heritage_dir: str | Path | None = None,
                dem_dir: str | Path | None = None, name: str | None = None,
                settings: Settings | None = None) -> CompiledGraph:
    """Build a routing graph with places from an OSM file.

    Parameters
    ----------
    osm : str or Path
        ``.osm.pbf``, ``.osm``, ``.osm.gz`` or ``.osm.bz2`` file.
    heritage_dir : str or Path, optional
        Folder of the official Bassin minier layers (GeoJSON) to ingest.
    dem_dir : str or Path, optional
        Folder of SRTM ``.hgt``/``.hgt.zip`` tiles for elevations.
    name : str, optional
        Name stored in the metadata (default: the file's stem).
    settings : Settings, optional

    Returns
    -------
    CompiledGraph

    Raises
    ------
    OSMInputError, GraphBuildError, HeritageError, ElevationError
    """
    settings = settings or default_settings
    started = time.perf_counter()
    osm = Path(osm)
    dem = DEM(dem_dir) if dem_dir else None
    heritage_places = heritage.read_layers(heritage_dir) if heritage_dir else []
    raw = read_osm(osm, progress=settings.progress)
    with progress_bar(settings.progress, total=3, desc="compile") as bar:
        arrays = compile_network(raw, dem)
        bar.update()
        places = heritage.merge_terrils(osm_places(raw), heritage_places)
        places = _catalogue_within(arrays, settings.far_from_network_m) + places
        places = attach_summits(places, dem)
        bar.update()
        meta = {
            "name": name or osm.name.split(".")[0],
            "source": osm.name,
            "osm_date": raw.osm_date,
            "build_date": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
            "build_id": uuid.uuid4().hex,
            "heritage": str(Path(heritage_dir).name) if heritage_dir else None,
            "dem": bool(dem),
            "min_component_m": settings.min_component_m,
            "far_from_network_m": settings.far_from_network_m,
            "attribution": [OSM_ATTRIBUTION] + ([heritage.ATTRIBUTION] if heritage_dir else [])
            + ([DEM_CREDIT] if dem and any("Copernicus" in src[1].name for src in dem.sources)
               else []),
        }
        meta["dropped"] = arrays.pop("dropped")
        junctions = node_network.build_node_network(raw, arrays)
        tables = {k: arrays.pop(k) for k in ("vocab", "names", "routes", "name_translations")}
        graph = CompiledGraph(arrays, tables["vocab"], tables["names"], tables["routes"],
                              places, meta, junctions, tables["name_translations"])
        index = EdgeIndex(graph, settings.index_step_m)
        mask = graph.main_components[graph.node_comp[graph.edge_u]]
        link_places(places, graph, index, settings.snap_search_m,
                    settings.far_from_network_m, mask)
        bar.update()
    graph.meta["summary"] = summarize(graph)
    graph.meta["build_seconds"] = round(time.perf_counter() - started, 2)
    return graph


def build_id(meta: dict) -> str | None:
    """The identity of one build of a graph (older graphs: their build date).

    Edge ids mean something only within one build: itineraries record this id
    and are drawn over the graph's edges only when it matches.
    """
    return meta.get("build_id") or meta.get("build_date")


def _catalogue_within(arrays: dict, margin_m: float) -> list:
    """The shipped catalogue sites that lie inside the network's extent (+ margin)."""
    lat, lon = arrays["node_lat"], arrays["node_lon"]
    dlat = margin_m / 111_000.0
    dlon = dlat / max(np.cos(np.radians(float(lat.mean()))), 0.1)
    return [p for p in heritage.catalogue()
            if lat.min() - dlat <= p.lat <= lat.max() + dlat
            and lon.min() - dlon <= p.lon <= lon.max() + dlon]


def summarize(graph: CompiledGraph) -> dict:
    """Counts of a graph: nodes, edges, km by way type, routes, places by kind."""
    route_counts: dict = {}
    for route in graph.routes:
        route_counts[route["route"]] = route_counts.get(route["route"], 0) + 1
    kinds: dict = {}
    for place in graph.places:
        kinds[place.kind] = kinds.get(place.kind, 0) + 1
    ele = graph.node_ele[np.isfinite(graph.node_ele)]
    return {
        "nodes": graph.n_nodes,
        "edges": graph.n_edges,
        "km": round(float(graph.edge_len.sum()) / 1000, 1),
        "km_by_highway": way_kind_summary(graph.cat["highway"], graph.vocab["highway"],
                                          graph.edge_len),
        "components": len(graph.comp_length_m),
        "largest_component_share": round(float(graph.comp_length_m.max() / graph.edge_len.sum()), 4),
        "route_relations": route_counts,
        "route_refs": sorted({r["ref"] for r in graph.routes if r.get("ref")})[:50],
        "places_by_kind": dict(sorted(kinds.items())),
        "places_far_from_network": sum(1 for p in graph.places if p.far),
        "unesco_components": len({p.unesco_id for p in graph.places if p.unesco_id}),
        "dropped": graph.meta.get("dropped", {"ways": {}, "nodes": {}}),
        "node_network": node_network.summary(graph.node_network),
        "elevation_m": [round(float(ele.min()), 1), round(float(ele.max()), 1)] if len(ele) else None,
    }
