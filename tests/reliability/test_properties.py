"""Random sequences of store operations keep the project's invariants (hypothesis).

After every step: every coding lies inside its document and its stored text equals that
slice of the text; nothing points at a missing code, document or coding; the undo and
redo stacks match the actions taken. Undo must bring back exactly the state before the
action, redo exactly the state after it, and close + reopen exactly the same state.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import store.clock
from store.errors import MarginError
from store.importers import parse_text
from store.project import Project
from tests.reliability.helpers import INTERVIEW, check_invariants, state_of

TEXTS = [
    INTERVIEW,
    "Nurse: café 👩🏽‍⚕️ then e\u0301 and na\u0308ive, 🇬🇧 flags\n\nDoctor: שלום עולם, مرحبا بكم 123\n",
    "A: one\nB: two\nA: three \u202eevil\u202c\n",
]
NAMES = st.text(alphabet="ab😀\u0301", min_size=1, max_size=3) | st.sampled_from(["", "a > ", "\x1b[31mred", "/etc/passwd"])
MEMO_TEXT = st.text(max_size=40)


class _CountingIds:
    """Stands in for the uuid module of store/clock.py: ids in creation order, the same on
    every rerun. Project files list entities by id, so after a reopen the state's order
    is id order; with random ids the same draws would pick different entities."""

    def __init__(self):
        self.count = 0

    def uuid4(self):
        self.count += 1
        return uuid.UUID(int=self.count)


def _pick(data, values, label):
    """One of `values` in the state's own order (creation order, see _CountingIds)."""
    values = list(values)
    return data.draw(st.sampled_from(values), label=label) if values else None


def _span(data, length: int) -> tuple[int, int]:
    """Mostly a span inside the text; one in ten outside it or empty (to be refused)."""
    if data.draw(st.integers(0, 9), label="outside") == 0:
        return data.draw(st.sampled_from([(-1, 3), (length - 1, length + 1), (2, 2), (5, 4)]), label="bad span")
    start = data.draw(st.integers(0, length - 1), label="start")
    return start, data.draw(st.integers(start + 1, min(length, start + 60)), label="end")


class ProjectMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._real_uuid, store.clock.uuid = store.clock.uuid, _CountingIds()
        self.base = Path(tempfile.mkdtemp(prefix="margin-prop-"))
        self.project = Project.init(self.base / "p", coder="alice")
        self.history: list[dict] = []  # the state before each action that undo can take back
        self.future: list[dict] = []  # the state that each redo must bring back
        self.spell: str | None = None  # the memo that the newest action saved, alone

    def teardown(self):
        store.clock.uuid = self._real_uuid
        self.project.close()
        shutil.rmtree(self.base, ignore_errors=True)

    @property
    def state(self):
        return self.project.state

    def act(self, call, *args) -> None:
        """Run one user action; a refusal must change nothing, a change joins the history."""
        before, seq = state_of(self.project), self.project.seq
        try:
            call(*args)
        except MarginError:
            assert state_of(self.project) == before, "a refused action changed the project"
            return  # it logged nothing: a memo's editing spell goes on after it, as the store sees it
        if self.project.seq != seq:
            self.spell = None
            self.history.append(before)
            self.future.clear()

    # ------------------------------------------------------------------ actions

    @initialize(text=st.sampled_from(TEXTS))
    def start_with_a_document_and_codes(self, text):
        self.act(self.project.documents.import_parsed, parse_text(text), "first")
        for path in ("a", "b > c"):
            self.act(self.project.codebook.add, path)

    @rule(text=st.sampled_from(TEXTS), name=NAMES)
    def import_document(self, text, name):
        self.act(self.project.documents.import_parsed, parse_text(text), name or "doc")

    @rule(path=st.lists(NAMES, min_size=1, max_size=2))
    def add_code(self, path):
        self.act(self.project.codebook.add, " > ".join(path))

    @rule(data=st.data())
    def apply(self, data):
        document = _pick(data, self.state.documents.values(), "document")
        code = _pick(data, self.state.codes.values(), "code")
        if document and code:
            self.act(self.project.codings.apply, document, code, *_span(data, document.length))

    @rule(data=st.data())
    def uncode(self, data):
        coding = _pick(data, self.state.codings.values(), "coding")
        if coding:
            self.act(self.project.codings.uncode, coding)

    @rule(data=st.data(), shift=st.integers(-5, 5), side=st.sampled_from(["start", "end"]))
    def move_a_boundary(self, data, shift, side):
        coding = _pick(data, self.state.codings.values(), "coding")
        if coding:
            start, end = coding.start + shift * (side == "start"), coding.end + shift * (side == "end")
            self.act(self.project.codings.resize, coding, start, end)

    @rule(data=st.data(), name=NAMES)
    def rename_code(self, data, name):
        code = _pick(data, self.state.codes.values(), "code")
        if code:
            self.act(self.project.codebook.rename, code, name)

    @rule(data=st.data(), to_top=st.booleans())
    def move_code(self, data, to_top):
        code = _pick(data, self.state.codes.values(), "code")
        parent = None if to_top else _pick(data, self.state.codes.values(), "parent")
        if code:
            self.act(self.project.codebook.move, code, parent)

    @rule(data=st.data())
    def merge_codes(self, data):
        source = _pick(data, self.state.codes.values(), "source")
        target = _pick(data, self.state.codes.values(), "target")
        if source and target:
            self.act(self.project.codebook.merge, source, target)

    @rule(data=st.data(), force=st.booleans())
    def delete_code(self, data, force):
        code = _pick(data, self.state.codes.values(), "code")
        if code:
            self.act(self.project.codebook.delete, code, force)

    @rule(data=st.data())
    def delete_document(self, data):
        document = _pick(data, self.state.documents.values(), "document")
        if document:
            self.act(self.project.documents.delete, document)

    @rule(data=st.data(), kind=st.sampled_from(["project", "journal", "document", "code", "coding"]), text=MEMO_TEXT)
    def add_memo(self, data, kind, text):
        pool = {"document": self.state.documents, "code": self.state.codes, "coding": self.state.codings}.get(kind)
        target = _pick(data, pool.values(), "target") if pool is not None else None
        if pool is None or target:
            known = set(self.state.memos)
            self.act(self.project.memos.add, kind, target.id if target else None, text)
            self.spell = next(iter(set(self.state.memos) - known), None)

    @rule(data=st.data(), text=MEMO_TEXT)
    def edit_memo(self, data, text):
        memo = _pick(data, self.state.memos.values(), "memo")
        if memo:
            seq = self.project.seq
            self.act(self.project.memos.edit, memo, text)
            self.spell = memo.id if self.project.seq != seq else None

    @rule(data=st.data(), text=MEMO_TEXT)
    def continue_editing_memo(self, data, text):
        """A later save of the same editing spell: one undo step with the save before it,
        when that save is still the newest action; else an action of its own."""
        same = self.spell in self.state.memos and data.draw(st.booleans(), label="the same memo")
        memo = self.state.memos[self.spell] if same else _pick(data, self.state.memos.values(), "memo")
        if not memo:
            return
        joins, before, seq = self.spell == memo.id, state_of(self.project), self.project.seq
        self.project.memos.edit(memo, text, amends=seq)
        if self.project.seq != seq:
            if not joins:
                self.history.append(before)
            self.future.clear()
            self.spell = memo.id

    @rule(data=st.data())
    def delete_memo(self, data):
        memo = _pick(data, self.state.memos.values(), "memo")
        if memo:
            self.act(self.project.memos.delete, memo)

    # ------------------------------------------------------------------ history and persistence

    @precondition(lambda self: self.history)
    @rule()
    def undo(self):
        after = state_of(self.project)
        self.spell = None
        self.project.undo()
        assert _content(state_of(self.project)) == _content(self.history.pop()), "undo did not bring back the state before the action"
        self.future.append(after)

    @precondition(lambda self: self.future)
    @rule()
    def redo(self):
        before = state_of(self.project)
        self.spell = None
        self.project.redo()
        assert _content(state_of(self.project)) == _content(self.future.pop()), "redo did not bring back the state after the action"
        self.history.append(before)

    @rule()
    def undo_then_redo(self):
        if self.history:
            self.undo()
            self.redo()

    @rule()
    def checkpoint(self):
        self.project.checkpoint()

    @rule()
    def close_and_reopen(self):
        before = state_of(self.project)
        self.project.close()
        self.project = Project.open(self.base / "p", coder="alice")
        # counted from the checkpoint's index, before any codings file is read
        by_code, by_document = dict(self.project.codebook.counts()), dict(self.state.coding_counts_by_document())
        assert state_of(self.project) == before, "close + reopen changed the state"
        assert by_code == dict(Counter(c["code"] for c in before["codings"].values())), "the code counts index is off"
        assert by_document == dict(Counter(c["document"] for c in before["codings"].values())), "the document counts are off"

    @precondition(lambda self: self.history)
    @rule()
    def reopen_then_undo(self):
        """Undo in a fresh writer, whose codings files are read only as undo needs them."""
        after = state_of(self.project)
        self.project.close()
        self.project = Project.open(self.base / "p", coder="alice")
        self.spell = None
        self.project.undo()
        assert _content(state_of(self.project)) == _content(self.history.pop()), "undo after reopening went wrong"
        self.future.append(after)

    # ------------------------------------------------------------------ invariants

    @invariant()
    def codings_fit_and_nothing_dangles(self):
        check_invariants(self.project)

    @invariant()
    def undo_and_redo_stacks_match_the_actions(self):
        assert self.project.can_undo == bool(self.history)
        assert self.project.can_redo == bool(self.future)


ProjectMachine.TestCase.settings = settings(
    max_examples=50,
    stateful_step_count=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestProjectMachine = ProjectMachine.TestCase


def _content(state: dict) -> dict:
    """What undo takes back: everything but the coders, who are recorded with their first
    change and stay (who did what is history, not content)."""
    return {table: records for table, records in state.items() if table != "coders"}
