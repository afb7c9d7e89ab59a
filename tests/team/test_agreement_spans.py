"""`margin agreement`'s quick read (store/team/spans.py): the named coders' files decoded
into bare spans give exactly the figures of the plain path over every coding, and any
doubt about the files (a coding in the log tail, a file that is not the recorded one)
takes the plain path."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.clock import new_id, now
from store.errors import ProjectCorrupt
from store.importers import parse_text
from store.model import Coding
from store.project import Project
from store.team.agreement import compare
from store.team.spans import named_spans
from tests.conftest import INTERVIEW

CODERS = ("alice", "bob", "carol")

codings = st.lists(
    st.tuples(st.sampled_from(CODERS), st.integers(0, 1), st.integers(0, 2), st.integers(0, 400), st.integers(1, 60)),
    max_size=40,
)


def study(folder, made) -> None:
    """Two documents, three codes, `made` = (coder, document, code, start, length) codings."""
    with Project.init(folder, name="Team", coder="alice") as p:
        documents = [p.documents.import_parsed(parse_text(INTERVIEW + "x" * n, "txt"), f"N{n}").document for n in (1, 2)]
        codes = [p.codebook.add(f"Code {n}") for n in range(3)]
        coders = {name: p.add_coder(name) for name in CODERS}
        with p.operation("code"):
            for coder, d, c, start, length in made:
                document = documents[d]
                start = min(start, document.length - 1)
                end = min(start + length, document.length)
                p.put(Coding(new_id(), document.id, codes[c].id, start, end, "", coders[coder].id, now(), now()))


def both_paths(folder, names, unit, partial=False):
    """compare() by the quick read, then by the plain path, on one read-only open."""
    with Project.open(folder, readonly=True) as p:
        ids = [p.coder_named(n).id for n in names]
        assert named_spans(p, ids) is not None
        quick = compare(p, names, unit, partial=partial, passages=True)
        p.state.codings  # noqa: B018 - every coding built: the quick read stands aside
        assert named_spans(p, ids) is None
        plain = compare(p, names, unit, partial=partial, passages=True)
    return quick, plain


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(made=codings, unit=st.sampled_from(["character", "word"]), three=st.booleans(), partial=st.booleans())
def test_the_quick_read_gives_the_plain_paths_figures(tmp_path_factory, made, unit, three, partial):
    folder = tmp_path_factory.mktemp("spans") / "study"
    study(folder, made)
    names = list(CODERS if three else CODERS[:2])
    quick, plain = both_paths(folder, names, unit, partial)
    assert quick.rows == plain.rows
    assert quick.disagreements == plain.disagreements
    assert [d.id for d in quick.documents] == [d.id for d in plain.documents] and quick.codes == plain.codes


def test_a_coding_in_the_log_tail_takes_the_plain_path(tmp_path):
    folder = tmp_path / "study"
    study(folder, [("alice", 0, 0, 10, 20), ("bob", 0, 0, 10, 20)])
    with Project.open(folder, coder="bob") as writer:  # logged, not yet checkpointed
        document = writer.documents.get("N1")
        writer.codings.apply(document, writer.codebook.get("Code 1"), 100, 140)
        with Project.open(folder, readonly=True) as p:
            assert named_spans(p, [p.coder_named("alice").id, p.coder_named("bob").id]) is None
            result = compare(p, ["alice", "bob"])
        assert p.codebook.get("Code 1").id in result.codes  # bob's new coding counted


def test_a_file_not_the_recorded_one_is_refused_by_the_plain_path(tmp_path):
    folder = tmp_path / "study"
    study(folder, [("alice", 0, 0, 10, 20), ("bob", 0, 0, 10, 20)])
    path = next((folder / "codings").glob("*/*.json"))
    path.write_bytes(path.read_bytes().replace(b"\n}", b"\n }", 1))  # still JSON, not what the checkpoint wrote
    with Project.open(folder, readonly=True) as p:
        assert named_spans(p, [p.coder_named("alice").id, p.coder_named("bob").id]) is None
        with pytest.raises(ProjectCorrupt, match="restore"):
            compare(p, ["alice", "bob"])
