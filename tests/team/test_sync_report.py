"""What `margin sync` and `margin merge DIR` report as come in, when the other copy changed
this coder's own entities (issue 12): the report says what came in truthfully, so a join
of twin codes made in the other copy (which re-points this coder's codings to the code
kept) is the join's line, not "alice: 3 codings" of alice's own work. For each kind of
change the other copy can make to our entities, through git and through a folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from store.project import Project
from tests.team.test_git_sync import DEMO_TEXTS, Team, memo_id
from tui.cli import cli

TEXTS = sorted(DEMO_TEXTS.glob("p0[123]*.txt"))[:3]
FIRST = TEXTS[0].stem


class Folders(Team):
    """alice's project and bob's copy of it (cp -r), meeting through `margin merge DIR`."""

    def start(self, texts, codes=("Access", "Barriers")):
        alice, bob = self.tmp / "alice", self.tmp / "bob"
        self.run(alice, "alice", "init", "--coder", "alice")
        self.run(alice, "alice", "import", *map(str, texts))
        for code in codes:
            self.run(alice, "alice", "codes", "add", code)
        self.run(alice, "alice", "memo", "add", "--code", "Access", "What counts as access?")
        shutil.copytree(alice, bob)
        return alice, bob

    def meet(self, ours, coder, theirs) -> str:
        """`ours` takes in `theirs`; the report's first line."""
        return self.run(ours, coder, "merge", str(theirs)).splitlines()[0]

    def send(self, ours, coder) -> None:
        """Nothing to do: the other copy reads this folder."""


class Remote(Team):
    def start(self, texts, codes=("Access", "Barriers")):
        return super().start(texts, codes)

    def meet(self, ours, coder, theirs) -> str:
        return self.run(ours, coder, "sync").splitlines()[0]

    def send(self, ours, coder) -> None:
        self.run(ours, coder, "sync")


def stigma(folder: Path) -> str:
    with Project.open(folder, readonly=True) as p:
        return next(c.id for c in p.state.codes.values() if c.name == "Stigma")


def code_three(team, folder, coder, code) -> None:
    for turn in (2, 4, 6):
        team.run(folder, coder, "apply", FIRST, code, "--turn", str(turn))


def joined(team, alice, bob, going_on: bool = False) -> tuple[str, dict]:
    """Both make a code Stigma and code three turns with it; the copy whose code is kept
    (its id sorts first) takes in the other's, joining them; the other (`going_on`: after
    coding one more turn with its Stigma, which then comes back, deleted and used) then
    takes it in."""
    for folder, coder in ((alice, "alice"), (bob, "bob")):
        team.run(folder, coder, "codes", "add", "Stigma")
        code_three(team, folder, coder, "Stigma")
    (ours, name), (theirs, other) = sorted([(alice, "alice"), (bob, "bob")], key=lambda fc: stigma(fc[0]), reverse=True)
    team.send(ours, name)
    team.meet(theirs, other, ours)  # joins ours's Stigma into theirs's, moving our codings to it
    if going_on:
        team.run(ours, name, "apply", FIRST, "Stigma", "--turn", "8")
    return team.meet(ours, name, theirs), {"other": other}


def changed_by_bob(change):
    """alice codes three turns with Access; bob takes her work in, makes `change` (his
    command line), and alice takes his copy in."""

    def scenario(team, alice, bob):
        code_three(team, alice, "alice", "Access")
        team.send(alice, "alice")
        team.meet(bob, "bob", alice)
        team.run(bob, "bob", *change(bob))
        team.send(bob, "bob")
        return team.meet(alice, "alice", bob), {}

    return scenario


CASES = {
    "join": (joined, "{other}: 3 codings; 3 of your codings moved to the joined code Stigma; 1 new or changed memo", "{other}: 3 codings; 3 of your codings moved to the joined code Stigma; 1 new or changed memo; 0 conflicts"),
    "join, and we went on coding": (
        lambda team, alice, bob: joined(team, alice, bob, going_on=True),
        "{other}: 3 codings; 3 of your codings moved to the joined code Stigma; 1 new or changed memo; 2 conflicts: see `margin conflicts`",
        "{other}: 3 codings; 3 of your codings moved to the joined code Stigma; 1 new or changed memo; 2 conflicts",
    ),
    "rename of a code we use": (changed_by_bob(lambda bob: ("codes", "rename", "Access", "Getting access")), "1 new or changed code", "1 new or changed code; 0 conflicts"),
    "deletion of a code we used": (changed_by_bob(lambda bob: ("codes", "delete", "Access", "--force")), "1 code, 1 memo, 3 of your codings removed", "1 code, 1 memo, 3 of your codings removed; 0 conflicts"),
    "memo edit": (changed_by_bob(lambda bob: ("memo", "edit", memo_id(bob, "What counts as access?"), "bob: access to services")), "1 new or changed memo", "1 new or changed memo; 0 conflicts"),
}


@pytest.mark.parametrize("how", ["sync", "merge DIR"])
@pytest.mark.parametrize("kind", list(CASES))
def test_the_report_says_what_the_other_copy_did_to_our_own_work(tmp_path, monkeypatch, kind, how):
    if how == "sync" and shutil.which("git") is None:
        pytest.skip("needs git")
    monkeypatch.delenv("MARGIN_PROJECT", raising=False)
    monkeypatch.delenv("MARGIN_CODER", raising=False)
    team = (Remote if how == "sync" else Folders)(tmp_path)
    alice, bob = team.start(TEXTS)
    scenario, through_git, by_folder = CASES[kind]
    line, names = scenario(team, alice, bob)
    expected = through_git if how == "sync" else by_folder
    assert line.split(": ", 1)[1] == expected.format(**names), line


def test_the_report_counts_in_words_that_agree():
    """The second trial: "1 of your coding removed", "1 conflicts"."""
    from collections import Counter

    from store.team.merge import Conflict
    from store.team.sync import Report, removed_words

    assert removed_words(Counter({"codings": 1}), 1) == "1 of your codings removed"
    assert removed_words(Counter({"coders": 1}), 0) == "1 coder removed"
    from store.team.sync import moved_words

    assert moved_words(Counter({("your", "Stigma"): 1})) == ["1 of your codings moved to the joined code Stigma"]  # the third trial
    one = Report("bob", came_in={"codings": Counter({"bob": 1})}, conflicts=[Conflict("codes", "c1", "deleted and used")])
    assert one.lines()[0].endswith("; 1 conflict"), one.lines()
