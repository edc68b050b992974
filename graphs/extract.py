"""A regional PBF extract, downloaded resumably and checked, clipped to an area's outline.

``bassin-routes build --area bassin-minier --extract`` fetches Geofabrik's
Nord-Pas-de-Calais extract (all of OSM there, where Overpass gives only what the
builder asks for), verifies it against the ``.md5`` published beside it, and clips
it with ``osmium extract`` to the basin outline shipped in ``graphs/data`` (the
official outline, Etalab 2.0, widened by about 2 km). An interrupted download
resumes where it stopped (HTTP ``Range`` with ``If-Range``, so a file that changed
upstream meanwhile starts over); both files are cached.
"""
from __future__ import annotations

import dataclasses
import hashlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

from .errors import DownloadError
from .progress import progress_bar
from .settings import Settings, settings as default_settings

DATA = Path(__file__).resolve().parent / "data"
CHUNK = 1 << 20


@dataclasses.dataclass(frozen=True)
class Extract:
    """Where an area's extract comes from and the outline it is clipped to."""

    url: str
    outline: Path


EXTRACTS = {"bassin-minier": Extract(
    "https://download.geofabrik.de/europe/france/nord-pas-de-calais-latest.osm.pbf",
    DATA / "bassin-minier-outline.geojson")}

OFFLINE = ("Offline? Build from a local file instead: 'bassin-routes build --osm "
           "nord-pas-de-calais-latest.osm.pbf' (or the basin test network).")


def _open(url: str, timeout: float, headers: dict | None = None):
    request = urllib.request.Request(url, headers={"User-Agent": "bassin-routes/0.1",
                                                   **(headers or {})})
    try:
        return urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError) as exc:
        raise DownloadError(f"cannot reach {url} ({getattr(exc, 'reason', exc)}). "
                            f"{OFFLINE}") from None


def published_md5(url: str, timeout: float) -> str:
    """The MD5 the server publishes beside ``url`` (``url.md5``: ``<hex>  <name>``)."""
    with _open(url + ".md5", timeout) as response:
        text = response.read(4096).decode("ascii", "replace").split()
    if not text or len(text[0]) != 32 or any(c not in "0123456789abcdef" for c in text[0].lower()):
        raise DownloadError(f"{url}.md5 holds no MD5 checksum")
    return text[0].lower()


def file_md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _transfer(url: str, part: Path, state: dict, timeout: float, progress) -> None:
    """One request: append to ``part`` from where it stops (or restart on a 200)."""
    have = part.stat().st_size if part.exists() else 0
    headers = {}
    if have and state.get("validator"):
        headers = {"Range": f"bytes={have}-", "If-Range": state["validator"]}
    with _open(url, timeout, headers) as response:
        resumed = response.status == 206
        if not resumed:
            have = 0
        state["validator"] = response.headers.get("ETag") or response.headers.get("Last-Modified")
        length = int(response.headers.get("Content-Length") or 0)
        with open(part, "ab" if resumed else "wb") as out, \
                progress_bar(progress, desc=f"download {part.stem}", unit="B",
                             unit_scale=True, total=have + length or None, initial=have) as bar:
            while chunk := response.read(CHUNK):
                out.write(chunk)
                bar.update(len(chunk))
        if length and part.stat().st_size < have + length:
            raise http.client.IncompleteRead(b"", have + length - part.stat().st_size)


def fetch(url: str, dest: Path, *, timeout: float = 600, progress: bool | None = None,
          attempts: int = 5) -> Path:
    """Download ``url`` to ``dest``, resuming after interruptions; checked by its ``.md5``.

    Raises
    ------
    DownloadError
        Unreachable (offline), refused, no checksum, still cut after ``attempts``
        requests, or the file does not match its checksum (it is then deleted).
    """
    dest = Path(dest)
    expected = published_md5(url, timeout)
    if dest.is_file() and file_md5(dest) == expected:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    part, state_file = dest.with_name(dest.name + ".part"), dest.with_name(dest.name + ".part.json")
    state = json.loads(state_file.read_text()) if state_file.is_file() else {}
    if state.get("md5") != expected:           # a part of another upstream file: start over
        part.unlink(missing_ok=True)
        state = {"md5": expected}
    for _ in range(attempts if not (part.is_file() and file_md5(part) == expected) else 0):
        try:
            _transfer(url, part, state, timeout, progress)
            break
        except (http.client.IncompleteRead, ConnectionError, socket.timeout, TimeoutError):
            state_file.write_text(json.dumps(state))    # resumable even after a crash
    else:
        if not (part.is_file() and file_md5(part) == expected):
            raise DownloadError(f"{url}: still interrupted after {attempts} attempts; run the "
                                f"command again to resume ({part.stat().st_size} bytes kept)")
    state_file.write_text(json.dumps(state))
    if file_md5(part) != expected:
        part.unlink()
        state_file.unlink(missing_ok=True)
        raise DownloadError(f"{url}: the download does not match its MD5 {expected}; "
                            "deleted, run the command again")
    os.replace(part, dest)
    state_file.unlink(missing_ok=True)
    return dest


def clip(source: Path, outline: Path, dest: Path) -> Path:
    """``osmium extract`` of ``source`` inside ``outline`` (ways kept whole) into ``dest``.

    Raises
    ------
    DownloadError
        osmium-tool is not installed, or it failed on the file.
    """
    osmium = shutil.which("osmium")
    if osmium is None:
        raise DownloadError("clipping an extract needs osmium-tool (apt-get install "
                            "osmium-tool)")
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.osm.pbf")
    result = subprocess.run([osmium, "extract", "--polygon", str(outline), "--strategy",
                             "complete_ways", "--overwrite", "--no-progress", "-o", str(tmp),
                             str(source)], capture_output=True, text=True)
    if result.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise DownloadError(f"osmium extract failed on {source}: {result.stderr.strip()[:500]}")
    os.replace(tmp, dest)
    return dest


def download_extract(area: str = "bassin-minier", settings: Settings | None = None) -> Path:
    """The area's extract, downloaded (or cached) and clipped to its outline (cached too)."""
    settings = settings or default_settings
    if area not in EXTRACTS:
        raise DownloadError(f"no extract known for {area!r}; known: {', '.join(EXTRACTS)}")
    extract = EXTRACTS[area]
    url = settings.extract_url or extract.url
    cache = Path(settings.cache_dir)
    region = fetch(url, cache / url.rsplit("/", 1)[-1], timeout=settings.download_timeout_s,
                   progress=settings.progress)
    key = hashlib.sha256(f"{file_md5(region)}:{extract.outline.read_bytes()!r}".encode())
    clipped = cache / f"{area}-{key.hexdigest()[:12]}.osm.pbf"
    return clipped if clipped.is_file() else clip(region, extract.outline, clipped)
