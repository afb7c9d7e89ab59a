"""A figure of an analysis together with the codings behind it, so that any number on a
screen or in a table opens exactly the passages it counts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    value: int | float
    codings: tuple[str, ...] = ()  # coding ids, in document order
