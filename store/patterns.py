"""Regular expressions compiled when first used.

A command line imports some seventy module-level patterns and uses a handful: compiling
them all at import cost 2-8 ms of each command (the word patterns, with their long class
of combining marks, 50 ms). `later(...)` stands for `re.compile(...)`: the pattern is
compiled at its first use, and its methods are then the compiled pattern's own.
"""

from __future__ import annotations

import re

_METHODS = ("finditer", "match", "search", "fullmatch", "findall", "sub", "subn", "split", "scanner")


class Later:
    """A pattern compiled when an attribute other than `pattern` is first read."""

    def __init__(self, pattern: str | bytes, flags: int = 0):
        self.pattern, self._flags = pattern, flags

    def __getattr__(self, name: str):
        if name.startswith("__") or "pattern" not in self.__dict__:
            raise AttributeError(name)  # copy and pickle ask before __init__ has run
        compiled = self.__dict__.get("_compiled")
        if compiled is None:
            compiled = self._compiled = re.compile(self.pattern, self._flags)
            for method in _METHODS:
                setattr(self, method, getattr(compiled, method))  # later calls go straight to it
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"later({self.pattern!r})"


def later(pattern: str | bytes, flags: int = 0) -> Later:
    return Later(pattern, flags)
