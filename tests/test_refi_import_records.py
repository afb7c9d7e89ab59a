"""`init --from` plans codings as records and puts them without building a `Coding`
(issue 11, helper qdpxin5): `put_new_codings` does what `put_new_entities` of the same
codings does (the log, the files, memory and the counts), on hypothesis-made mixes of
new, held, repeated and oddly written records; and the scan's possessive patterns match
what plain repeats matched."""

from __future__ import annotations

import re
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import model
from store.importers import parse_text
from store.model import Coding
from store.project import Project
from store.refi import export_qdpx, import_project, scan
from tests.test_bulk_puts import STAMP, _study
from tests.test_export_speed import many_codings
from tests.test_refi_support import make_project

WAYS = ("put_new_entities", "put_new_codings")


def _codings(project: Project, held: list[Coding], steps: list[tuple]) -> list[Coding]:
    """The codings a step list names, with fixed ids, so that each way puts the same."""
    document, code, coder = held[0].document, held[0].code, held[0].coder
    bob = project.coder_named("bob").id
    made = []
    for n, (kind, which, size) in enumerate(steps):
        if kind == "new coding":
            made.append(Coding(f"c-new-{which}", document, code, 100 + which, 101 + which + size, "x", coder, STAMP, STAMP))
        elif kind == "new, bob's":
            made.append(Coding(f"c-bob-{which}", document, code, 120 + which, 121 + which, "y", bob, STAMP, STAMP))
        elif kind == "held coding":
            old = held[which % len(held)]
            made.append(replace(old, end=old.end + size, modified=f"{STAMP}{n}"))
        else:  # a held coding made bob's
            made.append(replace(held[which % len(held)], coder=bob))
    return made


def _put(project: Project, way: str, codings: list[Coding], reordered: bool) -> None:
    with project.operation(way):
        if way == "put_new_entities":
            project.put_new_entities(codings)
        else:
            records = [c.to_record() for c in codings]
            if reordered:  # a record of a coding's fields in another order goes the way of put_new_entities
                records[0] = dict(reversed(records[0].items()))
            project.put_new_codings(records)


def _outcome(project: Project, logged: bool) -> tuple:
    """The counts (before any coding is read), the logged changes in order, every stored
    table and every coding in memory."""
    counts = (dict(project.state.coding_counts_by_document()), dict(project.state.coding_counts_by_code()))
    changes = project.journal.read_at(project._undo[-1][1])["changes"] if logged else []
    stored = {name: db.storage.read() for name, db in project._shared_dbs().items()}
    stored = {name: {t: {i: r if type(r) is dict else r.to_record() for i, r in rows.items()} for t, rows in tables.items()}
              for name, tables in stored.items() if any(tables.values())}  # fmt: skip
    return counts, changes, stored, {i: c.to_record() for i, c in project.state.codings.items()}


STEPS = st.lists(
    st.tuples(st.sampled_from(["new coding", "new, bob's", "held coding", "bob's now"]), st.integers(0, 3), st.integers(0, 4)),
    min_size=1,
    max_size=8,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS, reordered=st.booleans())
def test_putting_records_does_what_putting_the_codings_does(tmp_path_factory, steps, reordered):
    """New ones only (an import) take the quick way; a held one, an id twice or a record
    written in another order go the other: the outcome is the same either way."""
    project, held, _memos = _study(tmp_path_factory)
    try:
        codings = _codings(project, held, steps)
        outcomes = {}
        for way in WAYS:
            seq = project.seq
            _put(project, way, codings, reordered)
            outcomes[way] = _outcome(project, project.seq > seq)
            if project.seq > seq:
                project.undo()
        assert outcomes["put_new_codings"] == outcomes["put_new_entities"]
    finally:
        project.close()


def test_new_codings_put_as_records_are_counted_and_read_back(tmp_path):
    """Into a new project (nothing unread, no counts from a checkpoint): the counts come
    from the records without building a coding, and the codings read back equal them."""
    project = Project.init(tmp_path / "p", coder="alice")
    try:
        code = project.codebook.add("Trust")
        document = project.documents.import_parsed(parse_text("P: one two three four five six", "txt"), "D").document
        coder = project.coder.id
        records = [Coding(f"c{n}", document.id, code.id, n, n + 2, "x", coder, STAMP, STAMP).to_record() for n in range(5)]
        with project.operation("records"):
            project.put_new_codings(records)
        assert project.state.coding_counts_by_code() == {code.id: 5}
        assert project.state.coding_counts_by_document() == {document.id: 5}
        assert not project.state._codings  # none built yet
        assert [c.to_record() for c in project.state.codings_of(document.id).values()] == records
    finally:
        project.close()
    with Project.open(tmp_path / "p", readonly=True) as again:
        assert sorted(c.to_record()["id"] for c in again.state.codings.values()) == [f"c{n}" for n in range(5)]


def test_an_import_builds_no_coding(tmp_path, monkeypatch):
    """Its codings are planned, logged, stored and counted as records: on main the plan
    built a `Coding` for each (and the put a record of each again)."""
    with make_project(tmp_path / "study") as project:
        many_codings(project, 60)
        export_qdpx(project, tmp_path / "study.qdpx")
    built = []
    real = Coding.__init__
    monkeypatch.setattr(Coding, "__init__", lambda self, *a, **k: built.append(1) or real(self, *a, **k))
    monkeypatch.setattr(model.Coding, "build_all", classmethod(lambda cls, records: built.append(len(records)) or []))
    report = import_project(tmp_path / "study.qdpx", tmp_path / "imported")
    assert report.counts["codings"] >= 60
    assert built == []


# ------------------------------------------------------------------ possessive patterns

_PLAIN = {name: re.compile(getattr(scan, name).pattern.replace(b"*+", b"*").replace(b"++", b"+"))
          for name in ("SINGLE", "SELECTION", "CODING", "CLOSE")}  # fmt: skip
_BITS = [b"<PlainTextSelection", b"<Coding", b"<CodeRef", b"</Coding", b"</PlainTextSelection", b" ", b"\n", b"\t", b">", b"/>",
         b' guid="01b56b52-d668-4b75-98c6-b4942896e906"', b' name="', b'a "', b'"', b"&amp;", b"&#10;", b"&", b"<", b"\x01",
         b' startPosition="3"', b' endPosition="12"', b' creatingUser="', b' creationDateTime="2026-12-02T14:45:20.043Z"',
         b' modifiedDateTime="x"', b' targetGUID="', b"=", b"\xc3\xa9"]  # fmt: skip
_SELECTION = (b'<PlainTextSelection guid="01b56b52-d668-4b75-98c6-b4942896e906" name="a" startPosition="1" endPosition="2">\n'
              b'<Coding guid="01b56b52-d668-4b75-98c6-b4942896e907"><CodeRef targetGUID="x"/></Coding></PlainTextSelection>\n')  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(_BITS), max_size=30).map(b"".join),
                 st.tuples(st.integers(0, len(_SELECTION)), st.lists(st.sampled_from(_BITS), max_size=3).map(b"".join))
                 .map(lambda cut: _SELECTION[: cut[0]] + cut[1] + _SELECTION[cut[0] :])))  # fmt: skip
def test_the_possessive_patterns_match_what_plain_repeats_matched(data):
    for name, plain in _PLAIN.items():
        found, expected = getattr(scan, name).match(data), plain.match(data)
        assert (found and (found.end(), found.groups())) == (expected and (expected.end(), expected.groups())), name
    whole = _SELECTION * 2
    assert scan.SINGLE.match(whole).end() == _PLAIN["SINGLE"].match(whole).end() == len(_SELECTION)


def test_codings_put_again_as_records_take_their_tombstones_away(tmp_path):
    """A coding deleted, then put again by `put_new_codings` (its id a tombstone names):
    the quick way, which writes no tombstone, is not taken, and the tombstone goes."""
    from store.schema import tombstone_key

    project = Project.init(tmp_path / "p", coder="alice")
    try:
        code = project.codebook.add("Trust")
        document = project.documents.import_parsed(parse_text("P: one two three four five six", "txt"), "D").document
        coding = Coding("c1", document.id, code.id, 0, 3, "one", project.coder.id, STAMP, STAMP)
        with project.operation("a coding"):
            project.put(coding)
        with project.operation("gone"):
            project.delete(coding)
        assert tombstone_key("codings", "c1") in project.tombstones()
        with project.operation("again"):
            project.put_new_codings([coding.to_record()])
        assert tombstone_key("codings", "c1") not in project.tombstones()
        assert project.state.codings_of(document.id)["c1"] == coding
    finally:
        project.close()
