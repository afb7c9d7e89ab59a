"""Each HTML report opened in a real headless browser (Debian's chromium): it loads with
no console error and no network request, the screenshot is not blank, and it prints to
A4 pages. Skips when chromium is not installed (.ci/run installs it)."""

from __future__ import annotations

import re

import pytest

from tests.reports.browser import chromium, distinct_colours, visit
from tests.reports.conftest import DEMO_NAMES, margin

pytestmark = pytest.mark.skipif(chromium() is None, reason="needs chromium (apt-get install chromium)")


def test_every_html_report_loads_cleanly_in_chromium(demo_dir, tmp_path):
    for real, pseudo in list(DEMO_NAMES.items())[:2]:
        margin(demo_dir, "pseudonyms", "add", real, pseudo)
    margin(demo_dir, "exemplar", "P01 nurse, round 1", "--turn", "14")
    for n, args in enumerate([("codebook",), ("participant", "P01"), ("analysis",)]):
        page = tmp_path / f"{args[0]}.html"
        margin(demo_dir, "report", *args, "-o", str(page))
        seen = visit(page)
        assert seen.errors == [], args
        assert seen.requests == [page.resolve().as_uri()], args  # the page itself, nothing else
        assert distinct_colours(seen.screenshot) > 20, args
        assert seen.pdf.startswith(b"%PDF") and seen.pdf.count(b"/Type /Page") >= 1 + (args[0] != "participant")
        boxes = {tuple(round(float(x)) for x in box.split()) for box in re.findall(rb"/MediaBox ?\[([^\]]*)\]", seen.pdf)}
        assert boxes == {(0, 0, 595, 842)}  # A4 in points


def test_the_harness_sees_requests_errors_and_blank_pages(tmp_path):
    """The checks above can fail: a page with a script error, a fetched image and nothing drawn."""
    page = tmp_path / "bad.html"
    page.write_text(
        "<!DOCTYPE html><html><body><img src='http://127.0.0.1:9/x.png'>"
        "<script>console.error('boom'); undefined_function();</script></body></html>"
    )
    seen = visit(page)
    assert "http://127.0.0.1:9/x.png" in seen.requests
    assert any("boom" in e for e in seen.errors) and any("undefined_function" in e or "Uncaught" in e for e in seen.errors)
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>")
    assert distinct_colours(visit(blank).screenshot) == 1
