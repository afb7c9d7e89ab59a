"""The analysis screen's figures from live columns (store/analysis/live.py) equal a fresh
computation after any history of changes.

A writer (as the app holds the project) keeps live columns and the screen's view cache;
random applies, removals, undos, redos, code renames, a document deleted, attribute changes
and speaker renames follow; after each step every view the screen would show (each view as
left, each option of the view shown, under several filters) is taken from the cache or
built from the live columns, and compared, figure by figure, with the same view built
fresh over every `Coding` (the plain path, live columns off). Each step remakes the
columns of the documents it touched, never the others'."""

from __future__ import annotations

import random
from contextlib import contextmanager

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from store import speakers
from store.analysis import columns, live
from store.analysis.scope import Scope
from store.errors import MarginError
from tests.analysis.conftest import build_small
from tests.analysis.test_columns import act
from tui.screens import analysis


@contextmanager
def without_live(project):
    """The project's figures over every coding, as if it never kept live columns."""
    kept = live._LIVE.pop(project)
    try:
        yield
    finally:
        live._LIVE[project] = kept


def shown(view: analysis.View) -> tuple:
    """Everything the screen draws of a view, and the codings behind each figure."""
    if view.bars is not None:
        bars = [(b.label, b.value, b.numbers, b.depth, b.cell.codings if b.cell else ()) for b in view.bars]
        return "bars", bars, view.columns, view.corner, [view.describe(r, 0) for r in range(len(bars))]
    grid = view.grid
    rows = [(r.label, r.note, r.heading, [(m.text, m.level, m.cell.value, m.cell.codings) if m else None for m in r.marks])
            for r in grid.rows]
    details = [view.describe(r, c) for r, row in enumerate(grid.rows) if not row.heading for c in range(len(row.marks))]
    return "grid", grid.columns, grid.corner, rows, details, view.empty


def settings_to_check(project, study, base: analysis.Settings, rng: random.Random) -> list[analysis.Settings]:
    """Every view and option key's view, with no filter and with one other filter (each
    the filter prompt can give), and one view of each kind with a random option of all."""
    found = []
    documents = sorted(project.state.documents)
    others = (Scope(coder=study.coders["bob"]), Scope(code=study.codes["Care"]),
              Scope(attributes=(("case", "A"),)), Scope(speakers=frozenset(["Participant"])),
              Scope(documents=frozenset(rng.sample(documents, min(2, len(documents))))),
              Scope(attributes=(("round", "1"),), coder=study.coders["alice"]),
              Scope(not_speakers=frozenset(["Interviewer"]), code=study.codes["Care"]))
    for scope in (Scope(), rng.choice(others)):
        for view in analysis.VIEWS:
            found += analysis.ahead(project, analysis.replace_settings(base, view=view, scope=scope))
    scope = rng.choice((Scope(), *others))
    found.append(analysis.replace_settings(base, view="frequencies", scope=scope, by=rng.choice(analysis.groupings(project)),
                                           rollup=rng.random() < 0.5))
    found.append(analysis.replace_settings(base, view="cooccurrence", scope=scope, within=rng.choice(analysis.WITHIN),
                                           measure=rng.choice(analysis.MEASURES)))
    found.append(analysis.replace_settings(base, view="matrix", scope=scope, cols=rng.choice(analysis.matrix_columns(project)),
                                           count=rng.choice(analysis.COUNTS)))
    return found


def change(project, study, rng: random.Random) -> None:
    """One random change: coding (add, remove, undo, redo), a rename, a deletion or an attribute."""
    move = rng.choice(("coding", "coding", "coding", "code", "document", "attribute", "speaker"))
    try:
        if move == "coding":
            act(project, rng, 1)
        elif move == "code":
            code = project.state.codes[rng.choice(sorted(study.codes.values()))]
            project.codebook.rename(code, rng.choice(["Zeal", "Apple", code.name + "x"]))
        elif move == "document" and len(project.state.documents) > 1:
            project.documents.delete(project.state.documents[rng.choice(sorted(project.state.documents))])
        elif move == "attribute":
            document = project.state.documents[rng.choice(sorted(project.state.documents))]
            # a value respelled ("a " and "A" one case) groups with its other spellings, under
            # the first document's spelling, which this very change may alter
            key = rng.choice(("round", "round", "case"))
            values = ["1", "2", "3", " 2", "2 "] if key == "round" else ["A", "a ", "B", " b"]
            project.documents.set_attributes(document, {key: rng.choice(values)})
        else:
            old, new = rng.choice([("Participant", "Respondent"), ("Respondent", "Participant"), ("Interviewer", "Participant")])
            speakers.rename(project, old, new)
    except MarginError:
        pass


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 8))
@example(seed=1339, steps=7)  # a code whose codings cover no words: no Jaccard words of its own (KeyError)
def test_the_screen_figures_follow_every_change_exactly(tmp_path_factory, seed, steps):
    study = build_small(tmp_path_factory.mktemp("live") / "small")
    project, rng = study.project, random.Random(seed)
    live.keep_live(project)
    base = analysis.Settings()
    snapshot = None
    try:
        for _ in range(steps + 1):
            remade = live.remade(project)
            for s in settings_to_check(project, study, base, rng):
                found = analysis.view_of(project, s, s.view)  # cached or from the live columns
                with without_live(project):
                    fresh = analysis.BUILDERS[s.view](project, analysis.Settings(**{**vars(s), "cache": {}}))
                assert shown(found) == shown(fresh), (s.view, s.options(s.view), s.scope)
            if snapshot is not None:  # only the documents the change touched were remade
                assert live.remade(project) - remade <= sum(1 for d, held in state_of(project).items() if snapshot.get(d) != held)
            snapshot = state_of(project)
            change(project, study, rng)
    finally:
        project.close()


def state_of(project) -> dict:
    return {d: (document, tuple(project.state.codings_of(d).values())) for d, document in project.state.documents.items()}


def test_an_apply_remakes_one_documents_columns(small):
    project = small.project
    live.keep_live(project)
    s = analysis.Settings()
    analysis.view_of(project, s, "cooccurrence")
    assert live.remade(project) == len(project.state.documents)  # the first build: every document
    document = project.state.documents[small.docs["A2"]]
    project.codings.apply(document, project.state.codes[small.codes["Time"]], 0, 5)
    view = analysis.view_of(project, s, "cooccurrence")
    assert live.remade(project) == len(project.state.documents) + 1  # only A2's
    with without_live(project):
        assert shown(view) == shown(analysis.build_cooccurrence(project, analysis.Settings()))


def test_an_apply_recounts_only_the_touched_document(small, monkeypatch):
    """After every view is built once, an apply in one document costs each view's
    figures that document's contribution: no other document's columns are read again,
    under no filter and under a filter (the counts of a filter come from what is kept)."""
    project = small.project
    live.keep_live(project)
    read: list[str] = []
    for name in ("runs", "coding_ids"):
        original = getattr(columns.Columns, name)
        monkeypatch.setattr(columns.Columns, name, lambda self, _o=original: (read.append(self.document), _o(self))[1])
    take_all = columns.Gathered.take_all
    monkeypatch.setattr(columns.Gathered, "take_all", lambda self, c: (read.append(c.document), take_all(self, c))[1])
    take = columns.Gathered.take
    monkeypatch.setattr(columns.Gathered, "take", lambda self, c, code, i: (read.append(c.document), take(self, c, code, i))[1])
    every = [analysis.replace_settings(analysis.Settings(), view=view, **options) for view, options in (
        ("frequencies", {}), ("frequencies", {"by": "coder", "rollup": True}), ("cooccurrence", {}),
        ("cooccurrence", {"within": "turn"}), ("cooccurrence", {"within": "document"}), ("matrix", {}),
        ("matrix", {"cols": "case", "count": "words"}), ("rounds", {}),
    )]
    every += [analysis.replace_settings(s, scope=Scope(attributes=(("group", "g1"),))) for s in every]
    for s in every:
        analysis.view_of(project, s, s.view)
    made = live.contributed(project)
    assert set(read) == set(project.state.documents)  # the first builds read every document
    read.clear()
    a2 = project.state.documents[small.docs["A2"]]
    project.codings.apply(a2, project.state.codes[small.codes["Time"]], 0, 5)
    for s in every:
        found = analysis.view_of(project, s, s.view)
        with without_live(project):
            assert shown(found) == shown(analysis.BUILDERS[s.view](project, analysis.Settings(**{**vars(s), "cache": {}})))
    assert set(read) == {a2.id}  # only A2's columns were read again
    kinds = len(live._LIVE[project].parts)
    assert live.contributed(project) - made == kinds  # one contribution per kind: A2's
