"""lexigram-http-errors against Starlette's own error responses (the baseline).

Run: ``python bench/micro/bench_http_errors.py [--quick]`` with the ``bench`` group installed
(it brings Starlette through FastAPI). Contenders are interleaved in rounds; the figure is
the median ns/op by CPU time (``process_time``) and by wall clock; the ratio is Starlette's
time divided by ours (above 1.0: we are faster).

Scenarios:
- render a 404 with a detail and one header: ``render_exception`` (problem+json, raw ASGI
  headers) against Starlette's usual handler, ``JSONResponse({"detail": ...}, headers=...)``;
- render an unexpected exception as a 500: ours (generic problem+json) against Starlette's
  ``PlainTextResponse("Internal Server Error", 500)``;
- the whole ASGI round trip of an app raising a 404: ``ProblemDetailsMiddleware`` against
  Starlette's ``ExceptionMiddleware`` with a JSON handler for its ``HTTPException``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

from _timing import Samples, time_sync
from starlette.exceptions import HTTPException
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from lexigram.http_errors import NotFoundError, ProblemDetailsMiddleware, render_exception

Message = MutableMapping[str, Any]


def _scope() -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/items/3",
        "raw_path": b"/items/3",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }


async def _receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message: Message) -> None:
    return None


def _asgi_case(app: Any, loop: asyncio.AbstractEventLoop, batch: int) -> Callable[[], object]:
    """One call runs ``batch`` requests; the caller divides by ``batch``."""

    async def run() -> None:
        for _ in range(batch):
            await app(_scope(), _receive, _send)

    return lambda: loop.run_until_complete(run())


def scenarios(loop: asyncio.AbstractEventLoop, batch: int) -> dict[str, dict[str, Any]]:
    ours_404 = NotFoundError("item 3 not found", headers={"X-Item": "3"})
    theirs_404 = HTTPException(404, "item 3 not found", headers={"X-Item": "3"})
    crash = RuntimeError("database password is hunter2")

    def starlette_404() -> object:
        return JSONResponse(
            {"detail": theirs_404.detail},
            status_code=theirs_404.status_code,
            headers=theirs_404.headers,
        )

    async def raise_ours(scope: Any, receive: Any, send: Any) -> None:
        raise NotFoundError("item 3 not found", headers={"X-Item": "3"})

    async def raise_theirs(scope: Any, receive: Any, send: Any) -> None:
        raise HTTPException(404, "item 3 not found", headers={"X-Item": "3"})

    async def json_handler(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )

    theirs_stack = ExceptionMiddleware(raise_theirs, handlers={HTTPException: json_handler})
    return {
        "render 404 + header": {
            "lexigram": lambda: render_exception(ours_404),
            "starlette": starlette_404,
            "per": 1,
        },
        "render unexpected 500": {
            "lexigram": lambda: render_exception(crash),
            "starlette": lambda: PlainTextResponse("Internal Server Error", status_code=500),
            "per": 1,
        },
        "ASGI app raising 404": {
            "lexigram": _asgi_case(ProblemDetailsMiddleware(raise_ours), loop, batch),
            "starlette": _asgi_case(theirs_stack, loop, batch),
            "per": batch,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    loops, rounds, batch = (3_000, 5, 20) if args.quick else (30_000, 15, 50)
    loop = asyncio.new_event_loop()
    cases = scenarios(loop, batch)
    samples = {c: {"lexigram": Samples(), "starlette": Samples()} for c in cases}
    for _ in range(rounds):
        for case, contenders in cases.items():
            per = contenders["per"]
            for name in ("lexigram", "starlette"):
                n = max(loops // per, 10)
                time_sync(contenders[name], n, samples[case][name])
    loop.close()
    rows = []
    cpu, wall = "CPU time".center(32, "-"), "wall clock".center(32, "-")
    print(f"{'':28} {cpu:>34}  {wall:>34}")
    print(f"{'scenario':28} {'lexigram ns':>12} {'starlette ns':>13} {'ratio':>7}"
          f"  {'lexigram ns':>12} {'starlette ns':>13} {'ratio':>7}")  # fmt: skip
    for case in cases:
        per = cases[case]["per"]
        mine, theirs = samples[case]["lexigram"], samples[case]["starlette"]
        row: dict[str, object] = {"scenario": case}
        line = f"{case:28}"
        clocks = (("cpu", mine.cpu_ns / per, theirs.cpu_ns / per),
                  ("wall", mine.wall_ns / per, theirs.wall_ns / per))  # fmt: skip
        for clock, ours_ns, peer_ns in clocks:
            row |= {f"{clock}_lexigram_ns": ours_ns, f"{clock}_starlette_ns": peer_ns,
                    f"{clock}_speedup_vs_starlette": peer_ns / ours_ns}  # fmt: skip
            line += f" {ours_ns:12.1f} {peer_ns:13.1f} {peer_ns / ours_ns:6.2f}x "
        rows.append(row)
        print(line.rstrip())
    out = Path(__file__).resolve().parent.parent / "results"
    out.mkdir(exist_ok=True)
    (out / "http_errors.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
