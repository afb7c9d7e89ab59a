"""`Project.put_records`, the bulk put that merges and syncs apply incoming codings with:
the same state, files, log and undo as `put` one at a time, rolled back whole on failure,
and a kill -9 anywhere in it leaves every acknowledged change (issue 12)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.clock import new_id, now
from store.importers import parse_text
from store.model import Coding
from store.project import Project
from tests.conftest import INTERVIEW, REPO
from tests.team.conftest import fingerprint


def started(folder: Path) -> tuple[list, list, list, list]:
    """Two documents, two codes, alice and bob, and six codings to replace or keep."""
    with Project.init(folder, name="Bulk", coder="alice") as p:
        documents = [p.documents.import_parsed(parse_text(INTERVIEW + "x" * n, "txt"), f"N{n}").document.id for n in (1, 2)]
        codes = [p.codebook.add(name).id for name in ("Trust", "Worry")]
        coders = [p.add_coder(name).id for name in ("alice", "bob")]
        existing = []
        with p.operation("code"):
            for n in range(6):
                coding = Coding(f"c{n}", documents[n % 2], codes[n % 2], n, n + 9, "", coders[n % 2], "t0", "t0")
                p.put(coding)
                existing.append(coding.to_record())
    return documents, codes, coders, existing


incoming = st.lists(
    st.tuples(st.integers(0, 9), st.integers(0, 1), st.integers(0, 1), st.integers(0, 1), st.integers(0, 200)),
    max_size=25,
    unique_by=lambda t: t[0],
)


def records_of(made, documents, codes, coders) -> list[dict]:
    """(id number, document, code, coder, start): ids c0..c5 replace the existing codings
    (in their own document, some by the other coder), the others are new."""
    return [
        Coding(f"c{n}", documents[n % 2 if n < 6 else d], codes[c], start, start + 5, "x", coders[k], "t1", "t1").to_record()
        for n, d, c, k, start in made
    ]


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted((folder / "codings").rglob("*.json"))} | {
        "project.json": (folder / "project.json").read_bytes()
    }


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(made=incoming)
def test_put_records_is_put_one_at_a_time(tmp_path_factory, made):
    root = tmp_path_factory.mktemp("bulk")
    documents, codes, coders, _ = started(root / "start")
    records = records_of(made, documents, codes, coders)
    with Project.open(root / "start", readonly=True) as p:
        held = {key: coding.to_record() for key, coding in p.state.codings.items()}
    results = []
    for way in ("one at a time", "bulk", "bulk told what is held"):
        folder = root / way.replace(" ", "-")
        shutil.copytree(root / "start", folder)
        with Project.open(folder, coder="alice") as p:
            with p.operation("merge"):
                if way == "bulk":
                    p.put_records("codings", records)
                elif way == "bulk told what is held":  # reads only the files it writes and those holding an incoming id
                    p.put_records("codings", records, held=held)
                    counts = p.state.coding_counts_by_document()
                    assert counts == +Counter(c.document for c in p.state.codings.values())  # read whole only now
                else:
                    for record in records:
                        p.put(Coding.from_record(record))
        logged = json.loads((folder / "log.jsonl").read_bytes().splitlines()[-1])["changes"] if records else []
        merged = fingerprint(folder)
        after_close = files_of(folder)
        with Project.open(folder, coder="alice") as p:
            if records:
                p.undo()
        results.append((sorted(map(str, logged)), merged, after_close, fingerprint(folder)))
    assert results[0] == results[1] == results[2]


def test_a_failure_inside_the_action_takes_the_whole_bulk_put_back(tmp_path):
    folder = tmp_path / "study"
    documents, codes, coders, _ = started(folder)
    before = fingerprint(folder)
    with Project.open(folder, coder="alice") as p:
        with pytest.raises(ZeroDivisionError):
            with p.operation("merge"):
                p.put_records("codings", records_of([(n, 1, 0, 1, 50) for n in range(9)], documents, codes, coders))
                raise ZeroDivisionError
        assert len(p.state.codings) == 6
    assert fingerprint(folder) == before


KILLED_MERGE = """
import os, signal, sys
sys.path.insert(0, {repo!r})
from store import project, storage
point = {point!r}
if point == "mid bulk":
    done = []
    real = project.Project._coding_db  # each file of the bulk put, new to the project or not
    def dying(self, *args):
        done.append(1)
        if len(done) == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(self, *args)
    project.Project._coding_db = dying
else:  # the checkpoint after the logged merge, at its second file
    saves = []
    real = storage.MemoryStorage.place
    def dying(self, staged):
        saves.append(1)
        if len(saves) == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(self, staged)
    storage.MemoryStorage.place = dying
from tui.cli import main
sys.argv = ["margin", "-p", {ours!r}, "--coder", "alice", "merge", {theirs!r}]
main()
"""


@pytest.mark.parametrize("point", ["mid bulk", "checkpoint after it"])
def test_a_kill_during_a_bulk_merge_loses_no_acknowledged_change(tmp_path, point):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    started(ours)
    shutil.copytree(ours, theirs)
    with Project.open(theirs, coder="bob") as p:  # bob's copy: new codings in both documents
        for document in p.documents.all():
            with p.operation(f"code {document.name}"):
                for n in range(20):
                    p.codings.apply(document, p.codebook.get("Trust"), 10 + n, 30 + n)
    mine = fingerprint(ours)
    script = KILLED_MERGE.format(repo=str(REPO), point=point, ours=str(ours), theirs=str(theirs))
    killed = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, env={**os.environ, "MARGIN_CODER": "alice"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    after = fingerprint(ours)  # opens
    if point == "mid bulk":
        assert after == mine  # nothing of the unacknowledged merge, everything before it
    else:
        assert after == fingerprint(theirs) | {"conflict memos": after["conflict memos"]}  # the logged merge, whole
    with Project.open(ours, coder="alice") as p:
        from store.team.sync import merge_folder

        with Project.open(theirs, readonly=True) as other:
            merge_folder(p, other)
    assert fingerprint(ours)["codings"] == fingerprint(theirs)["codings"]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_sync_reads_none_of_this_coders_own_codings_files(tmp_path, monkeypatch):
    """bob's sync bringing in alice's codings decoded all of bob's own (put_records read every
    coder's file of each incoming document to look for an earlier value): 1.45 s of a
    50,000-coding sync. Now it reads the files the merge names and alice's, never bob's."""
    from tests.team.test_git_sync import DEMO_TEXTS, Team

    team = Team(tmp_path)
    texts = sorted(DEMO_TEXTS.glob("p0[123]*.txt"))[:3]
    alice, bob = team.start(texts)
    for folder, coder in ((alice, "alice"), (bob, "bob")):
        for text in texts:
            for turn in (2, 4, 6):
                team.run(folder, coder, "apply", text.stem, "Access", "--turn", str(turn))
    team.run(alice, "alice", "sync")
    team.run(bob, "bob", "sync")  # bob's codings are committed and pushed; alice's came in
    for text in texts:
        team.run(alice, "alice", "apply", text.stem, "Barriers", "--turn", "8")
    team.run(alice, "alice", "sync")
    with Project.open(bob, readonly=True) as p:
        bobs = p.coder_named("bob").id
    read: list[str] = []
    real = Project._load_codings_file
    monkeypatch.setattr(Project, "_load_codings_file", lambda self, key: (read.append(key), real(self, key))[1])
    assert "alice: 3 codings" in team.run(bob, "bob", "sync")
    assert read and not [key for key in read if key.startswith(bobs + "/")], read
    assert fingerprint(alice) == fingerprint(bob)
