"""One settings object for the graph layer, instead of scattered globals.

Values can be overridden from the environment (``BASSIN_<NAME>``) or by
passing a modified copy (``dataclasses.replace``) to the functions that take
``settings``.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "bassin-routes"


@dataclasses.dataclass(frozen=True)
class Settings:
    """Tunable constants of graph building.

    Attributes
    ----------
    cache_dir : Path
        Where downloaded OSM extracts are cached.
    overpass_url : str
        Overpass API endpoint used by ``--area``/``--bbox``/``--place``.
    extract_url : str
        URL of the PBF extract of ``--extract`` (empty: the area's own, see
        :data:`graphs.extract.EXTRACTS`); its checksum is read from ``URL.md5``.
    download_timeout_s : int
        Server-side and socket timeout of a download.
    far_from_network_m : float
        A place farther than this from the network is flagged ``far``.
    snap_search_m : float
        Largest distance searched when linking a place to the network.
    index_step_m : float
        Spacing of the sample points of the edge spatial index.
    min_component_m : float
        Network components shorter than this are islands: places and route
        points are not linked to them while a larger component is in reach.
    progress : bool or None
        Show progress bars; ``None`` shows them on a terminal only.
    dem_url : str
        Base URL of the Copernicus GLO-30 DEM tiles ``--dem download`` fetches.
    """

    cache_dir: Path = dataclasses.field(default_factory=_default_cache_dir)
    overpass_url: str = "https://overpass-api.de/api/interpreter"
    extract_url: str = ""
    download_timeout_s: int = 600
    far_from_network_m: float = 500.0
    snap_search_m: float = 5000.0
    index_step_m: float = 25.0
    min_component_m: float = 1000.0
    progress: bool | None = None
    dem_url: str = "https://copernicus-dem-30m.s3.amazonaws.com"

    @classmethod
    def from_env(cls) -> "Settings":
        """Settings with ``BASSIN_*`` environment variables applied."""
        values = {}
        for field in dataclasses.fields(cls):
            raw = os.environ.get("BASSIN_" + field.name.upper())
            if raw is None:
                continue
            if field.name == "cache_dir":
                values[field.name] = Path(raw)
            elif field.name == "progress":
                values[field.name] = raw.lower() in ("1", "true", "yes")
            elif field.name == "overpass_url":
                values[field.name] = raw
            else:
                values[field.name] = type(getattr(cls(), field.name))(raw)
        return cls(**values)


settings = Settings.from_env()
