"""The quarterly report's PDF wastes no page: every page but the last is mostly used, so no page holds
only a heading whose chart was pushed to the next one; and it is printed at its own size.

A page's used share is the area of the box around its non-white pixels, inside the page's margins (the
running header and the page number are left out), over the area inside the margins; the page is
rendered in grey by poppler's pdftoppm.

Measured on the demo street (`make demo`: 24 communities with data, quarters 2025Q1–Q4): before charts were
kept with their titles and drawn no taller than a page, the page after 二、事件受理与办理's level chart held
only the title 各社区结案率、按期结案率与满意率 (0.5 % used) and the chart was cut over the next two pages;
since then the emptiest page but the last is 0.71 used (a block moving on with its heading). The test
street's report (conftest.py) uses 0.85 or more, and with its communities repeated to 24, 0.85 or more.
The threshold, 0.5, lies between: a page left half empty means a block went to the next page without need.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from pipelines.core.settings import ROOT
from reports import figures as figures_module
from reports.narrative import paragraphs
from reports.pdf import print_pdf, render_html
from reports.quarter import Quarter
from tests.reports.conftest import QUARTER

MIN_USED_SHARE = 0.5
MARGINS_MM = (16, 15, 16, 15)  # top, right, bottom, left: the @page margins of templates/report.html.j2
DPI = 30
WHITE = 240  # grey level: lighter pixels count as paper
ARTIFACTS = ROOT / "test-artifacts" / "reports"


def used_shares(pdf: Path, work: Path) -> list[float]:
    """Each page's used share of the area inside its margins."""
    if not shutil.which("pdftoppm"):
        pytest.fail("pdftoppm missing: install Debian's poppler-utils (make browser)")
    subprocess.run(["pdftoppm", "-gray", "-r", str(DPI), str(pdf), str(work / "page")], check=True)
    pages = sorted(work.glob("page-*.pgm"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    px = DPI / 25.4
    top, right, bottom, left = (round(mm * px) for mm in MARGINS_MM)
    shares = []
    for page in pages:
        grey = np.asarray(Image.open(page).convert("L"))
        inside = grey[top:grey.shape[0] - bottom, left:grey.shape[1] - right] < WHITE
        rows, cols = np.flatnonzero(inside.any(axis=1)), np.flatnonzero(inside.any(axis=0))
        used = (rows[-1] - rows[0] + 1) * (cols[-1] - cols[0] + 1) if len(rows) else 0
        shares.append(used / inside.size)
    return shares


def assert_pages_used(pdf: Path, work: Path) -> list[float]:
    shares = used_shares(pdf, work)
    print(pdf.name, [f"{s:.3f}" for s in shares])
    assert len(shares) > 1
    sparse = {page: round(share, 3) for page, share in enumerate(shares[:-1], start=1) if share < MIN_USED_SHARE}
    assert sparse == {}, f"pages used below {MIN_USED_SHARE:.0%} (page: share): {sparse}"
    return shares


def assert_full_size(pdf: Path) -> None:
    """Chromium shrinks every page when one element is wider than the page: the header line's 数据截至
    (9 pt, four CJK glyphs of 1 em) is then narrower than 36 pt."""
    words = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    box = next(line for line in words.splitlines() if line.strip().endswith(">数据截至</word>"))
    x_min, x_max = (float(box.split(f'{k}="')[1].split('"')[0]) for k in ("xMin", "xMax"))
    assert x_max - x_min == pytest.approx(4 * 9, abs=0.5), "the PDF is printed shrunk: an element is wider than the page"


def test_no_page_of_the_report_is_left_mostly_empty(report, tmp_path):
    assert_full_size(report.pdf)
    assert_pages_used(report.pdf, tmp_path)


def test_no_page_is_left_mostly_empty_on_a_street_of_many_communities(report, tmp_path):
    """The test street's quarter with its communities that sent data repeated up to the street's number of
    communities (24 in the demo): the long per-community charts of the demo street, where a chart taller
    than the rest of its title's page was pushed away from the title."""
    figures = figures_module.load(report.paths, Quarter.parse(QUARTER))
    con = duckdb.connect(str(report.paths.serving), read_only=True)
    size = con.execute("select count(*) from marts.dim_communities").fetchone()[0]
    con.close()
    sending = figures.communities[figures.communities.has_data]
    copies = -(-size // len(sending))
    figures.communities = pd.concat(
        [sending.assign(community_code=sending.community_code + f"-{k}", community_name=sending.community_name + f"{k}")
         for k in range(copies)]).head(size).reset_index(drop=True)
    assert len(figures.communities) >= 20
    pdf = print_pdf(render_html(figures, paragraphs(figures)), tmp_path / "many_communities.pdf")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(pdf, ARTIFACTS / f"{QUARTER}_{size}_communities.pdf")
    pages = tmp_path / "pages"
    pages.mkdir()
    assert_full_size(pdf)
    assert_pages_used(pdf, pages)
