"""Profile one framework's app on one scenario, in-process: where does a request's time go?

    python bench/profile_app.py pipeline                      # Lexigram, pyinstrument
    python bench/profile_app.py body --framework FastAPI
    python bench/profile_app.py pipeline --tool cprofile      # per-function totals

The app is started and checked first; then ``--requests`` requests run through the same
driver as the benchmark, under the profiler.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from webbench import asgi, checks
from webbench import scenarios as s
from webbench.frameworks import FRAMEWORKS, LEXIGRAM, load


async def profile(framework: str, key: str, requests: int, tool: str) -> None:
    module = load(framework)
    scenario = s.SCENARIOS[key]
    app = module.build(key)
    lifespan = asgi.Lifespan(app)
    await lifespan.startup()
    try:
        checks.check_answer(module, scenario, await asgi.call(app, scenario.request))
        wall, cpu = await asgi.time_requests(app, scenario.request, requests, scenario.status)
        print(
            f"{framework} {key}: {wall / 1000:.2f} µs per request without the profiler"
            f" ({cpu / 1000:.2f} µs CPU time)"
        )
        if tool == "cprofile":
            profiler = cProfile.Profile()
            profiler.enable()
            await asgi.time_requests(app, scenario.request, requests, scenario.status)
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(30)
        else:
            from pyinstrument import Profiler

            with Profiler(interval=0.0001, async_mode="disabled") as profiler:
                await asgi.time_requests(app, scenario.request, requests, scenario.status)
            print(profiler.output_text(unicode=True, color=False, show_all=False))
    finally:
        await lifespan.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario", choices=list(s.SCENARIOS))
    parser.add_argument("--framework", default=LEXIGRAM, choices=list(FRAMEWORKS))
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--tool", default="pyinstrument", choices=["pyinstrument", "cprofile"])
    args = parser.parse_args()
    asyncio.run(profile(args.framework, args.scenario, args.requests, args.tool))


if __name__ == "__main__":
    main()
