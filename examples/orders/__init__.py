"""An Orders API built with Lexigram: ``uv run lexigram run examples.orders:app``.

- ``domain``: orders, products, the status life cycle, domain errors;
- ``database``, ``database_postgres``, ``schema``, ``repositories``: SQLite (stdlib) on a
  dedicated thread, or PostgreSQL (psycopg 3, a connection pool);
- ``events``, ``confirmations``: order confirmations, durable across crashes (an outbox and
  a Redis stream with Redis; resumed from the database at startup without);
- ``services``: business rules returning ``Result``;
- ``messages``, ``handlers``: commands and queries through the CQRS buses;
- ``models``: pydantic request and response bodies;
- ``security``: the ``X-API-Key`` guard and roles; ``interceptors``: timing;
- ``live``: order changes followed over SSE and a WebSocket;
- ``controllers``: v2 (current) and v1 (deprecated) routes, reports, catalog;
- ``providers``, ``app``: wiring, configured by ``application.yaml``.
"""

from .app import app, create_app
from .settings import OrdersSettings, load_settings

__all__ = ["OrdersSettings", "app", "create_app", "load_settings"]
