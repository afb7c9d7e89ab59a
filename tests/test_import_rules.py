"""store/ never imports Textual, and the command line imports it only to open the app."""

import subprocess
import sys

from tests.conftest import REPO


def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_store_does_not_import_textual():
    modules = _modules_after(
        "import store, store.project, store.importers, store.exporters.segments, "
        "store.exporters.codebook, store.exporters.memos, store.attributes"
    )
    assert not any(m == "textual" or m.startswith("textual.") for m in modules)


def test_store_source_never_mentions_textual_imports():
    offenders = [
        str(path.relative_to(REPO))
        for path in (REPO / "store").rglob("*.py")
        if any(line.lstrip().startswith(("import textual", "from textual")) for line in path.read_text().splitlines())
    ]
    assert offenders == []


def test_command_line_does_not_import_textual():
    modules = _modules_after("import tui.cli")
    assert "textual" not in modules
