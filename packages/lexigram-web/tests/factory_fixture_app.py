"""An application factory for ``lexigram run factory_fixture_app:create_app --factory``: it
reports what the server told it about the request (client, scheme, root path)."""

from __future__ import annotations

from typing import Any

from lexigram.web import ExecutionContext, LexigramApp

created = 0


def create_app() -> LexigramApp:
    global created
    created += 1
    app = LexigramApp()

    @app.get("/whoami")
    async def whoami(context: ExecutionContext) -> dict[str, Any]:
        scope = context.scope
        return {
            "client": scope["client"][0],
            "scheme": scope["scheme"],
            "root_path": scope.get("root_path", ""),
            "created": created,
        }

    return app
