"""Random divergent histories through real git (hypothesis, a small budget): two clones of
one project, each coder makes random changes through the store, both `margin sync`
(store/team/gitsync.py) in a random order, twice. Then both copies are equal, every coding
either side holds is there once, every memo text either side wrote is kept (as the memo or its
conflicting copy), no file holds conflict markers and the clones' HEADs agree."""

from __future__ import annotations

import shutil

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from store.errors import MarginError
from store.project import Project
from store.team.gitsync import sync
from tests.team.test_git_sync import DEMO_TEXTS, Team, git, no_markers, state

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

STEP = st.one_of(
    st.tuples(st.just("code"), st.integers(0, 2), st.integers(0, 3), st.integers(1, 8)),
    st.tuples(st.just("add code"), st.integers(0, 99)),
    st.tuples(st.just("rename"), st.integers(0, 3), st.integers(0, 99)),
    st.tuples(st.just("delete"), st.integers(0, 3)),
    st.tuples(st.just("memo"), st.integers(0, 2), st.integers(0, 99)),
    st.tuples(st.just("edit memo"), st.integers(0, 99)),
)


def play(folder, coder: str, steps) -> None:
    """Apply the steps through the store; a refused step (a code in use) changes nothing."""
    with Project.open(folder, coder=coder) as p:
        for step in steps:
            docs = sorted(p.state.documents.values(), key=lambda d: d.name)
            codes = sorted(p.state.codes.values(), key=lambda c: c.id)
            kind = step[0]
            try:
                if kind == "code" and codes:
                    doc, turn = docs[step[1]], docs[step[1]].turns[step[3] % len(docs[step[1]].turns)]
                    p.codings.apply(doc, codes[step[2] % len(codes)], turn.start, turn.end)
                elif kind == "add code":
                    p.codebook.add(f"{coder} code {step[1]}")
                elif kind == "rename" and codes:
                    p.codebook.rename(codes[step[1] % len(codes)], f"{coder} name {step[2]}")
                elif kind == "delete" and codes:
                    p.codebook.delete(codes[step[1] % len(codes)])
                elif kind == "memo":
                    text = f"{coder} memo {step[2]}"
                    p.memos.add("document", docs[step[1]].id, text)
                elif kind == "edit memo" and p.state.memos:
                    memo = sorted(p.state.memos.values(), key=lambda m: m.id)[0]
                    p.memos.edit(memo, f"{coder} edit {step[1]}")
            except MarginError:
                pass


def sync_as(folder, coder: str) -> None:
    with Project.open(folder, coder=coder) as p:
        sync(p)


@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
@given(st.lists(STEP, max_size=8), st.lists(STEP, max_size=8), st.booleans())
@example([("delete", 2)], [("add code", 17), ("code", 1, 2, 6), ("memo", 1, 2), ("memo", 1, 95)], False)  # CI's draw
def test_random_divergent_histories_meet_through_git(tmp_path_factory, alice_steps, bob_steps, alice_first):
    team = Team(tmp_path_factory.mktemp("git"))
    alice, bob = team.start(sorted(DEMO_TEXTS.glob("p0[123]*.txt"))[:3])
    base = state(alice)
    play(alice, "alice", alice_steps)
    play(bob, "bob", bob_steps)
    sides = [state(alice), state(bob)]
    order = [(alice, "alice"), (bob, "bob")] if alice_first else [(bob, "bob"), (alice, "alice")]
    for _ in range(2):
        for folder, coder in order:
            sync_as(folder, coder)
    a, b = state(alice), state(bob)
    assert a == b
    assert sorted(set(sides[0]["codings"]) | set(sides[1]["codings"])) == a["codings"]  # each once, none lost
    with Project.open(alice, readonly=True) as p:
        texts = {m.text for m in p.state.memos.values()}
    written = (set(sides[0]["memos"]) | set(sides[1]["memos"])) - set(base["memos"])
    assert written <= texts  # every text a side wrote, as the memo or its conflicting copy
    no_markers(alice, bob)
    assert git(alice, "rev-parse", "HEAD") == git(bob, "rev-parse", "HEAD")
