"""The transactional outbox on PostgreSQL (psycopg 3, async).

Needs the ``postgres`` extra: ``pip install "lexigram-cqrs[postgres]"``.

``PostgresOutbox`` satisfies ``lexigram.cqrs.OutboxStore``: events are written in the
transaction of the change; ``OutboxRelay`` moves them to the transport, claiming rows with
``SELECT ... FOR UPDATE SKIP LOCKED`` so relays on several hosts do not send a row twice.
"""

from __future__ import annotations

try:
    import psycopg  # noqa: F401  # pyright: ignore[reportUnusedImport]
except ImportError as exc:  # pragma: no cover - exercised by the no-extras run
    raise ImportError(
        'lexigram.cqrs.postgres needs psycopg 3: pip install "lexigram-cqrs[postgres]"'
    ) from exc

from ._postgres_outbox import ConnectionSource, PostgresOutbox

__all__ = ["ConnectionSource", "PostgresOutbox"]
