"""A throwaway database on the local PostgreSQL (127.0.0.1:5432, user postgres, trust auth).

``PostgresDatabase`` creates a uniquely named database and drops it; ``schema_url()`` gives a
URL whose connections work in a fresh schema of it (each test its own tables, cheaply).
"""

from __future__ import annotations

import os
import uuid

import psycopg
import pytest

ADMIN = os.environ.get("LEXIGRAM_TEST_POSTGRES", "host=127.0.0.1 port=5432 user=postgres")


class PostgresDatabase:
    def __init__(self) -> None:
        self.name = f"lexigram_it_{uuid.uuid4().hex[:12]}"
        params = psycopg.conninfo.conninfo_to_dict(ADMIN)
        self.host = str(params.get("host", "127.0.0.1"))
        self.port = int(str(params.get("port", 5432)))
        self.user = str(params.get("user", "postgres"))

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.name}"

    def create(self) -> None:
        try:
            with psycopg.connect(f"{ADMIN} dbname=postgres", autocommit=True) as admin:
                admin.execute(f"CREATE DATABASE {self.name}")
        except psycopg.OperationalError as exc:
            pytest.fail(f"PostgreSQL is required at {ADMIN!r} (LEXIGRAM_TEST_POSTGRES): {exc}")

    def drop(self) -> None:
        with psycopg.connect(f"{ADMIN} dbname=postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")

    def refuse_connections(self) -> None:
        """The database goes away for the application: new connections are refused and the
        open ones are closed by the server (the server itself keeps running for others)."""
        with psycopg.connect(f"{ADMIN} dbname=postgres", autocommit=True) as admin:
            admin.execute(f"ALTER DATABASE {self.name} ALLOW_CONNECTIONS false")
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (self.name,),
            )

    def refuse_writes(self) -> None:
        """New connections to the database are read-only; the open ones are closed."""
        with psycopg.connect(f"{ADMIN} dbname=postgres", autocommit=True) as admin:
            admin.execute(f"ALTER DATABASE {self.name} SET default_transaction_read_only = on")
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (self.name,),
            )

    def accept_connections(self) -> None:
        with psycopg.connect(f"{ADMIN} dbname=postgres", autocommit=True) as admin:
            admin.execute(f"ALTER DATABASE {self.name} ALLOW_CONNECTIONS true")

    def schema_url(self) -> str:
        """A URL of this database whose connections use a new, empty schema."""
        schema = f"s_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(f"CREATE SCHEMA {schema}")
        return f"{self.url}?options=-csearch_path%3D{schema}"
