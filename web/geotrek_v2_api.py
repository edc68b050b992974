"""The Geotrek API v2 (``/api/v2/``): its blueprints, registered together."""
from __future__ import annotations

from .geotrek_v2 import bp as treks
from .geotrek_v2_files import bp as files
from .geotrek_v2_lists import bp as lists


def register(app) -> None:
    """Register the read-only Geotrek API v2 on ``app``."""
    app.register_blueprint(treks)
    app.register_blueprint(files)
    app.register_blueprint(lists)
