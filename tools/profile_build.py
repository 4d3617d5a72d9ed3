"""Where the seconds of a build go: ``python -m tools.profile_build`` (``make bench`` runs it).

Runs ``tools.build.build()`` in this process with Sphinx's event manager and search
indexer wrapped by timers, and prints one row per phase: starting Python and importing
(until ``config-inited``), setting up Sphinx and the environment, reading the pages (with
the time spent waiting for the notebook workers), the kernels' own work, segmenting the
text for the search index (jieba), writing the pages, and the rest. Nothing is changed in
what the build does or publishes.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime

START = time.perf_counter()  # as close as possible to the start of the process


def main() -> int:
    from sphinx.events import EventManager
    from sphinx.search import IndexBuilder

    from tools import build, layout

    seen: dict[str, list[float]] = defaultdict(list)
    spent: dict[str, float] = defaultdict(float)

    emit = EventManager.emit

    def timed_emit(self, name, *args, **kwargs):
        before = time.perf_counter()
        try:
            return emit(self, name, *args, **kwargs)
        finally:
            after = time.perf_counter()
            seen[name].append(before - START)
            spent[f"handlers of {name}"] += after - before

    feed = IndexBuilder.feed

    def timed_feed(self, *args, **kwargs):
        before = time.perf_counter()
        try:
            return feed(self, *args, **kwargs)
        finally:
            spent["search index (jieba)"] += time.perf_counter() - before

    EventManager.emit, IndexBuilder.feed = timed_emit, timed_feed
    began = datetime.now(UTC).replace(tzinfo=None)
    status = build.build()
    end = time.perf_counter() - START
    if status != 0:
        return status

    def first(name: str) -> float:
        return seen[name][0] if seen[name] else float("nan")

    kernels = 0.0  # the executions this build stored in the cache
    for db in layout.EXECUTION_CACHE.glob("*/global.db"):
        with sqlite3.connect(db) as connection:
            for created, data in connection.execute("SELECT created, data FROM nbcache"):
                if datetime.fromisoformat(created).replace(tzinfo=None) >= began:
                    kernels += float(json.loads(data).get("execution_seconds", 0))
    rows = [
        ("Python start and imports", 0.0, first("config-inited")),
        ("Sphinx set-up, environment", first("config-inited"), first("env-before-read-docs")),
        ("reading pages (waits for kernels)", first("env-before-read-docs"), first("env-updated")),
        ("  of which in source-read handlers", None, spent["handlers of source-read"]),
        ("resolving, consistency checks", first("env-updated"), first("write-started")),
        ("writing pages", first("write-started"), first("build-finished")),
        ("  of which search index (jieba)", None, spent["search index (jieba)"]),
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
