"""Bulk work (an export, an import) without the cyclic garbage collector.

Building 200,000 rows or entities makes millions of small containers and no reference
cycles, yet every 700 new containers CPython's collector runs, and its older generations
rescan the whole growing heap: at 200,000 codings that was a third of `margin export csv`'s
time. Memory is still freed by reference counting; the collector is on again afterwards.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def without_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
