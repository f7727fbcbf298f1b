"""The worksheet as a teacher gets it: download it from the studio in Korean, open it in
Chromium, print it to PDF (Chromium's own print-to-PDF, ``page.pdf()``), check the pages.

No poppler here (no ``pdfinfo``/``pdftotext``/``pdftoppm``), so the PDF is read with a few
lines below: pages from the page tree, text from each page's content stream through its
fonts' ToUnicode maps (Chromium embeds both). Page 1 must have the task and no answer,
page 2 the answers. Pictures of the printed pages are screenshots of the HTML with print
media emulated, one per page: test-artifacts/worksheet-ko-page-1.png and -2.png, with the
PDFs beside them.
"""

from __future__ import annotations

import re
import zlib

import numpy as np
import pytest
from playwright.sync_api import expect

import conv_core as cc
from ui.frame.i18n import translate
from ui.teaching.worksheet import too_large_reason, worksheet_html

pytestmark = pytest.mark.e2e

LECTURE = cc.PRESETS["feature_map_6x6"]
# The printable width of A4 with the sheet's 12 mm margins, in CSS pixels (96 per inch).
PRINT_WIDTH_PX = round((210 - 24) / 25.4 * 96)

# ------------------------------------------------------------------------------ PDF reading

_OBJ = re.compile(rb"(\d+)\s+0\s+obj\s*(.*?)\s*endobj", re.S)


def _stream(body: bytes) -> bytes:
    head, _, rest = body.partition(b"stream")
    raw = rest.lstrip(b"\r\n")
    raw = raw[: raw.rindex(b"endstream")]
    return zlib.decompress(raw) if b"/FlateDecode" in head else raw


def _unicode_map(cmap: bytes) -> dict[int, str]:
    def text(hex_: bytes) -> str:
        return bytes.fromhex(hex_.decode()).decode("utf-16-be")

    table: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            table[int(src, 16)] = text(dst)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        pattern = rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>"
        for lo, hi, dst in re.findall(pattern, block):
            first = ord(text(dst))
            for i in range(int(hi, 16) - int(lo, 16) + 1):
                table[int(lo, 16) + i] = chr(first + i)
    return table


def pdf_pages_text(pdf: bytes) -> list[str]:
    """The text of each page, in drawing order (one line per text object)."""
    objs = {int(n): body for n, body in _OBJ.findall(pdf)}

    def ref(body: bytes, key: bytes) -> int:
        return int(re.search(rb"/" + key + rb"\s+(\d+)\s+0\s+R", body).group(1))

    catalog = next(b for b in objs.values() if re.search(rb"/Type\s*/Catalog", b))
    kids = re.search(rb"/Kids\s*\[([^\]]*)\]", objs[ref(catalog, b"Pages")]).group(1)
    pages = []
    for number in re.findall(rb"(\d+)\s+0\s+R", kids):
        page = objs[int(number)]
        fonts = {}
        font_dict = re.search(rb"/Font\s*<<(.*?)>>", page, re.S)
        for name, num in re.findall(rb"/(\w+)\s+(\d+)\s+0\s+R", font_dict.group(1)):
            m = re.search(rb"/ToUnicode\s+(\d+)\s+0\s+R", objs[int(num)])
            fonts[name] = _unicode_map(_stream(objs[int(m.group(1))])) if m else {}
        parts: list[str] = []
        table: dict[int, str] = {}
        content = _stream(objs[ref(page, b"Contents")])
        for tok in re.finditer(rb"/(\w+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>|\bET\b", content):
            if tok.group(1):
                table = fonts.get(tok.group(1), {})
            elif tok.group(2) is not None:
                codes = tok.group(2)
                parts += [table.get(int(codes[i : i + 4], 16), "") for i in range(0, len(codes), 4)]
            else:
                parts.append("\n")
        # Chromium's subset fonts map the space glyph to U+0001: read it as a space.
        pages.append(re.sub(r"[\x00-\x09\x0b-\x1f]", " ", "".join(parts)))
    return pages


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def squeeze(text: str) -> str:
    return re.sub(r"[ \t]+", "", text)


# ------------------------------------------------------------------------------ tests


def test_korean_worksheet_downloaded_from_the_studio_prints_two_pages(
    page, app_url, st_wait_idle, artifacts_dir
) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.set_default_timeout(30_000)
    page.goto(f"{app_url}/studio?lang=ko")
    st_wait_idle(page)
    page.wait_for_selector('.stp[data-ready="1"]')
    page.get_by_text(translate("ko", "studio.export.header"), exact=True).click()
    button = page.locator(".st-key-studio-worksheet").get_by_role(
        "button", name=translate("ko", "worksheet.studio.button")
    )
    expect(button).to_be_visible()
    expect(page.get_by_text(translate("ko", "worksheet.studio.caption"))).to_be_visible()
    with page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename == "convlab-worksheet-ko.html"
    html_path = artifacts_dir / "worksheet-ko.html"
    download.value.save_as(html_path)
    html = html_path.read_text(encoding="utf-8")
    trace = cc.trace_correlate2d(LECTURE.inputs["x"], LECTURE.inputs["kernel"])
    assert html == worksheet_html(cc.to_compact(trace, digits=9), lang="ko")

    # open the file as the teacher would, print it
    sheet = page.context.new_page()
    sheet.goto(html_path.as_uri())
    expect(sheet).to_have_title("교차 상관 연습 문제지")
    sheet.emulate_media(media="print")
    pdfs = {}
    for paper in ("A4", "Letter"):
        pdfs[paper] = sheet.pdf(format=paper)
        (artifacts_dir / f"worksheet-ko-{paper}.pdf").write_bytes(pdfs[paper])
        assert pdfs[paper].startswith(b"%PDF-")
        assert page_count(pdfs[paper]) == 2, paper

    first, second = (squeeze(t) for t in pdf_pages_text(pdfs["A4"]))
    output = np.asarray(LECTURE.expected)
    worked = squeeze(cc.format_step(trace.step(0)))
    formula = squeeze(cc.conv_output_size_detail(6, 3).formula())  # (6+0+0-3)/1+1=4
    # page 1: the task, with every answer left out
    for text in ("교차상관연습문제지", "이름:", "반:", "날짜:", "출력:4×4(채우세요)", "커널"):
        assert text in first, text
    assert "출력:4×4(채우세요)\n출력크기" in first  # the output grid holds no number
    assert "정답" not in first and worked not in first and formula not in first
    # page 2: the answers
    assert first.splitlines()[0] == "교차상관연습문제지"
    assert second.splitlines()[0] == "정답:교차상관연습문제지"
    assert worked in second and formula in second
    assert "출력:4×4\n" + "\n".join(str(v) for v in output.ravel()) + "\n" in second

    # pictures of the two printed pages (print media, at A4's printable width)
    sheet.set_viewport_size({"width": PRINT_WIDTH_PX, "height": 1200})
    sections = sheet.locator("section.sheet")
    expect(sections).to_have_count(2)
    for i in range(2):
        sections.nth(i).screenshot(path=artifacts_dir / f"worksheet-ko-page-{i + 1}.png")
    sheet.close()


def _configurations() -> list[tuple[str, cc.ConvTrace, str]]:
    """Sheets at the edges: big accepted grids, float kernels, dilation, 7x7 kernels."""
    rng = np.random.default_rng(7)
    cases = [
        ("lecture", cc.trace_correlate2d(LECTURE.inputs["x"], LECTURE.inputs["kernel"]), "en"),
        (
            "float-dilated",
            cc.trace_convolve2d(
                rng.integers(-9, 10, (9, 9)), np.round(np.ones((3, 3)) / 9, 3),
                (1, 2), 2, (2, 2), "replicate", bias=0.5,
            ),
            "ko",
        ),
        (
            "16x16-stride2",
            cc.trace_convolve2d(rng.integers(0, 256, (16, 16)), rng.integers(-1, 2, (3, 3)), 2),
            "ko",
        ),
        (
            "7x7",
            cc.trace_convolve2d(
                rng.integers(0, 256, (8, 8)), rng.integers(-3, 4, (7, 7)), 1, 1, 1, "reflect",
                bias=-1.5,
            ),
            "ko",
        ),
        (
            "5x5-float",
            cc.trace_correlate2d(
                rng.integers(0, 256, (8, 8)), np.round(rng.random((5, 5)) * 2 - 1, 3), 1, 1,
            ),
            "en",
        ),
        (
            "wide-output",
            cc.trace_correlate2d(rng.integers(0, 99, (6, 16)), [[1, -1]], 1, (0, 0), 1),
            "en",
        ),
    ]  # fmt: skip
    for i in range(12):  # random accepted sheets, as large as the limits let them be
        while True:
            h, w = (int(v) for v in rng.integers(8, 21, 2))
            k = int(rng.integers(1, 8))
            try:
                trace = cc.trace_convolve2d(
                    rng.integers(-99, 256, (h, w)),
                    rng.integers(-3, 4, (k, k)),
                    int(rng.integers(1, 3)),
                    int(rng.integers(0, 3)),
                    int(rng.integers(1, 3)),
                    ("zeros", "reflect", "circular")[i % 3],
                    bias=3,
                )
            except cc.ArgumentError:
                continue
            lang = ("en", "ko")[i % 2]
            if too_large_reason(trace, lang=lang) is None:
                cases.append((f"random-{i}", trace, lang))
                break
    return cases


def test_every_accepted_sheet_prints_on_two_pages(page, artifacts_dir) -> None:
    """Whatever the sheet accepts fits: two pages on A4 and Letter, nothing wider than
    the paper, page 1 within the printable height."""
    page.emulate_media(media="print")
    page.set_viewport_size({"width": PRINT_WIDTH_PX, "height": 1200})
    for name, trace, lang in _configurations():
        assert too_large_reason(trace, lang=lang) is None, name
        page.set_content(worksheet_html(trace, lang=lang))
        for paper in ("A4", "Letter"):
            assert page_count(page.pdf(format=paper)) == 2, (name, paper)
        sizes = page.evaluate(
            """() => [...document.querySelectorAll('section.sheet')].map(s => [
                s.getBoundingClientRect().height * 25.4 / 96, s.scrollWidth - s.clientWidth])"""
        )
        for height, overflow in sizes:
            assert height <= 279.4 - 24, (name, height)  # Letter's printable height
            assert overflow <= 1, (name, overflow)
        if name in ("float-dilated", "7x7", "5x5-float"):
            page.locator("section.sheet").nth(0).screenshot(
                path=artifacts_dir / f"worksheet-{name}-page-1.png"
            )
            page.locator("section.sheet").nth(1).screenshot(
                path=artifacts_dir / f"worksheet-{name}-page-2.png"
            )
