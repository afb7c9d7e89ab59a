"""Auto-coding in the app: `A` in the reader and `a` on the search results, with a new
code, hits widened to their sentence, the interviewer left out, one undo; `n` goes back."""

from __future__ import annotations

from store.search import Hits, corpus_search
from tui.screens.auto_code import AutoCode
from tui.screens.code_picker import CodePicker
from tui.screens.search_results import SearchResults


def mine(project):
    return [c for c in project.state.codings.values() if c.coder == project.coder.id]


def speaker_of(project, coding):
    return project.state.documents[coding.document].turn_at(coding.start).speaker


async def test_reader_A_creates_a_code_extends_to_sentences_and_leaves_out_the_interviewer(make_app, project):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("/", *"peers?", "enter")
        await pilot.pause()
        assert app.reader.matches
        await pilot.press("A")
        await pilot.pause()
        assert CodePicker.shown_on(app.screen)
        await pilot.press(*"Peer talk > Mentions", "enter")
        await pilot.pause()
        assert isinstance(app.screen, AutoCode)  # "+ New code" was taken, not refused
        screen = app.screen
        interviewer = screen.speakers.index("Interviewer") + 1
        await pilot.press("e", "e", str(interviewer))  # its sentence; the interviewer out
        await pilot.pause()
        assert screen.rule.extend == "sentence" and screen.rule.not_speakers == ("Interviewer",)
        assert "new code “Peer talk > Mentions”" in str(screen.query_one("#auto-code-title").render())
        await pilot.press("y")
        await pilot.pause()
        assert not isinstance(app.screen, AutoCode)
        made = mine(project)
        assert made and all(speaker_of(project, c) != "Interviewer" for c in made)
        text = app.reader.text
        for coding in made:
            assert "peer" in coding.text.lower()
            assert coding.text[-1] in ".?!…\"'’”" or text[coding.end : coding.end + 1] in ("", "\n")
        assert project.codebook.find_path("Peer talk > Mentions") is not None
        await pilot.press("u")  # one undo: every coding and the new code
        await pilot.pause()
        assert mine(project) == [] and project.codebook.find_path("Peer talk > Mentions") is None


async def test_n_at_the_question_returns_to_the_search_results_then_a_codes_every_document(make_app, project):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("F", *"ward round", "enter")
        await pilot.pause()
        results = app.screen
        assert isinstance(results, SearchResults)
        await pilot.press("j")
        highlighted = results.query_one("#search-list").highlighted
        await pilot.press("a")
        await pilot.pause()
        assert CodePicker.shown_on(app.screen)
        await pilot.press("escape")  # out of the picker: still the results
        await pilot.pause()
        assert app.screen is results
        await pilot.press("a", *"Ward rounds", "enter")
        await pilot.pause()
        assert isinstance(app.screen, AutoCode)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is results and results.query_one("#search-list").highlighted == highlighted
        assert mine(project) == []
        await pilot.press("a", *"Ward rounds", "enter")
        await pilot.pause()
        await pilot.press("e", "y")  # each hit to its whole word
        await pilot.pause()
        assert not isinstance(app.screen, (SearchResults, AutoCode)) and not CodePicker.shown_on(app.screen)
    hits = corpus_search(project, "ward round")
    made = mine(project)
    assert len(made) == len(hits) and len({c.document for c in made}) == len({h.document.id for h in hits})
    assert all(c.text.lower().startswith("ward round") for c in made)


async def test_search_results_context_keeps_its_spacing_and_a_capped_search_says_so(make_app, project):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("F", *"ward roun", "enter")
        await pilot.pause()
        first = str(app.screen.query_one("#search-list").get_option_at_index(0).prompt)
        assert "ward round" in first.lower() and "ward roun d" not in first.lower()
        await pilot.press("escape")
        capped = corpus_search(project, "e", limit=30)
        assert isinstance(capped, Hits) and capped.capped and len(capped) == 30
        app.push_screen(SearchResults("e", capped))
        await pilot.pause()
        title = str(app.screen.query_one(".dialog-title").render())
        assert "the first 30 hits" in title and "narrow the search" in title
        whole = corpus_search(project, "clozapine")
        assert not whole.capped
