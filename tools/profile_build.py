"""Where the seconds of a build go: ``python -m tools.profile_build`` (``make bench`` runs it).

Runs ``tools.build.build()`` in this process with Sphinx's event dispatch timed
(``_compat.timed_events``), and prints one row per phase: starting Python and importing
(until ``config-inited``), setting up Sphinx and the environment, reading the pages (with
the time spent waiting for the notebook workers), the kernels' own work (from the
execution cache's records), writing the pages, and the rest. Nothing is changed in what
the build does or publishes."""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from datetime import UTC, datetime

START = time.perf_counter()  # as close as possible to the start of the process


def main() -> int:
    from tools import build, layout

    compat = layout.book_extension("_compat")
    seen: dict[str, list[float]] = defaultdict(list)
    spent: dict[str, float] = defaultdict(float)

    def record(name: str, before: float, after: float) -> None:
        seen[name].append(before - START)
        spent[f"handlers of {name}"] += after - before

    began = datetime.now(UTC).replace(tzinfo=None)
    with compat.timed_events(record):
        status = build.build()
    end = time.perf_counter() - START
    if status != 0:
        return status

    def first(name: str) -> float:
        return seen[name][0] if seen[name] else float("nan")

    kernels = sum(  # the executions this build stored in the cache
        seconds
        for folder in layout.EXECUTION_CACHE.glob("*/")
        for created, seconds in compat.stored_executions(folder)
        if created >= began
    )
    rows = [
        ("Python start and imports", 0.0, first("config-inited")),
        ("Sphinx set-up, environment", first("config-inited"), first("env-before-read-docs")),
        ("reading pages (waits for kernels)", first("env-before-read-docs"), first("env-updated")),
        ("  of which in source-read handlers", None, spent["handlers of source-read"]),
        ("resolving, consistency checks", first("env-updated"), first("write-started")),
        ("writing pages", first("write-started"), first("build-finished")),
        ("finishing (sitemap, search file)", first("build-finished"), end),
        ("kernels: page execution, summed", None, kernels),
        ("total", 0.0, end),
    ]
    print(f"{'phase':<36} {'from':>6} {'to':>6} {'seconds':>8}")
    for name, begin, finish in rows:
        if begin is None:
            print(f"{name:<36} {'':>6} {'':>6} {finish:8.2f}")
        else:
            print(f"{name:<36} {begin:6.2f} {finish:6.2f} {finish - begin:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
