"""Telling database settings apart (shared by the settings and the database layer)."""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["describe_database", "is_postgres_url"]


def is_postgres_url(database: str) -> bool:
    """Whether ``database`` names a PostgreSQL server rather than an SQLite file."""
    return database.startswith(("postgresql://", "postgres://"))


def describe_database(database: str) -> str:
    """``database`` for a log line: a URL without its password."""
    if not is_postgres_url(database):
        return f"SQLite {database}"
    parts = urlsplit(database)
    return f"PostgreSQL {parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path}"
