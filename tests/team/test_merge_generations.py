"""`margin merge DIR` between three coders' copies, passed around in any order (issue 12):
the base of a merge is the newest meeting of the two copies (by their merge generations),
for the file-wise merge and the entity-wise one alike, and a deletion leaves a tombstone
that travels with the copies, so a coding one coder deleted stays deleted wherever the
version she deleted arrives from, whichever way the copies went."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from types import SimpleNamespace

import orjson
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from store.clock import now
from store.importers import parse_text
from store.model import Coding
from store.project import Project
from store.team import sync
from store.team.sync import merge_entitywise, merge_folder, tables_of
from tests.conftest import INTERVIEW
from tests.team.test_merge_filewise import edit

CODERS = ("alice", "bob", "carol")
DOCUMENTS = 2


def started(folder: Path) -> None:
    """Two documents, three codes, three coders, each with codings in every document."""
    with Project.init(folder, name="Three", coder="alice") as p:
        documents = [p.documents.import_parsed(parse_text(INTERVIEW + "x" * n, "txt"), f"N{n}").document.id for n in range(DOCUMENTS)]
        codes = [p.codebook.add(name).id for name in ("Trust", "Worry", "Care")]
        coders = [p.add_coder(name).id for name in CODERS]
        with p.operation("code"):
            for n in range(12):
                p.put(Coding(f"c{n}", documents[n % DOCUMENTS], codes[n % 3], n, n + 9, "", coders[n % 3], "t0", "t0"))


def merged(ours: Path, theirs: Path, coder: str, how=merge_folder) -> list[str]:
    with Project.open(ours, coder=coder) as p, Project.open(theirs, readonly=True) as other:
        return how(p, other).lines()


def content(folder: Path) -> dict:
    """Every table's records, the merges' conflict memos as their sorted lines (two merges
    may list the same conflicts in another order, and stamp their memo when made)."""
    with Project.open(folder, readonly=True) as p:
        tables = tables_of(p)
    memos = tables.pop("memos")
    lines = sorted(line for m in memos.values() if m["kind"] == "project" for line in m["text"].splitlines())
    return tables | {"memos": {k: m for k, m in memos.items() if m["kind"] != "project"}, "conflict lines": lines}


class Team:
    """Three copies and what the checks need to know of their histories: the codings each
    copy's history deleted (as they were deleted, by id)."""

    def __init__(self, root: Path, start: Path):
        self.root = root
        self.folders = {name: root / name for name in CODERS}
        for folder in self.folders.values():
            shutil.copytree(start, folder)
        self.deleted: dict[str, dict[str, dict]] = {name: {} for name in CODERS}

    def edit(self, coder: str, what: str, document_index: int, n: int) -> None:
        self.deleted[coder] |= edit(self.folders[coder], coder, what, document_index, n)

    def merge(self, ours: str, theirs: str) -> None:
        """`ours` merges `theirs`' copy, checked: the file-wise merge leaves what the
        entity-wise one does; nothing either side holds and neither deleted is lost; no
        coding either side's history deleted comes back as it was deleted (only a version
        changed since, "deleted and changed"), through whichever copies it went; merging
        again changes nothing."""
        mine, other = self.folders[ours], self.folders[theirs]
        held = {side: content(folder)["codings"] for side, folder in ((ours, mine), (theirs, other))}
        aside = self.root / "aside"
        shutil.copytree(mine, aside)
        merged(mine, other, ours, merge_entitywise)
        expected = content(mine)
        shutil.rmtree(mine)
        aside.rename(mine)
        logged = _seq(mine)
        merged(mine, other, ours)
        logged = _seq(mine) != logged  # the merge changed something: an action to undo
        found = content(mine)
        assert found == expected, "the file-wise merge differs from the entity-wise one"
        result = found["codings"]
        lost = (held[ours].keys() | held[theirs].keys()) - self.deleted[ours].keys() - self.deleted[theirs].keys() - result.keys()
        assert not lost, f"lost: {sorted(lost)}"
        for side in (ours, theirs):
            for key in result.keys() & self.deleted[side].keys():
                assert result[key] != self.deleted[side][key], f"{key}, deleted by {side}'s copy, came back"
        assert merged(mine, other, ours) == [f"Nothing new from {theirs}."]
        joined = self.deleted[theirs] | self.deleted[ours]  # the tombstones' union; what was kept changed is no longer deleted
        self.before_merge = (ours, self.deleted[ours]) if logged else None
        self.deleted[ours] = {k: r for k, r in joined.items() if k not in result}

    def undo_merge(self) -> None:
        """The last merge's coder undoes it (the second merge of the pair changed nothing):
        that copy holds what it held before, and its history deleted what it had then."""
        if self.before_merge is None:
            return  # the merge brought nothing: no action to undo (an undo would take an older one)
        ours, deleted = self.before_merge
        with Project.open(self.folders[ours], coder=ours) as p:
            assert p.undo()["summary"].startswith("merge the copy")
        self.deleted[ours] = deleted


def _seq(folder: Path) -> int:
    with Project.open(folder, readonly=True) as p:
        return p.seq


@pytest.fixture(scope="module")
def start(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("start") / "study"
    started(folder)
    return folder


def test_a_coding_uncoded_after_another_got_it_stays_deleted(tmp_path, start):
    """The case CI found: bob gets alice's coding (through carol), alice uncodes it, and the
    copies meet again. The file-wise merge took an older snapshot as the base (its digests
    matched alice's file, which held again what it held before the coding) and brought the
    coding back; the newest meeting is the base now."""
    team = Team(tmp_path, start)
    team.merge("bob", "carol")  # bob's snapshot of carol's copy: the start
    with Project.open(team.folders["alice"], coder="alice") as p:
        n0 = next(d.id for d in p.state.documents.values() if d.name == "N0")
        with p.operation("alice codes"):
            p.put(Coding("x", n0, next(iter(p.state.codes)), 20, 30, "", p.coder.id, now(), now()))
    team.merge("bob", "alice")  # bob gets alice's coding x
    uncode(team, "bob", "c0")  # one of alice's first codings of N0, in the file that holds x
    uncode(team, "alice", "x")  # alice's file of N0 is the start's again, byte for byte
    team.merge("alice", "bob")  # the start's snapshot matched alice's file: x was taken back from bob
    held = content(team.folders["alice"])["codings"]
    assert "x" not in held and "c0" not in held


def uncode(team: Team, coder: str, key: str) -> None:
    with Project.open(team.folders[coder], coder=coder) as p:
        with p.operation(f"{coder} uncodes {key}"):
            team.deleted[coder][key] = p.state.codings[key].to_record()
            p.delete(p.state.codings[key])


EDITS = st.lists(
    st.tuples(st.sampled_from(CODERS), st.sampled_from(["code", "uncode", "recode", "rename", "memo"]),
              st.integers(0, DOCUMENTS - 1), st.integers(0, 30)),  # fmt: skip
    max_size=3,
)
PAIRS = st.permutations(CODERS).map(lambda p: tuple(p[:2]))
ROUNDS = st.lists(st.tuples(EDITS, PAIRS, st.booleans()), min_size=1, max_size=5)


@pytest.fixture(scope="module")
def no_fsync():
    """What is checked is what merges leave, not what a power cut does: without fsyncs the
    300 examples take a third of the time."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", lambda fd: None)
        yield


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rounds=ROUNDS)
@example(rounds=[([("carol", "recode", 0, 0)], ("alice", "carol"), False), ([("alice", "uncode", 0, 0)], ("carol", "bob"), False),
                 ([], ("alice", "carol"), False)])  # carol's copy went back to the version alice deleted since: deleted
@example(rounds=[([("bob", "code", 0, 3)], ("alice", "bob"), True), ([], ("bob", "alice"), False)])  # trial 2: bob's coding went
def test_three_coders_merging_in_any_order_lose_nothing_and_bring_nothing_back(start, no_fsync, rounds):
    """Random codings, uncodings, recodings, code renames and memos by three coders, and
    merges of random pairs in random orders, each merge checked (`Team.merge`), some
    undone at once (an undone merge is no deletion: `store/team/unmerged.py`)."""
    with tempfile.TemporaryDirectory(prefix="margin-team-") as root:  # gone at once: 300 examples' copies
        team = Team(Path(root), start)
        for edits, (ours, theirs), undone in rounds:
            for coder, what, document_index, n in edits:
                team.edit(coder, what, document_index, n)
            team.merge(ours, theirs)
            if undone:
                team.undo_merge()


def test_a_copy_restored_from_an_older_copy_of_its_folder_loses_nothing(tmp_path, start, monkeypatch):
    """alice's folder goes back to a copy of it from before she coded w and bob merged her:
    bob's snapshot saw her at a generation above hers now, so it is no base (it holds w,
    which she no longer has: taken as the base, w would go from her copy, then from bob's).
    The merge goes entity by entity, and w comes back to her."""
    team = Team(tmp_path, start)
    team.merge("alice", "bob")
    shutil.copytree(team.folders["alice"], tmp_path / "alice-then")
    with Project.open(team.folders["alice"], coder="alice") as p:
        with p.operation("alice codes w"):
            p.put(Coding("w", next(iter(p.state.documents)), next(iter(p.state.codes)), 20, 30, "", p.coder.id, now(), now()))
    team.merge("alice", "carol")  # her generation goes on
    team.merge("bob", "alice")  # bob gets w
    shutil.rmtree(team.folders["alice"])
    (tmp_path / "alice-then").rename(team.folders["alice"])
    monkeypatch.setattr(sync, "merge_files", lambda *a: pytest.fail("went file by file"))
    merged(team.folders["alice"], team.folders["bob"], "alice")
    monkeypatch.undo()
    assert "w" in content(team.folders["alice"])["codings"]
    merged(team.folders["bob"], team.folders["alice"], "bob")
    assert "w" in content(team.folders["bob"])["codings"]


def kept(folder: Path, of: Path, made, seen, form: str = sync.SNAPSHOT) -> None:
    """A base in `folder`'s merges/ of the copy in `of`, made at generation `made` having
    seen `of` at `seen` (None, None: from before generations; a str: damaged)."""
    mine, other = SimpleNamespace(dir=folder), SimpleNamespace(dir=of, meta={"id": "p"})
    path = sync.base_path(mine, other, form)
    path.parent.mkdir(exist_ok=True)
    header = {} if (made, seen) == (None, None) else {"generation": made, "of_generation": seen}
    if form == sync.SNAPSHOT:
        path.write_bytes(orjson.dumps({"format": 1, "tables": {}, "files": {}} | header) + b"\n")
    elif header:
        path.write_bytes(orjson.dumps({"format": 1, "tables": {"codes": {}}} | header))
    else:
        path.write_bytes(orjson.dumps({"codes": {}}))  # the tables alone


@pytest.mark.parametrize(
    "ours_at, theirs_at, bases, chosen, entitywise, before",
    [
        (0, 0, [], None, False, False),  # never met
        (1, 0, [("ours", 1, 0)], 1, False, False),
        (1, 2, [("ours", 1, 0), ("theirs", 2, 1)], 2, False, False),  # they merged us last
        (3, 2, [("ours", 3, 2), ("theirs", 2, 1)], 3, False, False),  # we merged them last
        (5, 9, [("ours", 3, 2), ("theirs", 2, 1)], 3, False, False),  # either went on merging others
        (3, 1, [("ours", 3, 2), ("theirs", 1, 0)], 1, True, False),  # they went back below what we saw
        (2, 2, [("ours", 3, 2), ("theirs", 2, 1)], 2, True, False),  # we went back below our own merge
        (4, 4, [("ours", 3, 5)], None, True, False),  # they went back, nothing else
        (0, 0, [("ours", None, None)], None, True, True),  # from before generations: by records shared
        (1, 1, [("ours", None, None), ("theirs", 1, 0)], 1, False, False),  # any with a generation is newer
        (1, 0, [("ours json", 1, 0)], 1, True, False),  # records only: entity by entity
        (2, 2, [("ours json", 1, 0), ("ours", 2, 1)], 2, False, False),  # a kill between the two forms
        (2, 2, [("ours", "2", 1)], None, False, False),  # damaged: no base
        (2, 2, [("ours", 2, -1)], None, False, False),
    ],
)
def test_the_base_is_the_newest_meeting_both_copies_descend_from(tmp_path, ours_at, theirs_at, bases, chosen, entitywise, before):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    for folder, at in ((ours, ours_at), (theirs, theirs_at)):
        (folder / sync.BASES_DIR).mkdir(parents=True)
        if at:
            (folder / sync.BASES_DIR / sync.GENERATION_FILE).write_bytes(b"%d\n" % at)
    for where, made, seen in bases:
        taker, held = (ours, theirs) if where.startswith("ours") else (theirs, ours)
        kept(taker, held, made, seen, ".json" if where.endswith("json") else sync.SNAPSHOT)
    base = sync.newest_base(SimpleNamespace(dir=ours, meta={"id": "p"}), SimpleNamespace(dir=theirs, meta={"id": "p"}))
    assert (base.generation if base.generation >= 0 else None, base.entitywise, base.before_generations) == (chosen, entitywise, before)
