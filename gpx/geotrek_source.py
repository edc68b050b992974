"""Where Geotrek treks come from: a JSON file, or a Geotrek-admin instance over HTTP.

From an instance (any URL under its ``/api/v2/``) we do what Geotrek-admin's
Geotrek parser does: pull the reference lists (``trek_practice``,
``trek_route``…), page through the treks (``next``, bounded), ask ``tour/``
for the ordered ``steps`` of each parent and fetch the steps that are not in
the list. From a file, reference lists are read from sibling files named
after the endpoints (``trek_practice.json``…) when they are there.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .errors import GPXInputError
from .geotrek_import import LISTS, SourceReferences, read_batch, treks_in

MAX_BYTES = 20 * 1024 * 1024
MAX_PAGES = 200


def is_url(source) -> bool:
    """Whether ``source`` names an http(s) URL rather than a file."""
    return str(source).startswith(("http://", "https://"))


def fetch_json(url: str, timeout: float = 60, max_bytes: int = MAX_BYTES):
    """GET a JSON document (bounded in size and time); errors are :class:`GPXInputError`."""
    request = urllib.request.Request(url, headers={"Accept": "application/json",
                                                   "User-Agent": "bassin-routes/0.1"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        raise GPXInputError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise GPXInputError(f"cannot fetch {url} ({getattr(exc, 'reason', exc)}); offline? "
                            "save the JSON to a file and import the file") from None
    return _parse(data, max_bytes, url)


def _parse(data: bytes, max_bytes: int, where: str):
    if len(data) > max_bytes:
        raise GPXInputError(f"{where}: Geotrek document larger than "
                            f"{max_bytes // (1024 * 1024)} MB: refused")
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise GPXInputError(f"{where}: not JSON ({exc})") from None


def load_document(source: str | Path, max_bytes: int = MAX_BYTES, timeout: float = 60):
    """A Geotrek JSON document from a file or (online) an http(s) URL."""
    if is_url(source):
        return fetch_json(str(source), timeout, max_bytes)
    path = Path(source)
    if not path.is_file():
        raise GPXInputError(f"file not found: {path}")
    with open(path, "rb") as handle:
        return _parse(handle.read(max_bytes + 1), max_bytes, str(path))


def api_root(url: str) -> str:
    """The ``…/api/v2/`` root of an instance URL (the URL's origin + /api/v2/ if absent)."""
    parts = urllib.parse.urlsplit(url)
    marker = parts.path.find("/api/v2/")
    path = parts.path[: marker + len("/api/v2/")] if marker >= 0 else "/api/v2/"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _pages(url: str, fetch, limit: int = MAX_PAGES) -> list:
    """All ``results`` of a paginated list (``next`` followed, at most ``limit`` pages)."""
    results, seen = [], set()
    for _ in range(limit):
        if url in seen:
            break
        seen.add(url)
        page = fetch(url)
        if not isinstance(page, dict):
            break
        results.extend((page.get("results") or []) if "results" in page else [page])
        url = page.get("next")
        if not isinstance(url, str) or not is_url(url):
            break
    return results


def _with_query(url: str, **params) -> str:
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    query.update({k: v for k, v in params.items() if v is not None})
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _tour_steps(tours: list) -> dict:
    steps = {}
    for tour in tours:
        if isinstance(tour, dict) and isinstance(tour.get("uuid"), str) and isinstance(
                tour.get("steps"), list):
            steps[tour["uuid"]] = [s["id"] for s in tour["steps"]
                                   if isinstance(s, dict) and isinstance(s.get("id"), int)]
    return steps


def read_instance(url: str, fetch=fetch_json, language: str = "fr"):
    """Import what a Geotrek instance serves at ``url`` (a trek, or a list, paged).

    Returns
    -------
    ImportBatch
        With a warning for each reference list or tour list the instance does not serve.
    """
    root = api_root(url)
    warnings, lists = [], {}
    for endpoint, _key in LISTS.values():
        try:
            lists[endpoint] = _pages(_with_query(root + f"{endpoint}/", page_size=200), fetch)
        except GPXInputError as exc:
            warnings.append(f"reference list {endpoint} unavailable ({exc}); its ids stay unknown")
    objs = []
    for item in _pages(url, fetch):
        try:
            objs.extend(treks_in(item))
        except GPXInputError as exc:
            warnings.append(f"{url}: {exc}")
    try:
        steps = _tour_steps(_pages(_with_query(root + "tour/", fields="id,uuid,steps,published"),
                                   fetch))
    except GPXInputError as exc:
        steps = {}
        warnings.append(f"tour list unavailable ({exc}); children read from the treks")
    batch = read_batch(objs, SourceReferences(lists), steps,
                       fetch_trek=lambda trek_id: fetch(root + f"trek/{int(trek_id)}/"),
                       language=language)
    batch.warnings[:0] = warnings
    return batch


def read_source(source, references_dir: str | Path | None = None, language: str = "fr"):
    """Import a file (reference lists from ``references_dir`` or beside it) or an instance URL."""
    if is_url(source):
        return read_instance(str(source), language=language)
    document = load_document(source)
    folder = Path(references_dir) if references_dir else Path(source).parent
    lists = {}
    for endpoint, _key in LISTS.values():
        # Geotrek-admin's fixtures name some lists trek_theme.json, trek_label.json.
        for path in (folder / f"{endpoint}.json", folder / f"trek_{endpoint}.json"):
            if path.is_file():
                lists[endpoint] = treks_in_list(load_document(path))
                break
    if not lists and references_dir:
        raise GPXInputError(f"no reference list (trek_practice.json…) in {references_dir}")
    return read_batch(treks_in(document), SourceReferences(lists or None), language=language)


def treks_in_list(document) -> list:
    """The entries of a reference-list document (a page with ``results`` or a bare list)."""
    if isinstance(document, dict):
        return document.get("results") or []
    return document if isinstance(document, list) else []
