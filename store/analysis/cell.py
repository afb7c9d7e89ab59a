"""A figure of an analysis together with the codings behind it, so that any number on a
screen or in a table opens exactly the passages it counts.

The codings are often many more than the figures (every pair of codes of a document
co-occurs in document mode), and a table shows only the values, so a Cell may hold a
function that lists them instead: they are listed when first asked for, once."""

from __future__ import annotations

from collections.abc import Callable


class Cell:
    __slots__ = ("value", "_codings")

    def __init__(self, value: int | float, codings: tuple[str, ...] = ()):
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "_codings", codings)  # coding ids, in document order

    @classmethod
    def lazy(cls, value: int | float, codings: Callable[[], tuple[str, ...]]) -> Cell:
        """A cell whose coding ids are listed by `codings()` when first asked for."""
        cell = object.__new__(cls)  # no __init__: a matrix makes tens of thousands
        object.__setattr__(cell, "value", value)
        object.__setattr__(cell, "_codings", codings)
        return cell

    @property
    def codings(self) -> tuple[str, ...]:
        found = self._codings
        if not isinstance(found, tuple):
            found = tuple(found())
            object.__setattr__(self, "_codings", found)
        return found

    def __setattr__(self, name, value):
        raise AttributeError(f"a Cell is immutable (tried to set {name})")

    def __eq__(self, other):
        if not isinstance(other, Cell):
            return NotImplemented
        return self.value == other.value and self.codings == other.codings

    def __hash__(self):
        return hash((self.value, self.codings))

    def __repr__(self):
        return f"Cell(value={self.value!r}, codings={self.codings!r})"


EMPTY = Cell(0)  # a figure of nothing: no codings behind it (one, shared: cells never change)
