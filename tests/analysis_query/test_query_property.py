"""Property tests: on random small projects, `find` gives exactly what a brute-force
evaluator written here from the documented semantics gives (comparing every pair of
codings, which is fine at this size); the canonical text of any query parses back to it;
and random strings never raise anything but BadInput."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.analysis.query import Binary, Not, Operand, Query, find, parse, unparse
from store.analysis.scope import Scope
from store.errors import BadInput
from store.importers import parse_text
from store.project import Project

PATHS = ["Trust", "Hope", "Role", "Role > Boundaries", "Role > Boundaries > Firm", "Peer support", 'Say "no"', "Not me"]
SPEAKERS = ["Interviewer", "Nurse", "Manager"]
VOCABULARY = ["trust", "hope", "the", "ward", "don't", "peer-worker", "ok", "—", "2024", "café"]
WORD = re.compile(r"\w+(?:['’]\w+)*")  # a word as the reader's motions and word_count see it

EXAMPLES = int(os.environ.get("QUERY_EXAMPLES", "40"))  # QUERY_EXAMPLES=2000 for a long run
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ------------------------------------------------------------------------------ random projects


@st.composite
def transcripts(draw) -> str:
    turns = []
    for _ in range(draw(st.integers(1, 4))):
        words = draw(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=6))
        turns.append(f"{draw(st.sampled_from(SPEAKERS))}: {' '.join(words)}.")
    return "\n\n".join(turns) + "\n"


@st.composite
def projects(draw):
    """(documents as (text, attributes), codings as (document index, path index, start, end, by bob))."""
    texts = draw(st.lists(transcripts(), min_size=1, max_size=2))
    documents = [(t, {"round": draw(st.sampled_from(["1", "2"]))}) for t in texts]
    codings = []
    for _ in range(draw(st.integers(0, 20))):
        d = draw(st.integers(0, len(texts) - 1))
        edges = _edges(texts[d])  # word and turn edges, so that codings touch and meet turn ends
        start = draw(st.sampled_from(edges[:-1]) | st.integers(0, len(texts[d]) - 1))
        end = draw(st.sampled_from([e for e in edges if start < e <= start + 25] or [start + 1]) | st.integers(start + 1, min(len(texts[d]), start + 25)))
        path = draw(st.integers(0, 3) | st.integers(0, len(PATHS) - 1))  # mostly four codes, so they meet
        codings.append((d, path, start, end, draw(st.booleans())))
    return documents, codings


def _edges(text: str) -> list[int]:
    return sorted({0, len(text)} | {i + k for i, ch in enumerate(text) if ch in " .:\n" for k in (0, 1)} - {len(text) + 1})


def queries(depth: int = 3):
    operands = (st.sampled_from(PATHS[:4]) | st.sampled_from(PATHS)).map(Operand)
    return st.recursive(
        operands,
        lambda inner: st.one_of(
            inner.map(Not),
            st.tuples(st.sampled_from(["and", "overlap", "or", "near"]), inner, inner, st.integers(0, 3)).map(
                lambda t: Binary(t[0], t[1], t[2], t[3] if t[0] == "near" else 0)
            ),
        ),
        max_leaves=depth + 2,
    )


@st.composite
def scopes(draw):
    return dict(
        speakers=draw(st.none() | st.sets(st.sampled_from(SPEAKERS), min_size=1).map(frozenset)),
        not_speakers=draw(st.sets(st.sampled_from(SPEAKERS), max_size=1).map(frozenset)),
        round=draw(st.none() | st.sampled_from(["1", "2"])),
        bob=draw(st.none() | st.booleans()),
        code=draw(st.none() | st.sampled_from(PATHS)),
    )


def build(folder: Path, documents, codings) -> Project:
    project = Project.init(folder, name="random", coder="alice")
    bob = project.add_coder("bob")
    docs = [project.documents.import_parsed(parse_text(t, "txt"), f"D{i}", a).document for i, (t, a) in enumerate(documents)]
    codes = [project.codebook.ensure(p) for p in PATHS]
    seen = set()
    with project.operation("random codings"):
        for d, c, start, end, by_bob in codings:
            if (docs[d].id, c, start, end) not in seen:  # two drawn texts alike are one document
                seen.add((docs[d].id, c, start, end))
                project.codings.apply(docs[d], codes[c], start, end, coder=bob.id if by_bob else None)
    return project


def scope_of(project, drawn) -> Scope:
    coder = None if drawn["bob"] is None else project.coder_named("bob" if drawn["bob"] else "alice").id
    return Scope(
        attributes=(("round", drawn["round"]),) if drawn["round"] else (),
        coder=coder,
        speakers=drawn["speakers"],
        not_speakers=drawn["not_speakers"],
        code=project.codebook.get(drawn["code"]).id if drawn["code"] else None,
    )


# ------------------------------------------------------------------------------ the brute force


class BruteForce:
    """The semantics of docs/query.md, pair by pair over every coding in sight."""

    def __init__(self, project, scope: Scope):
        self.project = project
        state = project.state
        self.documents = state.documents
        self.sight = [c for c in state.codings.values() if self.in_sight(c, scope)]
        self.words = {d: [m.span() for m in WORD.finditer(project.text(d))] for d in state.documents}

    def in_sight(self, coding, scope) -> bool:
        document = self.documents[coding.document]
        if any(document.attributes.get(k) != v for k, v in scope.attributes):
            return False
        if scope.coder is not None and coding.coder != scope.coder:
            return False
        turn = document.turn_at(coding.start)
        speaker = turn.speaker if turn else ""
        return (scope.speakers is None or speaker in scope.speakers) and speaker not in scope.not_speakers

    def codes(self, path: str) -> set[str]:
        code = self.project.codebook.get(path)
        prefix = self.project.codebook.path(code)
        return {c.id for c in self.project.codebook.all() if (p := self.project.codebook.path(c)) == prefix or p.startswith(prefix + " > ")}

    def related(self, op: str, distance: int, a, b) -> bool:
        if a.document != b.document:
            return False
        if op in ("and", "or"):
            document = self.documents[a.document]
            return document.turn_at(a.start).index == document.turn_at(b.start).index
        if a.start < b.end and b.start < a.end:
            return True
        if op == "overlap":
            return False
        first, second = (a, b) if a.end <= b.start else (b, a)
        between = [w for w in self.words[a.document] if w[0] >= first.end and w[1] <= second.start]
        return len(between) <= distance

    def without(self, op, distance, keep: set, negated: set) -> set:
        return {c for c in keep if not any(self.related(op, distance, c, x) for x in negated)}

    def value(self, node) -> set:
        if isinstance(node, Operand):
            codes = self.codes(node.name)
            return {c for c in self.sight if c.code in codes}
        if isinstance(node, Not):
            return self.without("and", 0, set(self.sight), self.value(node.operand))
        if node.op == "or":
            return self.value(node.left) | self.value(node.right)
        op, n = node.op, node.distance
        left_not, right_not = isinstance(node.left, Not), isinstance(node.right, Not)
        if left_not and right_not:
            return self.without(op, n, set(self.sight), self.value(node.left.operand) | self.value(node.right.operand))
        if right_not:
            return self.without(op, n, self.value(node.left), self.value(node.right.operand))
        if left_not:
            return self.without(op, n, self.value(node.right), self.value(node.left.operand))
        left, right = self.value(node.left), self.value(node.right)
        return {c for c in left if any(self.related(op, n, c, x) for x in right)} | {
            c for c in right if any(self.related(op, n, c, x) for x in left)
        }


def expected(project, scope: Scope, root) -> list:
    found = BruteForce(project, scope).value(root)
    if scope.code is not None:
        code = project.state.codes[scope.code]
        keep = {code.id, *(c.id for c in project.codebook.descendants(code))}
        found = {c for c in found if c.code in keep}
    order = {d.id: i for i, d in enumerate(project.documents.all())}
    return sorted(found, key=lambda c: (order[c.document], c.start, c.end, c.id))


@SETTINGS
@given(projects(), st.lists(queries(), min_size=1, max_size=16), scopes())
def test_find_equals_the_brute_force_evaluator(drawn_project, roots, drawn_scope):
    with tempfile.TemporaryDirectory() as folder:
        project = build(Path(folder) / "p", *drawn_project)
        try:
            for scope in (Scope(), scope_of(project, drawn_scope)):
                for root in roots:
                    assert find(project, Query(root), scope) == expected(project, scope, root), unparse(root)
        finally:
            project.close()


@settings(max_examples=200, deadline=None)
@given(queries(depth=8))
def test_the_canonical_text_parses_back_to_the_query(root):
    assert parse(unparse(root)).root == root
    assert parse(str(Query(root))).root == root


# ------------------------------------------------------------------------------ fuzz

PIECES = ["Trust", "trust", "Hope", '"Role > Boundaries"', '"', "(", ")", "AND", "and/overlap", "AND/", "OR", "NOT",
          "NEAR/3", "NEAR", "NEAR/x", "near/", ">", "Role", "Boundaries", "Trsut", '\\"', "/", " ", "\t", "\n", "é", "\x00"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PIECES), max_size=12).map(" ".join) | st.text(max_size=30))
def test_random_token_strings_raise_nothing_but_bad_input(fuzz_project, text):
    try:
        find(fuzz_project, text)
    except BadInput as error:
        assert "\n" not in str(error) and str(error).startswith("query: ")


@pytest.fixture(scope="module")
def fuzz_project(tmp_path_factory):
    from tests.analysis_query.fixture import build as build_fixture

    project = Project.init(tmp_path_factory.mktemp("fuzz") / "p", name="fuzz", coder="alice")
    build_fixture(project)
    yield project
    project.close()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab_9 '’-.é\n", max_size=12), st.data())
def test_the_quick_inside_a_word_test_agrees_with_word_around(text, data):
    from store.analysis.query import _inside_word
    from store.text import word_around

    position = data.draw(st.integers(-1, len(text) + 1))
    assert _inside_word(text, position) == (word_around(text, position) is not None)
