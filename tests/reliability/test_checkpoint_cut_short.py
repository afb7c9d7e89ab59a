"""A checkpoint cut short by a kill, at every point between its writes, followed by more
work and more checkpoints (some cut short too): every open must accept the files and
hold every acknowledged change.

The crash test (test_crash.py) found kill sequences after which a codings file was newer
than local.json's record with no pending entry, so the next open refused the project.
The cause: a file that a cut-short checkpoint wrote, and that no later action touched
again, kept the old digest in the record of the next checkpoint."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import layout, storage
from store.errors import Refused
from store.importers import parse_text
from store.project import Project
from tests.reliability.helpers import check_record_holds_the_files

def _text(n: int) -> str:
    return "\n".join(f"P: turn {t} of interview {n} says something worth coding here." for t in range(6))


class Killed(Exception):
    """Stands for kill -9 between two writes of a checkpoint."""


def _abandon(project: Project) -> None:
    """What a kill leaves: the log as fsynced, no close, no final checkpoint."""
    project.journal.close()
    project.lock.release()


def _checkpoint_killed_after(project: Project, monkeypatch, writes: int) -> None:
    """Run a checkpoint that is killed after `writes` of its file writes (local.json's
    pending record, each shared file, the final record)."""
    count = itertools.count()

    def maybe_kill() -> None:
        if next(count) >= writes:
            raise Killed

    real_local, real_place = layout.write_local, storage.MemoryStorage.place

    def write_local(folder, checkpoint, **durability):
        maybe_kill()
        real_local(folder, checkpoint, **durability)

    def place(self, staged):  # a shared file renamed into place
        maybe_kill()
        real_place(self, staged)

    with monkeypatch.context() as patched:
        patched.setattr(layout, "write_local", write_local)
        patched.setattr(storage.MemoryStorage, "place", place)
        try:
            project.checkpoint()
        except Killed:
            pass


def _state(project: Project) -> tuple:
    codings = sorted(
        (c.document, c.code, c.start, c.end, c.coder) for d in project.documents.all() for c in project.codings.for_document(d)
    )
    codes = sorted(project.codebook.path(c) for c in project.codebook.all())
    memos = sorted((m.kind, m.target, m.text) for m in project.memos.all())
    return codings, codes, memos


def _setup(tmp_path):
    project = Project.init(tmp_path / "study", name="Study", coder="alice")
    docs = [project.documents.import_parsed(parse_text(_text(n), "txt"), f"N{n}", {}).document for n in range(3)]
    trust = project.codebook.add("Trust")
    for doc in docs:
        project.codings.apply(doc, trust, 0, 9)
    project.checkpoint()
    return project


def _uncode(project, k):
    document = project.documents.all()[k % 3]
    project.codings.uncode(project.codings.for_document(document)[0])


def _apply(project, k):
    project.codings.apply(project.documents.all()[1], _trust(project), 20 + 3 * k, 25 + 3 * k)


def _rename(project, k):
    project.codebook.rename(_trust(project), f"Trust, take {k}")


def _memo(project, k):
    project.memos.add("document", project.documents.all()[2].id, f"thought {k}")


def _move_coder(project, k):
    project.codings.apply(project.documents.all()[0], _trust(project), 200 + 3 * k, 205 + 3 * k, coder="bob")


def _trust(project):
    return project.codebook.all()[0]


CLEAN = 7  # a sequence step that closes the project instead of killing its checkpoint
ACTIONS = [_uncode, _apply, _rename, _memo, _move_coder]


@pytest.mark.parametrize("first", ACTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("then", [None, *ACTIONS], ids=lambda f: getattr(f, "__name__", "nothing"))
def test_a_checkpoint_cut_short_anywhere_then_more_work_opens(tmp_path, monkeypatch, first, then):
    _setup(tmp_path).close()
    for writes in range(0, 8):
        folder = tmp_path / f"cut{writes}"
        _copy(tmp_path / "study", folder)
        project = Project.open(folder)
        first(project, 0)
        expected = _state(project)
        _checkpoint_killed_after(project, monkeypatch, writes)
        _abandon(project)
        with Project.open(folder) as again:  # the cut-short checkpoint is accepted
            assert _state(again) == expected
            check_record_holds_the_files(again)
            if then is not None:
                then(again, 1)
            expected = _state(again)
        with Project.open(folder) as again:  # and the checkpoint after it too
            assert _state(again) == expected


@pytest.mark.parametrize("cuts", [(1, 2), (2, 1), (3, 3), (1, 1), (2, 4)])
def test_two_checkpoints_cut_short_in_a_row_open(tmp_path, monkeypatch, cuts):
    project = _setup(tmp_path)
    for k, (writes, action) in enumerate(zip(cuts, (_uncode, _apply))):
        action(project, k)
        expected = _state(project)
        _checkpoint_killed_after(project, monkeypatch, writes)
        _abandon(project)
        project = Project.open(tmp_path / "study")
        assert _state(project) == expected
    project.close()
    with Project.open(tmp_path / "study") as again:
        assert _state(again) == expected


def _copy(source, target) -> None:
    import shutil

    shutil.copytree(source, target)


def _try(action, project, k) -> None:
    """An action of a random sequence; one refused (nothing left to uncode) changes nothing."""
    try:
        action(project, k)
    except (Refused, IndexError):
        pass


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, CLEAN)), min_size=1, max_size=6))
def test_any_sequence_of_checkpoints_cut_short_opens_with_everything(tmp_path_factory, monkeypatch, steps):
    """Random actions, each followed by a checkpoint killed after some writes (or, for
    CLEAN, a clean close), and a reopen: every open accepts the files and shows every change made."""
    folder = tmp_path_factory.mktemp("seq")
    project = _setup(folder)
    for k, (action, writes) in enumerate(steps):
        _try(action, project, k)
        expected = _state(project)
        if writes == CLEAN:
            project.close()
        else:
            _checkpoint_killed_after(project, monkeypatch, writes)
            _abandon(project)
        project = Project.open(folder / "study")
        assert _state(project) == expected
        check_record_holds_the_files(project)
    project.close()
