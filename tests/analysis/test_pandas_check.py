"""The independent check: on the PDPilot gold project (P1-P7 and the 262 coded segments
of ../shared/corpus/pdpilot-interviews, applied as `margin apply DOC CODE --match SEGMENT`
applies them, as in tests/test_gold_standard.py), frequencies, the matrix and overlap
co-occurrence computed with pandas from `margin export csv` equal `margin stats ... --csv`
cell by cell. The attributes come from tests/fixtures/pdpilot_attributes.csv, whose
`group` is invented for this test (the study has no such attribute).

pandas computes from the exported rows (document, case, start, end, code_path and the
attr. columns) and the documents' texts; it shares no code with store/analysis."""

from __future__ import annotations

import csv
import io
import re

import pytest
from click.testing import CliRunner

from store.project import Project
from store.search import Rule, auto_code_spans
from tests.conftest import REPO, shared
from tui.cli import cli

pd = pytest.importorskip("pandas")
WORD = re.compile(r"\w+(?:['’]\w+)*")  # a word, as docs/analysis.md defines it


@pytest.fixture(scope="module")
def gold(tmp_path_factory):
    """Run `margin` on the gold project; built once for the module."""
    folder = shared("corpus", "pdpilot-interviews")
    with open(folder / "coded-segments.csv", newline="", encoding="utf-8") as handle:
        segments = list(csv.DictReader(handle))
    directory = tmp_path_factory.mktemp("pdpilot") / "pdpilot"
    runner = CliRunner()

    def margin(*args) -> str:
        result = runner.invoke(cli, ["-p", str(directory), *args], catch_exceptions=False)
        assert result.exit_code == 0, (args, result.output)
        return result.stdout

    margin("init", "--coder", "maxqda")
    margin("import", *(str(folder / f"P{n}.txt") for n in range(1, 8)))
    margin("attrs", "import", str(REPO / "tests" / "fixtures" / "pdpilot_attributes.csv"))
    _apply(directory, segments)
    return margin


def _apply(directory, segments) -> None:
    """What `margin apply DOC CODE --match SEGMENT` does for each segment (its first
    match), in one session rather than 262 commands."""
    with Project.open(directory) as project:
        with project.operation("apply the gold segments"):
            for row in segments:
                document = project.documents.get(row["document"])
                code = project.codebook.ensure(row["code"])
                spans = auto_code_spans(project, [document], Rule(row["segment"]))[document.id]
                if not any(c.code == code.id and (c.start, c.end) == spans[0] for c in project.codings.for_document(document)):
                    project.codings.apply(document, code, *spans[0])


def table(text: str):
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def exported(gold):
    frame = table(gold("export", "csv", "--raw"))
    assert len(frame) == 262
    frame["start"] = frame["start"].astype(int)
    frame["end"] = frame["end"].astype(int)
    return frame


@pytest.fixture(scope="module")
def texts(gold):
    folder = shared("corpus", "pdpilot-interviews")
    return {f"P{n}": (folder / f"P{n}.txt").read_text(encoding="utf-8").replace("\r\n", "\n") for n in range(1, 8)}


@pytest.fixture(scope="module")
def coded_words(exported, texts):
    """One row per (coding, word it touches): every word said in the texts (speaker labels
    are not words of a document) against every coding of its document, kept where they
    share a character."""
    words = pd.DataFrame(
        [(doc, n, start, end) for doc, text in texts.items() for n, (start, end) in enumerate(said_words(text))],
        columns=["document", "word", "w_start", "w_end"],
    )
    pairs = exported[["coding_id", "document", "code_path", "start", "end"]].merge(words, on="document")
    return pairs[(pairs.w_start < pairs.end) & (pairs.w_end > pairs.start)]


def said_words(text: str) -> list[tuple[int, int]]:
    """Where each word said starts and ends: the words of every paragraph `Speaker: words`,
    without its label."""
    found, offset = [], 0
    for paragraph in text.split("\n\n"):
        speaker, colon, said = paragraph.partition(": ")
        if colon and "\n" not in speaker:
            base = offset + len(speaker) + len(colon)
            found += [(base + m.start(), base + m.end()) for m in WORD.finditer(said)]
        offset += len(paragraph) + 2
    return found


def corpus_words(texts) -> int:
    """Words of the turns: every paragraph `Speaker: words`, without its label."""
    return sum(len(said_words(text)) for text in texts.values())


def test_frequencies_equal_pandas(gold, exported, coded_words, texts):
    margin = table(gold("stats", "codes", "--csv")).set_index("code_path")
    want = exported.groupby("code_path").agg(codings=("coding_id", "size"), documents=("document", "nunique"), cases=("case", "nunique"))
    want["words"] = coded_words.drop_duplicates(["code_path", "document", "word"]).groupby("code_path").size()
    want = want.fillna(0).astype(int)
    assert len(want) == 76
    got = margin.loc[want.index, ["codings", "documents", "cases", "words"]].astype(int)
    pd.testing.assert_frame_equal(got, want, check_names=False)
    # parent codes without codings of their own show zeros
    assert (margin.drop(index=want.index)[["codings", "words"]].astype(int) == 0).all().all()
    share = margin.loc[want.index, "share"].astype(float)
    assert ((share - want["words"] / corpus_words(texts)).abs() < 5e-5).all()
    assert (share <= 1).all()


@pytest.mark.parametrize("cols, key", [("document", "document"), ("case", "case"), ("attr.group", "attr.group")])
@pytest.mark.parametrize("count", ["codings", "documents", "words"])
def test_matrix_equals_pandas_cell_by_cell(gold, exported, coded_words, cols, key, count):
    margin = table(gold("stats", "matrix", "--cols", cols, "--count", count, "--csv"))
    margin["value"] = margin["value"].astype(int)
    got = margin.pivot(index="code_path", columns="column", values="value")
    if count == "codings":
        want = pd.crosstab(exported["code_path"], exported[key])
    elif count == "documents":
        want = exported.drop_duplicates(["code_path", "document"]).pipe(lambda f: pd.crosstab(f["code_path"], f[key]))
    else:
        words = coded_words.drop_duplicates(["code_path", "document", "word"]).merge(
            exported[["document", key]].drop_duplicates() if key != "document" else exported[["document"]].drop_duplicates(), on="document"
        )
        want = pd.crosstab(words["code_path"], words[key])
    want = want.reindex(index=got.index, columns=got.columns, fill_value=0)
    assert int(got.values.sum()) > 0
    pd.testing.assert_frame_equal(got.astype(int), want.astype(int), check_names=False)


def test_overlap_cooccurrence_equals_pandas(gold, exported, coded_words):
    margin = table(gold("stats", "cooccur", "--within", "overlap", "--csv"))
    codings = exported[["coding_id", "document", "code_path", "start", "end"]]
    both = codings.merge(codings, on="document", suffixes=("_a", "_b"))
    edges = both[(both.code_path_a < both.code_path_b) & (both.start_a < both.end_b) & (both.start_b < both.end_a)]
    counts = codings.groupby("code_path").size()
    words = {k: set(zip(g.document, g.word)) for k, g in coded_words.groupby("code_path")}
    want = {}
    for (a, b), group in edges.groupby(["code_path_a", "code_path_b"]):
        together = _chains(zip(group.coding_id_a, group.coding_id_b))
        shared_words, either = len(words[a] & words[b]), len(words[a] | words[b])
        want[frozenset((a, b))] = (together, counts[a], counts[b], together / (counts[a] + counts[b] - together), shared_words / either)
    assert len(want) > 20
    got = {}
    for row in margin.itertuples():
        assert _codebook_key(row.code_a) < _codebook_key(row.code_b)
        got[frozenset((row.code_a, row.code_b))] = row
    assert set(got) == set(want)
    for key, (together, n_a, n_b, c, jaccard) in want.items():
        row = got[key]
        count_a, count_b = (n_a, n_b) if sorted(key)[0] == row.code_a else (n_b, n_a)
        assert (int(row.together), int(row.count_a), int(row.count_b)) == (together, count_a, count_b), key
        assert abs(float(row.c_coefficient) - c) < 5e-5 and abs(float(row.jaccard) - jaccard) < 5e-5, key


def _codebook_key(path: str) -> tuple:
    """Codebook order is depth first with siblings by name: the path's names, compared."""
    return tuple(name.casefold() for name in path.split(" > "))


def _chains(edges) -> int:
    """Connected groups of codings linked by the edges."""
    links: dict[str, set[str]] = {}
    for x, y in edges:
        links.setdefault(x, set()).add(y)
        links.setdefault(y, set()).add(x)
    seen, groups = set(), 0
    for start in links:
        if start in seen:
            continue
        groups += 1
        stack = [start]
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(links[node] - seen)
    return groups

