"""Tables on the terminal cut a long code path keeping the code's own name (found in the
new-user trial of issue 10: at 80 columns `margin stats cooccur` showed
"Relationship…  Relationship…" for Trust with Us and them, and `agreement` showed
"Techniqu…" for every code; the analysis screen already kept the leaf)."""

from __future__ import annotations

import re

from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from tui.cli import cli
from tui.commands.analysis_options import aligned


def _stats(folder, *args, width=80):
    result = CliRunner().invoke(cli, ["-p", str(folder), *args], env={"COLUMNS": str(width)}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_cooccur_at_80_columns_keeps_each_codes_name(tmp_path):
    CliRunner().invoke(cli, ["demo", "--no-open", str(tmp_path / "demo")], catch_exceptions=False)
    lines = _stats(tmp_path / "demo", "stats", "cooccur", "--within", "turn")
    rows = [re.split(r"\s{2,}", line) for line in lines[2:]]
    assert ["… > Trust", "… Us and them"] in [r[:2] for r in rows], lines
    for label in (r[0] for r in rows):
        assert label == "Challenging …" or "Challenging" not in label and label.startswith("…"), label  # one level: cut at its end


def test_agreement_table_names_its_codes(tmp_path):
    """Two codes under one parent stay apart in the agreement table at 80 columns."""
    folder = tmp_path / "p"
    run = lambda coder, *a: CliRunner().invoke(cli, ["-p", str(folder), "--coder", coder, *a], catch_exceptions=False)
    run("alice", "init", "--coder", "alice")
    (tmp_path / "t.txt").write_text("A: one two three.\n\nB: four five six.\n", encoding="utf-8")
    run("alice", "import", str(tmp_path / "t.txt"))
    for coder in ("alice", "bob"):
        run(coder, "apply", "t", "Interview techniques > Scatter plots of interactions", "--turn", "1", "--create")
        run(coder, "apply", "t", "Interview techniques > Partial dependence plots", "--turn", "2", "--create")
    lines = _stats(folder, "agreement", "--coders", "alice,bob")
    labels = [line.split("  ")[0] for line in lines[2:4]]
    assert len(set(labels)) == 2 and all(("interactions" in l) or ("plots" in l) for l in labels), lines


paths = st.lists(st.text("abcXY ", min_size=1, max_size=12).map(str.strip).filter(bool), min_size=1, max_size=4).map(" > ".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(paths, min_size=1, max_size=6), st.integers(20, 120))
def test_aligned_path_cells_end_with_the_code(rows, width):
    """Whatever the width, a cut path cell is the path's end after …, or the path itself;
    a one-level name is its start, cut at the end."""
    header = ["code_path", "together"]
    text = aligned(header, [[p, 3] for p in rows], width)
    for path, line in zip(rows, text.splitlines()[1:]):
        cell = line[: line.rindex("3")].rstrip()
        if cell == path:
            continue
        assert "…" in cell, (path, cell)
        head, tail = cell.split("…")[0], cell.split("…")[-1]
        assert path.startswith(head) and path.endswith(tail), (path, cell)
        if " > " in path and len(path.rsplit(" > ", 1)[1]) < len(cell):
            assert cell.endswith(path.rsplit(" > ", 1)[1]), (path, cell)  # the code's own name, whole, when it fits


def test_agreement_list_and_find_fit_80_columns(tmp_path):
    """`agreement --list` printed 116-column lines at 80; `find` left the text 8 columns."""
    folder = tmp_path / "p"
    run = lambda coder, *a: CliRunner().invoke(cli, ["-p", str(folder), "--coder", coder, *a], catch_exceptions=False)
    run("alice", "init", "--coder", "alice")
    (tmp_path / "t.txt").write_text("A: one two three four five six seven eight nine ten eleven twelve thirteen.\n\n"
                                    "B: four five six seven eight nine ten eleven twelve thirteen fourteen fifteen.\n", encoding="utf-8")
    run("alice", "import", str(tmp_path / "t.txt"))
    run("alice", "apply", "t", "Interview techniques > Scatter plots of interactions", "--turn", "1", "--create")
    run("bob", "apply", "t", "Interview techniques > Scatter plots of interactions", "--turn", "2", "--create")
    listed = _stats(folder, "agreement", "--coders", "alice,bob", "--list")
    assert len(listed) == 3 and all(len(line) <= 80 for line in listed), listed
    assert all("plots of interactions" in line and ("four" in line or "one" in line) for line in listed[1:]), listed
    found = _stats(folder, "find", '"Scatter plots of interactions"')
    rows = [line for line in found[1:] if line.startswith("t ")]
    assert rows and all(len(line) <= 80 for line in rows), found
    assert all(len(line.split("  ")[-1].strip()) >= 20 for line in rows), found  # the text keeps room
