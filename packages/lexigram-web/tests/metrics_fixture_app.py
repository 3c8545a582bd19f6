"""An app with metrics on, for the multi-worker test (``lexigram run metrics_fixture_app:app``)."""

from __future__ import annotations

import os

from lexigram.web import LexigramApp

app = LexigramApp(observability={"metrics": {"enabled": True}})


@app.get("/ping")
async def ping() -> dict[str, bool]:
    return {"ok": True}


@app.get("/pid")
async def pid() -> dict[str, int]:
    """The worker's process id: the test sees both workers answer."""
    return {"pid": os.getpid()}
