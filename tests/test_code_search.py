"""The code picker's ranking and the near-duplicate check, as tables and properties.

The ranking tables pair what a researcher types with the code they mean, over the demo
codebook and the PDPilot codebook (76 codes from the shared corpus's coded segments).
"""

from __future__ import annotations

import csv
from collections import Counter
from functools import cache

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.code_search import ALL_WORDS, PREFIX, TYPED, CodeIndex, near_duplicates, similar_names, words
from store.codebook import SEPARATOR
from store.demo import CODEBOOK
from store.model import Code
from tests.conftest import shared


def index_of(paths: list[str], descriptions: dict[str, str] | None = None, uses: dict[str, int] | None = None) -> CodeIndex:
    """A CodeIndex over `paths` with their parents made, as `codebook.ensure` makes them,
    each code used as often as `uses` says."""
    codes: dict[str, Code] = {}
    for path in paths:
        names = path.split(SEPARATOR)
        for depth in range(len(names)):
            here = SEPARATOR.join(names[: depth + 1])
            if here not in codes:
                parent = codes[SEPARATOR.join(names[:depth])].id if depth else None
                description = (descriptions or {}).get(here, "")
                codes[here] = Code(f"c{len(codes)}", names[depth], parent, "#4363d8", description)
    return CodeIndex(list(codes.values()), list(codes), {codes[p].id: n for p, n in (uses or {}).items()})


def demo_index() -> CodeIndex:
    return index_of([path for path, *_ in CODEBOOK], {path: description for path, _, description, _ in CODEBOOK})


@cache
def pdpilot_uses() -> dict[str, int]:
    """The PDPilot codebook: each code's path and how many segments it codes."""
    with shared("corpus", "pdpilot-interviews", "coded-segments.csv").open(encoding="utf-8") as rows:
        return dict(Counter(row["code"] for row in csv.DictReader(rows)))


def pdpilot_paths() -> list[str]:
    return sorted(pdpilot_uses())


def pdpilot_index() -> CodeIndex:
    return index_of(pdpilot_paths(), uses=pdpilot_uses())


DEMO_TABLE = [
    ("trust", "Relationships > Trust"),
    ("TRUST", "Relationships > Trust"),
    ("  role  >  role clarity ", "Role > Role clarity"),
    ("role", "Role"),
    ("role clarity", "Role > Role clarity"),
    ("role cl", "Role > Role clarity"),
    ("role d", "Role > Role drift"),
    ("bound", "Role > Boundaries"),
    ("supervis", "Support for peers > Supervision"),
    ("emot", "Support for peers > Emotional toll"),
    ("us and", "Relationships > Us and them"),
    ("them", "Relationships > Us and them"),
    ("employ", "Employment terms"),
    ("chall", "Challenging practice"),
    ("relationships > us", "Relationships > Us and them"),
    ("rel > trust", "Relationships > Trust"),
    ("peers > toll", "Support for peers > Emotional toll"),
    ("support", "Support for peers"),
    ("Support for peers", "Support for peers"),
    ("drift", "Role > Role drift"),
    ("burnout", "Support for peers > Emotional toll"),  # in the definition
    ("rota", "Role > Role drift"),
    ("pay", "Employment terms"),
    ("restraint", "Relationships > Us and them"),
    ("supervison", "Support for peers > Supervision"),  # a typo
    ("boundary", "Role > Boundaries"),  # another ending
]

PDPILOT_TABLE = [
    ("Benefits of PDPilot > Compliment", "Benefits of PDPilot > Compliment"),  # issue 8, finding 3
    ("compl", "Benefits of PDPilot > Compliment"),  # not Tool complexity
    ("scatter interact", "Explainability techniques > Uses scatter plots to identify interactions"),
    ("compliment", "Benefits of PDPilot > Compliment"),
    ("benefits > compliment", "Benefits of PDPilot > Compliment"),
    ("benefits >", "Benefits of PDPilot > Compliment"),  # a child of Benefits
    ("tool comp", "PDPilot General Usage > Tool complexity"),
    ("shap", "Explainability techniques > SHAP"),  # not "Filtering by shape"
    ("ale", "Explainability techniques > ALE"),
    ("pdp/ice", "Explainability techniques > PDP/ICE"),
    ("pdp ice", "Explainability techniques > PDP/ICE"),
    ("pdp ice > uses pdps and ice plots", "Explainability techniques > PDP/ICE > Uses PDPs and ICE plots"),
    ("uses ice", "Explainability techniques > PDP/ICE > Uses ICE plots, but not PDPs"),
    ("interaction", "Interaction"),
    ("interactions", "PDPilot Techniques Usage > Interactions"),
    ("liked two", "PDPilot Techniques Usage > Filtering > Liked two-way filters"),
    ("ranking > liked imp", "PDPilot Techniques Usage > Ranking > Liked importance ranking"),
    ("techn > rank > liked cl", "PDPilot Techniques Usage > Ranking > Liked cluster difference"),
    ("highlighting was", "PDPilot Techniques Usage > Ranking > Highlighting was useful"),
    ("handling null", "PDPilot improvements > Handling null values"),
    ("outliers > removing", "PDPilot improvements > Outliers, overfitting, and skewed distributions > Removing outliers"),
    ("earth mover", "Explainability techniques > Which features to look at > Earth mover's distance"),
    ("earth movers distance", "Explainability techniques > Which features to look at > Earth mover's distance"),
    ("PDPilot Technique Usage > Ranking", "PDPilot Techniques Usage > Ranking"),  # a typo in the parent
    ("didnt use cluster", "PDPilot Techniques Usage > Ranking > Didn't use cluster difference"),
    ("unfamiliar", "Study limitations > Unfamiliar dataset"),
    ("study > goal", "Study limitations > Didn't have a goal in mind"),
    ("sens", "Explainability purposes > Sensitivity analysis"),
    ("monitor", "Explainability purposes > Model monitoring"),
    ("feature importance", "Explainability purposes > Understanding feature importance"),
    ("residual", "Explainability techniques > Residual analysis"),
    ("convention", "Explainability techniques > Convention and familiarity"),
    ("saving", "PDPilot improvements > Saving and exporting findings"),
    ("prefered highlighting", "PDPilot Techniques Usage > Clustering > Prefered highlighting over clusters"),
    ("pre-computed", "Benefits of PDPilot > Pre-computed"),
]


@pytest.mark.parametrize(("typed", "meant"), DEMO_TABLE)
def test_the_demo_codebook_ranks_what_was_meant_first(typed, meant):
    assert demo_index().rank(typed)[0].path == meant


@pytest.mark.parametrize(("typed", "meant"), PDPILOT_TABLE)
def test_the_pdpilot_codebook_ranks_what_was_meant_first(typed, meant):
    assert len(pdpilot_paths()) == 76
    assert pdpilot_index().rank(typed)[0].path == meant


def test_compl_finds_compliment_though_tool_complexity_is_recent_and_used_more():
    index = index_of(["Benefits of PDPilot > Compliment", "PDPilot General Usage > Tool complexity"],
                     uses={"PDPilot General Usage > Tool complexity": 40, "Benefits of PDPilot > Compliment": 2})
    complexity = next(c.id for c in index.codes if c.name == "Tool complexity")
    hits = index.rank("compl", recent=[complexity])
    assert [h.code.name for h in hits[:2]] == ["Compliment", "Tool complexity"]


def test_the_tables_are_big_enough():
    assert len(DEMO_TABLE) + len(PDPILOT_TABLE) >= 40 and len(PDPILOT_TABLE) >= 20


def test_an_exact_path_is_first_and_marked_exact():
    index = index_of(["Benefits of PDPilot > Compliment", "Benefits of PDPilot > Pre-computed"])
    top = index.rank("benefits of pdpilot>COMPLIMENT")[0]
    assert top.path == "Benefits of PDPilot > Compliment" and top.tier == 0
    assert index.exact("Compliment").name == "Compliment"
    assert index.exact("Benefits of PDPilot").name == "Benefits of PDPilot"


def test_a_leaf_name_two_codes_share_is_not_exact():
    index = index_of(["Nurses > Trust", "Patients > Trust"])
    assert index.exact("trust") is None
    assert {h.path for h in index.rank("trust")[:2]} == {"Nurses > Trust", "Patients > Trust"}
    assert index.exact("patients > trust").name == "Trust"


def test_recent_codes_lead_inside_a_tier_but_never_across_tiers():
    index = demo_index()
    drift = next(c.id for c in index.codes if c.name == "Role drift")
    assert index.rank("role", recent=[drift])[0].path == "Role"  # exact beats recent
    assert index.rank("role ", recent=[drift])[0].path == "Role"
    assert index.rank("role c", recent=[drift])[0].path == "Role > Role clarity"  # prefix beats recent
    assert index.rank("ro", recent=[drift])[0].path == "Role > Role drift"  # both prefixes: recent first


# ------------------------------------------------------------------ the class: properties


def both_codebooks() -> list[list[str]]:
    books = [[path for path, *_ in CODEBOOK]]
    try:
        books.append(list(pdpilot_paths()))
    except pytest.skip.Exception:
        pass
    return books


@st.composite
def a_code_and_a_typing(draw):
    paths = draw(st.sampled_from(both_codebooks()))
    index = index_of(paths)
    i = draw(st.integers(0, len(index.codes) - 1))
    return index, i


def _respace(text: str, draw) -> str:
    """The same text as a researcher might type it: other case, spaces around `>` or not."""
    text = text.replace(" > ", draw(st.sampled_from([">", " > ", "  >  ", " >"])))
    return draw(st.sampled_from([text, text.lower(), text.upper(), f"  {text} "]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_typing_a_whole_path_always_ranks_that_code_first(data):
    index, i = data.draw(a_code_and_a_typing())
    assert index.rank(_respace(index.paths[i], data.draw))[0].code is index.codes[i]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_start_of_a_leaf_name_ranks_a_code_of_that_start_first(data):
    index, i = data.draw(a_code_and_a_typing())
    leaf = index.codes[i].name
    typed = leaf[: data.draw(st.integers(1, len(leaf)))]
    if not words(typed) or not typed[-1].isalnum():
        return  # ends inside punctuation: not a start of the leaf's words
    top = index.rank(typed)[0]
    assert top.tier <= PREFIX or " ".join(words(top.code.name)).startswith(" ".join(words(typed)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_new_code_never_outranks_a_code_holding_every_typed_word(data):
    """Typing some of a code's path words (or their starts) puts a code holding every
    typed word on top, above where the picker puts "+ New code"."""
    index, i = data.draw(a_code_and_a_typing())
    path_words = words(index.paths[i])
    chosen = data.draw(st.lists(st.sampled_from(path_words), min_size=1, max_size=3))
    typed = " ".join(w[: data.draw(st.integers(1, len(w)))] for w in chosen)
    hits = index.rank(typed)
    assert hits and hits[0].tier <= ALL_WORDS <= TYPED
    holding = [h for h in hits if h.tier <= ALL_WORDS]
    assert holding == hits[: len(holding)]  # every holder comes before any other hit


def test_two_letters_rerank_a_5000_code_codebook_fast():
    """The figure is measured by tests/bench/bench_tui.py (target < 10 ms); this keeps the
    order of magnitude in CI on a shared machine."""
    import random
    import time

    rng = random.Random(2)
    vocabulary = "peer support trust ward team boundaries supervision pay hope recovery role drift".split()
    paths = [f"{rng.choice(vocabulary).title()} > {' '.join(rng.sample(vocabulary, 2))} {n}" for n in range(5000)]
    index = index_of(paths)
    for typed in ("tr", "zq", "pe", "ro"):
        start = time.perf_counter()
        for _ in range(5):
            index.rank(typed)
        assert (time.perf_counter() - start) / 5 < 0.05, typed


# ------------------------------------------------------------------ near-duplicates by segment

TREE = [
    "PDPilot Techniques Usage > Ranking > Highlighting was useful",
    "PDPilot Techniques Usage > Ranking > Liked cluster difference",
    "PDPilot Techniques Usage > Ranking > Didn't use cluster difference",
    "PDPilot Techniques Usage > Filtering > Liked two-way filters",
    "PDPilot Techniques Usage > Clustering > Prefered clusters over highlighting",
    "Explainability techniques > PDP/ICE > Uses PDPs and ICE plots",
    "Role > Boundaries",
    "Role > Role clarity",
    "Employment terms > Band 5",
    "Round 1",
]

CAUGHT = [  # (new code, the existing path it is close to)
    ("PDPilot Technique Usage > Ranking > Liked importance ranking", "PDPilot Techniques Usage"),  # finding 5
    ("PDPilot Techniques Usage > Rankings > Liked importance ranking", "PDPilot Techniques Usage > Ranking"),
    ("PDPilot Techniques Usage > Ranking > Highlighting was usefull", "PDPilot Techniques Usage > Ranking > Highlighting was useful"),
    ("PDPilot Techniques Usage > Ranking > Liked clusters difference", "PDPilot Techniques Usage > Ranking > Liked cluster difference"),
    ("PDPilot Techniques Usage > Ranking > Didnt use cluster difference", "PDPilot Techniques Usage > Ranking > Didn't use cluster difference"),
    ("PDPilot techniques-usage > Filtering", "PDPilot Techniques Usage"),
    ("Explainability technique > SHAP", "Explainability techniques"),
    ("Explainability techniques > PDP-ICE > Uses PDPs", "Explainability techniques > PDP/ICE"),
    ("Role > Role clarty", "Role > Role clarity"),
    ("Rol > Boundaries", "Role"),
    ("Boundary", "Role > Boundaries"),  # a new top-level code named like one elsewhere
    ("Employment term > Band 6", "Employment terms"),
]

NOT_FLAGGED = [  # siblings from one template, and names that only look alike
    "PDPilot Techniques Usage > Ranking > Highlighted histograms useful",  # finding 5
    "PDPilot Techniques Usage > Ranking > Liked highlighted line similarity",
    "PDPilot Techniques Usage > Ranking > Didn't use importance ranking",
    "PDPilot Techniques Usage > Filtering > Liked one-way filters",
    "PDPilot Techniques Usage > Clustering > Prefered highlighting over clusters",
    "Explainability techniques > PDP/ICE > Uses PDPs but not ICE plots",
    "Explainability techniques > PDP/ICE > Uses ALE plots",
    "Employment terms > Band 6",
    "Round 2",
    "Role > Role drift",
    "Relationships > Boundary",  # under another parent on purpose
    "PDPilot Techniques Usage > Ranking > Highlighting was useful",  # exists: nothing to warn of
]


@pytest.mark.parametrize(("new", "existing"), CAUGHT)
def test_a_new_code_close_to_an_existing_one_is_caught(new, existing):
    found = near_duplicates(index_of(TREE).codes, new)
    assert existing in [n.existing for n in found], found


@pytest.mark.parametrize("new", NOT_FLAGGED)
def test_template_siblings_and_unlike_names_are_not_flagged(new):
    assert near_duplicates(index_of(TREE).codes, new) == []


def test_the_warning_says_what_was_meant_with_the_parent_corrected():
    [near] = near_duplicates(index_of(TREE).codes, "PDPilot Technique Usage > Ranking > Liked clusters difference")
    assert near.typed == "PDPilot Technique Usage"
    assert near.meant == "PDPilot Techniques Usage > Ranking > Liked cluster difference"
    assert "did you mean" in str(near)


def test_in_the_pdpilot_codebook_only_its_stray_top_level_code_is_flagged():
    """Each code of a real codebook checked against the others, as if it were added last:
    its template siblings (Liked … / Didn't use …, Uses PDPs … / Uses ICE …) are not
    flagged; the top-level `Interaction`, beside `PDPilot Techniques Usage > Interactions`,
    would have been asked about."""
    paths = list(pdpilot_paths())
    flagged = {}
    for path in paths:
        others = index_of([p for p in paths if p != path and not p.startswith(path + SEPARATOR)])
        if found := near_duplicates(others.codes, path):
            flagged[path] = [n.existing for n in found]
    assert flagged == {"Interaction": ["PDPilot Techniques Usage > Interactions"]}


@pytest.mark.parametrize(("a", "b", "similar"), [
    ("Technique", "Techniques", True),
    ("Boundary", "Boundaries", True),
    ("Over-reliance", "Over reliance", True),
    ("Overreliance on guidance", "Over-reliance on guidance", True),
    ("Highlighting was useful", "Highlighted histograms useful", False),
    ("Band 5", "Band 6", False),
    ("Round1", "Round2", False),
    ("Uses ICE", "Uses ALE", False),
    ("Liked one-way filters", "Liked two-way filters", False),
])
def test_similar_names_compare_word_by_word(a, b, similar):
    assert similar_names(a, b) is similar


# ------------------------------------------------------------------ every place that creates a code


@pytest.fixture
def margin(tmp_path, monkeypatch):
    from tui.cli import cli

    monkeypatch.delenv("MARGIN_PROJECT", raising=False)
    monkeypatch.delenv("MARGIN_CODER", raising=False)
    (tmp_path / "n1.txt").write_text("Interviewer: Was ranking useful?\n\nNurse: Highlighting was.\n")

    def run(*args):
        return CliRunner().invoke(cli, ["-p", str(tmp_path / "study"), *args], catch_exceptions=False)

    assert run("init", "--coder", "alice").exit_code == 0
    assert run("import", str(tmp_path / "n1.txt"), "--name", "N1").exit_code == 0
    assert run("codes", "add", "PDPilot Techniques Usage > Ranking > Highlighting was useful").exit_code == 0
    return run


def test_codes_add_warns_of_a_typo_in_a_parent(margin):
    result = margin("codes", "add", "PDPilot Technique Usage > Ranking > Liked cluster difference")
    assert result.exit_code == 0
    assert "Warning: “PDPilot Technique Usage” is close to the existing “PDPilot Techniques Usage”" in result.stderr
    assert "margin undo" in result.stderr
    quiet = margin("codes", "add", "PDPilot Techniques Usage > Ranking > Highlighted histograms useful")
    assert quiet.exit_code == 0 and "Warning" not in quiet.stderr


def test_apply_create_warns_of_a_near_duplicate(margin):
    result = margin("apply", "N1", "PDPilot Techniques Usage > Rankings > Liked", "--turn", "2", "--create")
    assert result.exit_code == 0, result.output
    assert "Warning: new code “Rankings” is close to the existing “PDPilot Techniques Usage > Ranking”" in result.stderr
    existing = margin("apply", "N1", "PDPilot Techniques Usage > Ranking > Highlighting was useful", "--turn", "1", "--create")
    assert existing.exit_code == 0 and "Warning" not in existing.stderr


NAME_PARTS = st.sampled_from(["Band", "band", "5", "6", "²", "Round1", "Round٣", "Round3", "Trust", "Trusts", "trusted", "Worry", "Wory", "ward", "Ward's", "—", " ", "  ", "-", "Boundaries", "boundary", "Café", "cafe"])


@settings(max_examples=300, deadline=None)
@given(st.lists(NAME_PARTS, min_size=1, max_size=4).map(" ".join), st.lists(st.lists(NAME_PARTS, min_size=1, max_size=4).map(" ".join), max_size=30))
def test_the_codes_similar_to_a_name_are_those_similar_names_finds_one_by_one(name, others):
    """The whole codebook's near-duplicates, found at once (store/code_search.py
    `_similar_to`, 5,000 codes in a few C maps), are those `similar_names` finds."""
    from store.code_search import _similar_to
    from store.model import Code

    codes = [Code(id=f"c{i}", name=other, parent=None, color="#000000") for i, other in enumerate(others)]
    assert _similar_to(name, codes) == [c for c in codes if similar_names(name, c.name)]
