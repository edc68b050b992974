"""The heritage of the basin: the shipped catalogue and the official layers.

The official layers are those of the Mission Bassin Minier (Licence Ouverte
Etalab 2.0), as published on data.gouv.fr: terrils, cités minières, mining
buildings, the elements of the UNESCO property, mine shafts, cavaliers.
"""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from shapely.geometry import mapping, shape

from . import poi
from .errors import HeritageError
from .places import Place

ATTRIBUTION = "Mission Bassin Minier Nord-Pas de Calais / data.gouv.fr (Licence Ouverte Etalab 2.0)"

# file -> (kind, category, zone)
LAYERS = {
    "terrils.geojson": ("terril", "unesco", "property"),
    "zt-terrils.geojson": ("terril", "buffer_zone", "buffer"),
    "cites-minieres.geojson": ("cite", None, "property"),
    "zt-cites-minieres.geojson": ("cite", None, "buffer"),
    "batis.geojson": ("mining_building", None, "property"),
    "bien-inscrit.geojson": ("unesco_element", None, "property"),
    "espace-neonaturel.geojson": ("park", "espace_neonaturel", "property"),
    "cavaliers.geojson": ("cavalier", "unesco", "property"),
    "puits-de-mines.geojson": ("mine_shaft", None, None),
}


def catalogue() -> list[Place]:
    """The curated sites shipped with the package (major sites, Louvre-Lens, parks)."""
    text = resources.files("graphs").joinpath("data/catalogue.json").read_text("utf-8")
    places = []
    for item in json.loads(text)["places"]:
        places.append(Place(id=item["id"], kind=item["kind"], name=item["name"],
                            lat=item["lat"], lon=item["lon"], source="catalogue",
                            unesco_id=item.get("unesco_id"), tags=item.get("tags", {})))
    return places



def _name(kind: str, props: dict) -> str | None:
    name = props.get("nom") or props.get("denomination")
    if kind == "terril":
        number = props.get("no_terril") or props.get("id")
        base = props.get("nom_usuel") or name or ""
        return f"Terril {number} {base}".strip() if number else base or None
    if kind == "mine_shaft":
        fosse = props.get("fosse")
        return f"Puits {props.get('puits') or '?'} (fosse {fosse}), {props.get('commune')}"
    return name


def _place_id(kind: str, props: dict, file_stem: str, index: int) -> str:
    if kind == "terril" and (props.get("no_terril") or props.get("id")):
        return f"terril:{props.get('no_terril') or props.get('id')}"
    if props.get("id_unesco") and kind != "mine_shaft":
        return f"{kind}:{props['id_unesco']}"
    if props.get("id_lsm") is not None:
        return f"{kind}:lsm{int(props['id_lsm'])}"
    if props.get("no_element"):
        return f"{kind}:{props['no_element']}"
    return f"{kind}:{file_stem}-{index}"


def read_layers(directory: str | Path) -> list[Place]:
    """Places from the official GeoJSON layers found in ``directory``.

    Raises
    ------
    HeritageError
        When the directory holds none of the known layers or a layer is unreadable.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise HeritageError(f"heritage directory not found: {directory}")
    places: list[Place] = []
    seen: set[str] = set()
    found = 0
    for filename, (kind, category, zone) in LAYERS.items():
        path = directory / filename
        if not path.is_file():
            continue
        found += 1
        try:
            features = json.loads(path.read_text("utf-8"))["features"]
        except (ValueError, KeyError, OSError) as exc:
            raise HeritageError(f"{filename}: not a GeoJSON FeatureCollection ({exc})") from None
        for index, feature in enumerate(features):
            if not feature.get("geometry"):
                continue
            props = {k: v for k, v in (feature.get("properties") or {}).items() if v is not None}
            geom = shape(feature["geometry"])
            if geom.is_empty:
                continue
            point = geom.representative_point() if geom.geom_type != "Point" else geom
            place_id = _place_id(kind, props, path.stem, index)
            if place_id in seen:
                place_id = f"{place_id}-{index}"
            seen.add(place_id)
            tags = {k: v for k, v in props.items() if isinstance(v, (str, int, float))}
            if zone:
                tags["zone"] = zone
            places.append(Place(
                id=place_id, kind=kind, category=category or props.get("typologie") or props.get("type"),
                name=_name(kind, props), lat=point.y, lon=point.x, source="heritage",
                unesco_id=props.get("id_unesco"), tags=tags,
                geometry=mapping(geom) if geom.geom_type != "Point" else None))
    if not found:
        raise HeritageError(f"no heritage layer ({', '.join(LAYERS)}) in {directory}")
    return places


def merge_terrils(osm: list[Place], heritage: list[Place]) -> list[Place]:
    """Merge OSM spoil heaps into the official terrils they stand for.

    An OSM terril matches an official one by ``ref`` (its T-number), by
    ``ref:whc`` (its UNESCO id) or by overlapping outlines; the official
    identity and names win, OSM's tags are kept under ``osm_*``.
    """
    official = [p for p in heritage if p.kind == "terril"]
    by_ref = {p.id.split(":", 1)[1]: p for p in official}
    by_whc = {p.unesco_id: p for p in official if p.unesco_id}
    shapes = [p.shape() for p in official]
    kept = []
    for place in osm:
        if place.kind != "terril":
            kept.append(place)
            continue
        match = by_ref.get(place.tags.get("ref", "")) or by_whc.get(place.tags.get("ref:whc", ""))
        if match is None and place.geometry:
            polygon = shape(place.geometry)
            overlaps = [i for i, s in enumerate(shapes)
                        if s.intersects(polygon) and s.intersection(polygon).area > 0.3 * polygon.area]
            match = official[overlaps[0]] if overlaps else None
        if match is None:
            kept.append(place)
            continue
        match.tags["osm_id"] = place.id
        if place.summit and (not match.summit or match.summit.get("source") == "centroid"):
            match.summit = place.summit
        if place.tags.get("name") and place.tags["name"] != match.name:
            match.tags["osm_name"] = place.tags["name"]
        for lang in poi.NAME_LANGUAGES:      # the official names are French; OSM may translate
            if lang != "fr" and place.tags.get(f"name:{lang}"):
                match.tags.setdefault(f"name:{lang}", place.tags[f"name:{lang}"])
    return kept + heritage


def layer_summary(places: list[Place]) -> dict:
    """Counts by kind, with the number of UNESCO components among them."""
    counts: dict = {}
    for place in places:
        counts[place.kind] = counts.get(place.kind, 0) + 1
    counts["unesco_components"] = len({p.unesco_id for p in places if p.unesco_id})
    return counts



