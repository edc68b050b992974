"""Service configuration, from the environment (``BASSIN_*``) with safe defaults."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_TILES_ATTRIBUTION = ('&copy; <a href="https://www.openstreetmap.org/copyright">'
                         "OpenStreetMap</a> contributors")


def create_private_file(path: Path, text: str = "") -> bool:
    """Create ``path`` readable by its owner only (0600 from the first byte, no race).

    Returns False when it already exists (its content is left alone).
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    return True


def _instance_secret(instance: Path) -> str:
    """A secret key kept in the instance folder, so sessions survive restarts."""
    path = instance / "secret_key"
    create_private_file(path, secrets.token_hex(32))
    return path.read_text().strip()


def load_config(overrides: dict | None = None) -> dict:
    """The Flask config: environment first, then ``overrides`` (tests)."""
    env = os.environ
    https = env.get("BASSIN_HTTPS", "0") == "1"
    instance = Path(env.get("BASSIN_INSTANCE_DIR", "instance")).resolve()
    config = {
        "GRAPH_DIR": env.get("BASSIN_GRAPH_DIR", "build/bassin-minier"),
        "DATABASE_URL": env.get("BASSIN_DATABASE_URL", f"sqlite:///{instance / 'bassin.db'}"),
        # Create/upgrade the schema on start (0: refuse a database that is behind; run
        # 'bassin-routes db upgrade'); seconds a connection, statement or lock may take.
        "DB_AUTO_UPGRADE": env.get("BASSIN_DB_AUTO_UPGRADE", "1") != "0",
        "DB_TIMEOUT": float(env.get("BASSIN_DB_TIMEOUT", "5")),
        # reverse proxies in front (nginx: 1), whose X-Forwarded-* headers are trusted
        "PROXY_HOPS": int(env.get("BASSIN_PROXY_HOPS", "0")),
        "LOG_FORMAT": env.get("BASSIN_LOG_FORMAT", "json"),     # json, text or none
        # anonymous GeoJSON routes answered without Flask's request machinery (web.fast_route)
        "FAST_ROUTE": env.get("BASSIN_FAST_ROUTE", "1") != "0",
        "TILE_URL": env.get("BASSIN_TILE_URL", OSM_TILES),
        "TILE_ATTRIBUTION": env.get("BASSIN_TILE_ATTRIBUTION", OSM_TILES_ATTRIBUTION),
        "EMBED_ORIGINS": env.get("BASSIN_EMBED_ORIGINS", "'self'"),
        "MAX_CONTENT_LENGTH": int(float(env.get("BASSIN_MAX_UPLOAD_MB", "10")) * 1024 * 1024),
        "DEFAULT_LANGUAGE": env.get("BASSIN_LANGUAGE", "fr"),
        "PUBLIC_URL": env.get("BASSIN_PUBLIC_URL", ""),
        "COMMUNES_FILE": env.get("BASSIN_COMMUNES_FILE", ""),
        "CLOSURES_FILE": env.get("BASSIN_CLOSURES_FILE", ""),
        # the isochrone control of the itinerary map pages (0: none)
        "MAP_ISOCHRONES": env.get("BASSIN_MAP_ISOCHRONES", "1") != "0",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Served over HTTPS (BASSIN_HTTPS=1): Secure cookies and HSTS.
        "HTTPS": https,
        "SESSION_COOKIE_SECURE": https or env.get("BASSIN_SECURE_COOKIES", "0") == "1",
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        # Rate limits (Flask-Limiter storage and ``limits`` strings, ";" between several).
        "RATELIMIT_STORAGE_URI": env.get("BASSIN_RATELIMIT_STORAGE", "memory://"),
        "RATELIMIT_ENABLED": env.get("BASSIN_RATELIMIT", "1") != "0",
        "LOGIN_LIMIT_USER": env.get("BASSIN_LOGIN_LIMIT_USER", "5/minute;20/hour"),
        "LOGIN_LIMIT_ADDRESS": env.get("BASSIN_LOGIN_LIMIT_ADDRESS", "20/minute;100/hour"),
        "EXPENSIVE_LIMIT": env.get("BASSIN_EXPENSIVE_LIMIT", "30/minute;300/hour"),
        "TOKEN_DAYS": int(env.get("BASSIN_TOKEN_DAYS", "90")),
        "INSTANCE_DIR": str(instance),
        # Bounds of one request's input and work (see web.params, routing.budget).
        "JSON_MAX_BYTES": int(float(env.get("BASSIN_JSON_MAX_KB", "2048")) * 1024),
        "JSON_MAX_DEPTH": int(env.get("BASSIN_JSON_MAX_DEPTH", "32")),
        "GPX_MAX_ELEMENTS": int(env.get("BASSIN_GPX_MAX_ELEMENTS", "1000000")),
        "BUDGET_SECONDS": float(env.get("BASSIN_BUDGET_SECONDS", "20")),
        "BUDGET_WORK": int(env.get("BASSIN_BUDGET_WORK", "20000")),
        "BUDGET_RETRY_AFTER_S": int(env.get("BASSIN_BUDGET_RETRY_AFTER_S", "30")),
        # profiles built at start-up (the others on first use); empty: all of them
        "PROFILES": [p for p in env.get("BASSIN_PROFILES", "").split(",") if p] or None,
        # the network layer of the maps (/api/v1/network): tiles and ways per answer, tiles kept
        "NETWORK_MAX_TILES": int(env.get("BASSIN_NETWORK_MAX_TILES", "160")),
        "NETWORK_MAX_LINES": int(env.get("BASSIN_NETWORK_MAX_LINES", "60000")),
        "NETWORK_TILE_CACHE": int(env.get("BASSIN_NETWORK_TILE_CACHE", "2048")),
        "NETWORK_ANSWER_CACHE_MB": float(env.get("BASSIN_NETWORK_ANSWER_CACHE_MB", "32")),
        # rendered PDF fiches kept in memory per process (web.fiche), megabytes
        "FICHE_CACHE_MB": float(env.get("BASSIN_FICHE_CACHE_MB", "64")),
    }
    config.update(overrides or {})
    if "SECRET_KEY" not in config:
        config["SECRET_KEY"] = env.get("BASSIN_SECRET_KEY") or _instance_secret(
            Path(config["INSTANCE_DIR"]))
    return config
