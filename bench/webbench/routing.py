"""Route-count scaling: apps with N parameterised routes ``/r{i}/{id:int}``, hitting the last.

Each framework's app for each N is built and started once (the build + startup time is
reported too), then measured in-process like the scenarios, frameworks interleaved per N.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from . import checks
from . import scenarios as s
from .asgi import Response
from .frameworks import load
from .inprocess import Cell, start


def _check(count: int) -> Callable[[Response], None]:
    def check(response: Response) -> None:
        body = checks.decoded(response)
        assert (response.status, body) == (200, s.routes_body(count)), f"{count} routes: {body!r}"

    return check


async def build_cells(
    frameworks: Sequence[str], counts: Sequence[int], progress: Callable[[str], None] = print
) -> list[Cell]:
    cells: list[Cell] = []
    for count in counts:
        for framework in frameworks:
            began = time.perf_counter()
            app = load(framework).build_routes(count)
            built = time.perf_counter() - began
            cell = Cell(str(count), framework, app, s.routes_request(count), 200, _check(count))
            cell.startup_s = built
            await start(cell)
            progress(
                f"  {count:6} routes {framework:14} built and started in {cell.startup_s:.2f} s"
            )
            cells.append(cell)
    return cells
