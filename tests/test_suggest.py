"""A suggestion for a name that names nothing is a slip of a real name, never the best of
unrelated ones. Found in a trial: `margin find Nope` answered `did you mean "..."?` with a
code that had nothing to do with it (the picker's fuzzy rank always has a best hit)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from click.testing import CliRunner

from store.suggest import closest, slips_allowed
from tui.cli import cli


def osa(a: str, b: str) -> int:
    """Optimal string alignment distance, written out (the check on rapidfuzz's)."""
    d = [[max(i, j) if not (i and j) else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


def plain(name: str) -> str:
    return " ".join(name.split()).casefold()


NAMES = ["Trust", "Role > Boundaries", "Role > Identity", "Hope", "Peer support > Lived experience"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Trsut", "Trust"),  # two letters swapped
        ("trust ", None),  # the name itself, spaced and cased otherwise: not a slip
        ("Trst", "Trust"),
        ("Role >> Identity", "Role > Identity"),
        ("Role > Boundries", "Role > Boundaries"),
        ("Peer suport > Lived experiense", "Peer support > Lived experience"),
        ("Nope", "Hope"),  # one letter: a slip of Hope, as far as anyone can tell
        ("Xylophone", None),
        ("Boundaries of the role", None),
        ("zz", None),
        ("", None),
    ],
)
def test_a_suggestion_is_a_slip_or_nothing(typed, meant):
    assert closest(typed, NAMES) == meant


names = st.lists(st.text(alphabet="abcdeé >x", min_size=1, max_size=12), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(names, st.text(alphabet="abcdeé >x", max_size=14))
def test_any_suggestion_is_within_the_slips_allowed_and_the_nearest(choices, typed):
    found = closest(typed, choices)
    distances = [osa(plain(typed), plain(c)) for c in choices]
    if 0 in distances or min(distances) > slips_allowed(typed):
        assert found is None
    else:
        assert found is not None and osa(plain(typed), plain(found)) == min(distances)
        assert found == choices[distances.index(min(distances))]  # the first of the nearest


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(NAMES), st.integers(0, 40), st.sampled_from("qz"))
def test_one_slip_in_a_real_name_is_answered(name, at, letter):
    at %= len(name)
    typed = name[:at] + letter + name[at + 1:]  # one letter replaced
    found = closest(typed, NAMES)
    assert found is not None if plain(typed) not in map(plain, NAMES) else found is None
    if found is not None:
        assert osa(plain(typed), plain(found)) <= 1


def test_the_commands_suggest_only_slips(tmp_path):
    folder = tmp_path / "demo"
    run = lambda *args: CliRunner().invoke(cli, ["-p", str(folder), *args], prog_name="margin")  # noqa: E731
    assert CliRunner().invoke(cli, ["demo", "--no-open", str(folder)]).exit_code == 0
    assert "did you mean 'Relationships > Trust'?" in run("export", "csv", "--code", "Trsut").output
    assert "did you mean" not in run("export", "csv", "--code", "Xylophone entirely").output
    assert 'did you mean "Relationships > Trust"?' in run("find", "Trsut").output
    unrelated = run("find", "Xylophones")
    assert unrelated.exit_code == 2 and "did you mean" not in unrelated.output
    assert "see the codebook with `margin codes`" in unrelated.output
