"""``--dem download``: the open Copernicus GLO-30 DEM tiles of the basin, fetched and cached.

Copernicus DEM GLO-30 (30 m, © DLR e.V. 2010-2014 and © Airbus Defence and
Space GmbH 2014-2018, provided under COPERNICUS by the European Union and
ESA; free to use with that credit) is published as one Cloud-Optimised
GeoTIFF per square degree. The basin lies in N50 E002 and N50 E003; the
whole of Nord-Pas-de-Calais adds E001 and the N51 row. Tiles are streamed
with a progress bar into ``<cache_dir>/dem/copernicus-glo30`` (a ``.part``
file renamed when complete), so a second build reads them from disk.
"""
from __future__ import annotations

import urllib.request
from pathlib import Path

from .download import stream_to_file
from .errors import DownloadError
from .settings import Settings, settings as default_settings

#: Square degrees (south-west corners) of each downloadable area.
DEM_AREAS = {
    "bassin-minier": [(50, 2), (50, 3)],
    "nord-pas-de-calais": [(50, 1), (50, 2), (50, 3), (50, 4), (51, 1), (51, 2)],
}
DEM_CREDIT = ("Copernicus DEM GLO-30 © DLR e.V. 2010-2014 and © Airbus Defence and Space GmbH "
              "2014-2018, provided under COPERNICUS by the European Union and ESA")
OFFLINE_HINT = ("Offline? Put SRTM .hgt or GeoTIFF tiles of the area in a folder and pass "
                "'--dem FOLDER'; without --dem the graph is built without elevation.")


def tile_name(lat: int, lon: int) -> str:
    """Copernicus' name of the tile whose south-west corner is (lat, lon)."""
    ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
    return f"Copernicus_DSM_COG_10_{ns}{abs(lat):02d}_00_{ew}{abs(lon):03d}_00_DEM"


def download_dem(area: str = "bassin-minier", settings: Settings | None = None) -> Path:
    """Download (once) the DEM tiles of ``area``; returns the folder holding them.

    Raises
    ------
    DownloadError
        Unknown area, server error or no network (with what to do offline).
    """
    settings = settings or default_settings
    if area not in DEM_AREAS:
        raise DownloadError(f"unknown DEM area {area!r}; known: {', '.join(DEM_AREAS)}")
    folder = Path(settings.cache_dir) / "dem" / "copernicus-glo30"
    folder.mkdir(parents=True, exist_ok=True)
    base = settings.dem_url.rstrip("/")
    for lat, lon in DEM_AREAS[area]:
        name = tile_name(lat, lon)
        target = folder / f"{name}.tif"
        if target.is_file() and target.stat().st_size > 0:
            continue
        request = urllib.request.Request(f"{base}/{name}/{name}.tif",
                                         headers={"User-Agent": "bassin-routes/0.1"})
        stream_to_file(request, target, settings, f"DEM N{lat} E{lon:03d}",
                       f"the DEM server {settings.dem_url}", OFFLINE_HINT)
    return folder
