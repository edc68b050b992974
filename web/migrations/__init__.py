"""Alembic migrations of the service's database (see :mod:`web.schema`)."""
