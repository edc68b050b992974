"""Service configuration, from the environment (``BASSIN_*``) with safe defaults."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_TILES_ATTRIBUTION = ('&copy; <a href="https://www.openstreetmap.org/copyright">'
                         "OpenStreetMap</a> contributors")


def _instance_secret(instance: Path) -> str:
    """A secret key kept in the instance folder, so sessions survive restarts."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def load_config(overrides: dict | None = None) -> dict:
    """The Flask config: environment first, then ``overrides`` (tests)."""
    env = os.environ
    instance = Path(env.get("BASSIN_INSTANCE_DIR", "instance")).resolve()
    config = {
        "GRAPH_DIR": env.get("BASSIN_GRAPH_DIR", "build/bassin-minier"),
        "DATABASE_URL": env.get("BASSIN_DATABASE_URL", f"sqlite:///{instance / 'bassin.db'}"),
        "TILE_URL": env.get("BASSIN_TILE_URL", OSM_TILES),
        "TILE_ATTRIBUTION": env.get("BASSIN_TILE_ATTRIBUTION", OSM_TILES_ATTRIBUTION),
        "EMBED_ORIGINS": env.get("BASSIN_EMBED_ORIGINS", "'self'"),
        "MAX_CONTENT_LENGTH": int(float(env.get("BASSIN_MAX_UPLOAD_MB", "10")) * 1024 * 1024),
        "DEFAULT_LANGUAGE": env.get("BASSIN_LANGUAGE", "fr"),
        "PUBLIC_URL": env.get("BASSIN_PUBLIC_URL", ""),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("BASSIN_SECURE_COOKIES", "0") == "1",
        "INSTANCE_DIR": str(instance),
        # Bounds of one request's input and work (see web.params, routing.budget).
        "JSON_MAX_BYTES": int(float(env.get("BASSIN_JSON_MAX_KB", "2048")) * 1024),
        "JSON_MAX_DEPTH": int(env.get("BASSIN_JSON_MAX_DEPTH", "32")),
        "GPX_MAX_ELEMENTS": int(env.get("BASSIN_GPX_MAX_ELEMENTS", "1000000")),
        "BUDGET_SECONDS": float(env.get("BASSIN_BUDGET_SECONDS", "20")),
        "BUDGET_WORK": int(env.get("BASSIN_BUDGET_WORK", "20000")),
        "BUDGET_RETRY_AFTER_S": int(env.get("BASSIN_BUDGET_RETRY_AFTER_S", "30")),
    }
    config.update(overrides or {})
    if "SECRET_KEY" not in config:
        config["SECRET_KEY"] = env.get("BASSIN_SECRET_KEY") or _instance_secret(
            Path(config["INSTANCE_DIR"]))
    return config
