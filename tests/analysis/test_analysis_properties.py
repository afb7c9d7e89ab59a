"""Properties of the analyses on random codings and random filters (hypothesis):

- the matrix's rows add up to the frequencies wherever its columns split them, and each
  row's total is exactly the code's frequencies;
- co-occurrence equals a brute-force, all-pairs implementation written here (the sweep
  never compares every coding with every other; this does), is symmetric, never exceeds
  either code's count, and its c-coefficient and Jaccard lie in [0, 1].

One project per test, its codings replaced in one operation per example (budget small)."""

from __future__ import annotations

import re
from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.analysis.cooccurrence import code_counts, cooccurrence
from store.analysis.frequencies import frequencies
from store.analysis.matrix import matrix
from store.analysis.scope import Scope, codings_in
from store.importers import parse_text
from store.project import Project

TEXTS = [
    "Interviewer: How did it go?\n\nNurse: We don't know, honestly. The peer worker sat with us.\n\n"
    "Interviewer: And then?\n\nNurse: Trust grew; boundaries were clearer.\n",
    "Interviewer: What changed?\n\nManager: Rotas, mostly — and the team's mood.\n\nManager: Also pay.\n",
    "Peer: I listen first.\n\nInterviewer: Why?\n\nPeer: Because it's what helped me, years ago.\n",
]
ATTRS = [{"case": "N", "round": "1"}, {"case": "M", "round": "1"}, {"case": "N", "round": "2", "team": "x"}]
PATHS = ["A", "A > A1", "A > A2", "A > A2 > A2a", "B", "C"]
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
WORD = re.compile(r"\w+(?:['’]\w+)*")


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    project = Project.init(tmp_path_factory.mktemp("prop") / "p", name="P", coder="alice")
    docs = [project.documents.import_parsed(parse_text(t, "txt"), f"D{n}", a).document for n, (t, a) in enumerate(zip(TEXTS, ATTRS))]
    codes = [project.codebook.ensure(p) for p in PATHS]
    coders = [project.coder_named("alice").id if project.state.coders else project.add_coder("alice").id, project.add_coder("bob").id]
    yield project, docs, codes, coders
    project.close()


codings_strategy = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, 5), st.integers(0, 10_000), st.integers(1, 40) | st.integers(40, 120), st.integers(0, 1)),
    max_size=30,
)


def recode(study, drawn):
    """Replace every coding with the drawn ones (doc, code, start, length, coder)."""
    project, docs, codes, coders = study
    seen = set()
    with project.operation("property codings"):
        for coding in list(project.state.codings.values()):
            project.codings.remove(coding)
        for d, c, start, length, coder in drawn:
            document = docs[d]
            start = start % document.length
            end = min(document.length, start + length)
            if (d, c, start, end, coder) not in seen:
                seen.add((d, c, start, end, coder))
                project.codings.apply(document, codes[c], start, end, coder=coders[coder])


@st.composite
def scopes(draw, study):
    project, docs, codes, coders = study
    return Scope(
        documents=draw(st.none() | st.frozensets(st.sampled_from([d.id for d in docs]), min_size=1)),
        attributes=draw(st.sampled_from([(), (("round", "1"),), (("case", "N"),)])),
        coder=draw(st.none() | st.sampled_from(coders)),
        speakers=draw(st.none() | st.frozensets(st.sampled_from(["Nurse", "Manager", "Peer"]), min_size=1)),
        not_speakers=draw(st.sampled_from([frozenset(), frozenset({"Interviewer"})])),
        code=draw(st.none() | st.sampled_from([codes[0].id, codes[2].id, codes[4].id])),
    )


@SETTINGS
@given(drawn=codings_strategy, data=st.data())
def test_matrix_rows_add_up_to_the_frequencies(study, drawn, data):
    recode(study, drawn)
    project = study[0]
    scope = data.draw(scopes(study))
    totals = {f.code.id: f for f in frequencies(project, scope)}
    for cols in ("document", "case", "coder", "attr.round", "attr.team"):
        for count in ("codings", "documents", "cases", "words"):
            table = matrix(project, scope, cols=cols, count=count)
            assert [c.id for c in table.codes] == list(totals)
            for code_id, row in totals.items():
                cells = [table.cell(code_id, col) for col in table.columns]
                behind = sorted(x for cell in cells for x in cell.codings)
                assert behind == sorted(row.codings.codings), (cols, count, table.columns, table.cells)  # each coding in one column
                total = table.total(code_id)
                assert total.value == (row.codings.value if count == "codings" else getattr(row, count)), (cols, count)
                assert total.codings == row.codings.codings  # the row's total counts shared passages once
                value = sum(cell.value for cell in cells)
                if count == "codings" or (count in ("documents", "words") and cols != "coder") or (count, cols) == ("cases", "case"):
                    assert value == (row.codings.value if count == "codings" else getattr(row, count)), (cols, count)
                else:
                    assert value >= getattr(row, count)


def brute_words(text: str, start: int, end: int) -> set[int]:
    return {n for n, m in enumerate(WORD.finditer(text)) if m.start() < end and m.end() > start}


def owner(document, position: int) -> int:
    """The turn a character belongs to: its own, or in a label the one that follows."""
    for turn in document.turns:
        if turn.end > position:
            return turn.index
    return document.turns[-1].index


def brute_pairs(project, scope, within: str):
    """All pairs of codings, compared one by one."""
    codings = codings_in(project, scope)
    docs = project.state.documents
    words = {c.id: brute_words(project.text(c.document), c.start, c.end) for c in codings}

    def units(c):
        if within == "document":
            return {(c.document, 0)}
        document = docs[c.document]
        return {(c.document, i) for i in range(owner(document, c.start), owner(document, max(c.start, c.end - 1)) + 1)}

    def meet(x, y):
        if x.document != y.document:
            return False
        if within == "overlap":
            return max(x.start, y.start) < min(x.end, y.end)
        near = int(within.split(":")[1])
        wx, wy = words[x.id], words[y.id]
        if not wx or not wy:  # a span of no word sits between words: place it by character
            fx = _first_word_after(project.text(x.document), x.start) if not wx else min(wx)
            fy = _first_word_after(project.text(y.document), y.start) if not wy else min(wy)
            wx, wy = wx or {fx - 0.5}, wy or {fy - 0.5}
        gap = max(min(wy) - max(wx), min(wx) - max(wy)) - 1
        return gap <= near

    by_code: dict[str, list] = {}
    for c in codings:
        by_code.setdefault(c.code, []).append(c)
    result, counts, behind = {}, {}, {}
    for code, mine in by_code.items():
        counts[code] = len({u for c in mine for u in units(c)}) if within in ("turn", "document") else len(mine)
    for a, b in combinations(by_code, 2):
        if within in ("turn", "document"):
            ua = {u for c in by_code[a] for u in units(c)}
            ub = {u for c in by_code[b] for u in units(c)}
            together = len(ua & ub)
            behind[frozenset((a, b))] = {c.id for c in by_code[a] + by_code[b] if set(units(c)) & ua & ub}
        else:
            edges = [(x.id, y.id) for x in by_code[a] for y in by_code[b] if meet(x, y)]
            together = _groups_by_search(edges)
            behind[frozenset((a, b))] = {i for edge in edges for i in edge}
        wa = {(c.document, n) for c in by_code[a] for n in words[c.id]}
        wb = {(c.document, n) for c in by_code[b] for n in words[c.id]}
        jaccard = len(wa & wb) / len(wa | wb) if wa | wb else 0.0
        if together:
            result[frozenset((a, b))] = (together, jaccard)
    return result, counts, behind


def _first_word_after(text: str, position: int) -> int:
    return sum(1 for m in WORD.finditer(text) if m.end() <= position)


def _groups_by_search(edges) -> int:
    """Connected groups by depth-first search (the sweep's code uses union-find)."""
    links: dict[str, set[str]] = {}
    for x, y in edges:
        links.setdefault(x, set()).add(y)
        links.setdefault(y, set()).add(x)
    seen, groups = set(), 0
    for start in links:
        if start not in seen:
            groups += 1
            stack = [start]
            while stack:
                node = stack.pop()
                if node not in seen:
                    seen.add(node)
                    stack += links[node] - seen
    return groups


@SETTINGS
@given(drawn=codings_strategy, data=st.data(), within=st.sampled_from(["overlap", "turn", "document", "words:0", "words:1", "words:4"]))
def test_cooccurrence_equals_all_pairs_and_is_bounded(study, drawn, data, within):
    recode(study, drawn)
    project = study[0]
    scope = data.draw(scopes(study))
    pairs = cooccurrence(project, scope, within)
    want, counts, want_behind = brute_pairs(project, scope, within)
    order = [c.id for c in codings_in(project, scope)]
    got = {frozenset((p.code_a.id, p.code_b.id)): p for p in pairs}
    assert set(got) == set(want)
    own = code_counts(project, scope, within)
    rank = {c.id: n for n, c in enumerate(project.codebook.all())}
    for key, pair in got.items():
        assert rank[pair.code_a.id] < rank[pair.code_b.id]
        assert (pair.together.value, pytest.approx(pair.jaccard)) == want[key]
        assert (pair.count_a, pair.count_b) == (counts[pair.code_a.id], counts[pair.code_b.id]) == (own[pair.code_a.id], own[pair.code_b.id])
        assert 0 < pair.together.value <= min(pair.count_a, pair.count_b)
        assert 0 <= pair.c_coefficient <= 1 and 0 <= pair.jaccard <= 1
        assert pair.c_coefficient == pytest.approx(pair.together.value / (pair.count_a + pair.count_b - pair.together.value))
        behind = {c.id: c.code for c in codings_in(project, scope) if c.id in set(pair.together.codings)}
        assert set(behind.values()) == {pair.code_a.id, pair.code_b.id}
        assert set(pair.together.codings) == want_behind[key]  # exactly the codings in the co-occurrences
        assert list(pair.together.codings) == [i for i in order if i in want_behind[key]]  # once each, in reading order
