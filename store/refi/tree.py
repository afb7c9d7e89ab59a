"""The code tree a file brings in is checked before it is stored: every parent exists, no
code is its own ancestor, and no branch is deeper than a codebook ever is.

A file from elsewhere can hold any tree: a GUID repeated inside its own `Code` element,
or a thousand nested levels. Either would leave a project whose codebook cannot be shown
or exported, so such a file is refused here, with the code it concerns named.
"""

from __future__ import annotations

from store.errors import BadInput

MAX_DEPTH = 100  # levels; real codebooks stay under 10, and NVivo's deepest sample has 6


def check_tree(parents: dict[str, str | None], names: dict[str, str], label: str) -> None:
    """Refuse `parents` (code id -> parent id) unless it is a forest of at most MAX_DEPTH levels.

    Walks each chain upwards once with a loop (no recursion), memoising depths, so a deep
    or cyclic tree costs linear time and no stack."""
    depth: dict[str, int] = {}
    for start in parents:
        chain: list[str] = []
        on_chain: set[str] = set()
        node: str | None = start
        while node is not None and node not in depth:
            if node in on_chain:
                raise BadInput(f"{label}: code {names.get(node, node)!r} is inside itself (its parents form a loop); the file is damaged")
            if node not in parents:
                child = names.get(chain[-1], chain[-1])
                raise BadInput(f"{label}: code {child!r} has a parent that is not in the codebook; the file is damaged")
            chain.append(node)
            on_chain.add(node)
            node = parents[node]
        level = depth[node] if node is not None else 0
        for code in reversed(chain):
            level += 1
            depth[code] = level
            if level > MAX_DEPTH:
                raise BadInput(
                    f"{label}: code {names.get(code, code)!r} is {level} levels deep, more than the {MAX_DEPTH} "
                    "a codebook can hold here; flatten the codebook in the tool that made the file"
                )
