"""Download OSM data for an area from the Overpass API, cached on disk.

The query asks for exactly what the builder keeps (highways, route relations,
terrils, the place kinds of :mod:`graphs.poi`) as OSM XML, which
:func:`graphs.osm_reader.read_osm` then reads like any local file.
"""
from __future__ import annotations

import hashlib
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .errors import DownloadError
from .progress import progress_bar
from .settings import Settings, settings as default_settings

#: Named areas: (south, west, north, east). The basin outline plus ~3 km.
AREAS = {"bassin-minier": (50.20, 2.28, 50.64, 3.70)}

OFFLINE_HINT = ("Offline? Build from a local OSM file instead: "
                "'bassin-routes build --osm FILE.osm.pbf' (for the basin, an extract of "
                "Nord-Pas-de-Calais, e.g. nord-pas-de-calais-latest.osm.pbf from Geofabrik).")

_QUERY = """[out:xml][timeout:{timeout}][maxsize:4294967296];
(
  way["highway"]({b});
  relation["type"="route"]["route"~"^(hiking|foot|walking|running|bicycle|mtb)$"]({b});
  nwr["man_made"="spoil_heap"]({b});
  nwr["amenity"~"^(drinking_water|water_point|toilets|shelter|bicycle_repair_station|bicycle_rental|cafe|restaurant|fast_food|pub|biergarten)$"]({b});
  nwr["tourism"~"^(hotel|guest_house|hostel|motel|apartment|chalet|alpine_hut|camp_site|caravan_site|wilderness_hut|picnic_site|viewpoint|museum|attraction)$"]({b});
  nwr["railway"~"^(station|halt)$"]({b});
  nwr["shop"="bicycle"]({b});
  nwr["leisure"="picnic_table"]({b});
  node["natural"="peak"]({b});
);
(._;>;);
out body;
"""


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """Parse ``'SOUTH,WEST,NORTH,EAST'`` in degrees."""
    try:
        south, west, north, east = (float(v) for v in text.split(","))
    except ValueError:
        raise DownloadError(f"bad bbox {text!r}: expected SOUTH,WEST,NORTH,EAST in degrees") from None
    if not (-90 <= south < north <= 90 and -180 <= west < east <= 180):
        raise DownloadError(f"bad bbox {text!r}: need south < north and west < east")
    return south, west, north, east


def geocode_bbox(place: str) -> tuple[float, float, float, float]:
    """Bounding box of a place name, through osmnx's Nominatim geocoder."""
    import osmnx

    try:
        gdf = osmnx.geocode_to_gdf(place)
    except Exception as exc:  # osmnx raises requests/HTTP/its own errors alike
        raise DownloadError(f"could not geocode {place!r}: {exc}. {OFFLINE_HINT}") from None
    west, south, east, north = gdf.total_bounds
    return float(south), float(west), float(north), float(east)


def download_osm(area: str | None = None, bbox: str | tuple | None = None,
                 place: str | None = None, settings: Settings | None = None) -> Path:
    """Download (or reuse from the cache) an OSM XML file for an area.

    Parameters
    ----------
    area : str, optional
        A name of :data:`AREAS` (``bassin-minier``).
    bbox : str or tuple, optional
        ``'S,W,N,E'`` or a 4-tuple.
    place : str, optional
        A place name to geocode (needs Nominatim).
    settings : Settings, optional

    Returns
    -------
    Path
        The cached ``.osm`` file.

    Raises
    ------
    DownloadError
        Unknown area, bad bbox, server unreachable (offline) or refusing.
    """
    settings = settings or default_settings
    if place:
        box = geocode_bbox(place)
    elif bbox:
        box = parse_bbox(bbox) if isinstance(bbox, str) else tuple(bbox)
    else:
        area = area or "bassin-minier"
        if area not in AREAS:
            raise DownloadError(f"unknown area {area!r}; known: {', '.join(AREAS)}")
        box = AREAS[area]
    b = ",".join(f"{v:.5f}" for v in box)
    query = _QUERY.format(timeout=settings.download_timeout_s, b=b)
    key = hashlib.sha256(query.encode()).hexdigest()[:16]
    cache = Path(settings.cache_dir) / f"overpass-{key}.osm"
    if cache.is_file() and cache.stat().st_size > 0:
        return cache
    cache.parent.mkdir(parents=True, exist_ok=True)
    data = urllib.parse.urlencode({"data": query}).encode()
    request = urllib.request.Request(settings.overpass_url, data=data,
                                     headers={"User-Agent": "bassin-routes/0.1"})
    stream_to_file(request, cache, settings, f"download {b}", f"Overpass ({settings.overpass_url})",
                   OFFLINE_HINT)
    return cache


def stream_to_file(request, target: Path, settings, desc: str, server: str, hint: str) -> None:
    """Stream a download into ``target`` with a progress bar (a ``.part`` file renamed when
    complete, removed on failure); network and HTTP errors become a DownloadError that
    names ``server`` and ends with ``hint`` (what to do offline)."""
    partial = target.with_suffix(f".part{os.getpid()}")
    try:
        with urllib.request.urlopen(request, timeout=settings.download_timeout_s) as response, \
                open(partial, "wb") as out, \
                progress_bar(settings.progress, desc=desc, unit="B", unit_scale=True,
                             total=int(response.headers.get("Content-Length") or 0) or None) as bar:
            while chunk := response.read(1 << 20):
                out.write(chunk)
                bar.update(len(chunk))
        partial.rename(target)
    except urllib.error.HTTPError as exc:
        partial.unlink(missing_ok=True)
        raise DownloadError(f"{server} refused the download (HTTP {exc.code} {exc.reason}). "
                            f"{hint}") from None
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError) as exc:
        partial.unlink(missing_ok=True)
        reason = getattr(exc, "reason", exc)
        raise DownloadError(f"cannot reach {server} ({reason}). {hint}") from None
