"""What a mistyped name probably meant: a suggestion only when the name is a slip of one
that exists (a letter or two wrong, missing, extra or swapped, or the spacing), never the
best of unrelated names. A fuzzy ranking always has a best hit, and an error that says
`did you mean "Role > Identity"?` for `Nope` sends the researcher the wrong way."""

from __future__ import annotations


def _plain(name: str) -> str:
    return " ".join(name.split()).casefold()


def slips_allowed(name: str) -> int:
    """Edits forgiven in a name this long: one up to seven characters, then one a quarter."""
    return max(1, len(_plain(name)) // 4)


def closest(typed: str, names: list[str]) -> str | None:
    """The first of `names` (given in the order to prefer) that `typed` is a slip of, by
    optimal string alignment (a swap of two letters is one edit), ignoring case and spacing;
    None when none is that close, or `typed` is one of them."""
    from rapidfuzz.distance import OSA

    wanted, allowed = _plain(typed), slips_allowed(typed)
    best, best_distance = None, allowed + 1
    for name in names:
        distance = OSA.distance(wanted, _plain(name), score_cutoff=allowed)
        if distance == 0:
            return None
        if distance < best_distance:
            best, best_distance = name, distance
    return best
