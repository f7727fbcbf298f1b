"""Printable worksheets: one studio configuration as a task page and an answer-key page.

:func:`worksheet_html` turns a compact trace (``conv_core.to_compact``, schema v1, the
same dict the studio hands its stepper) into one self-contained HTML document: inline
CSS, no script, nothing loaded from a network. Printed from a browser (or saved as PDF)
it gives exactly two pages on A4 or Letter:

1. the task: name/class/date line, what to do (for convolution: flip the kernel first,
   with an empty grid to write the flipped kernel in), the settings, the padded input
   (padding drawn dashed and grey, already filled in), the kernel, the output-size
   formula with blanks, and an empty output grid of the right size;
2. the answer key (``break-before: page``): the size formula filled in, the flipped
   kernel, the filled output grid and the first output cell worked out (window, kernel,
   products, and conv_core's own ``format_step`` text).

Every number comes from the compact trace; nothing is recomputed here except reading
the original kernel back from the applied one (convolution applies it flipped). Strings
come from ``assets/i18n/<lang>/worksheet.toml``. Grids too large to print legibly are
refused with a message (:func:`too_large_reason`) instead of a sheet nobody can read.

Pure: imports neither Streamlit nor Plotly.

Machine-readable hooks (for tests, invisible on paper): each grid is a
``<table class="grid" data-grid="...">`` (``input``, ``kernel``, ``kernel-flipped``,
``output``, ``window``, ``kernel-applied``, ``products``), padded input cells have class
``pad``, cells left for the student have class ``blank``; size-formula blanks are
``<span class="blank" data-blank="rows.n">`` on page 1 and ``<span class="fill"
data-blank="rows.n">6</span>`` on page 2. Page 1 is ``<section class="sheet task">``,
page 2 ``<section class="sheet key">``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import conv_core as cc
from ui.frame.i18n import translate

__all__ = [
    "MAX_INPUT",
    "MAX_KERNEL",
    "MAX_OUTPUT",
    "WorksheetTooLarge",
    "fmt",
    "too_large_reason",
    "worksheet_html",
]

#: Largest input (rows or columns) a worksheet takes.
MAX_INPUT = 20
#: Largest output (rows or columns): every cell is computed by hand.
MAX_OUTPUT = 16
#: Largest kernel (the studio's editor goes to 7 x 7).
MAX_KERNEL = 7

# Printable area in mm: the smaller of A4 (210 x 297) and Letter (215.9 x 279.4) minus
# the 12 mm @page margins, less a few mm so the estimates below stay on the safe side.
_MARGIN = 12
_WIDTH = 210 - 2 * _MARGIN - 4
_HEIGHT = 279.4 - 2 * _MARGIN - 8
# Cell sizes (mm): printed numbers need >= 4.8 mm, handwriting >= 7 mm.
_CELL_MAX = 10.0
_CELL_MIN_PRINT = 4.8
_CELL_MIN_WRITE = 7.0
_GAP = 8.0  # between grids side by side
_HEADING = 7.0  # a grid's caption above it
_LINE = 4.6  # one line of 9.5 pt text
_CHAR = 0.62  # a monospace digit's width, in em
_MIN_FONT = 1.9  # mm (5.4 pt): smallest number printed in a grid
_SETTINGS_BASIS = 80.0  # the settings table's width before the kernels wrap below it

_OPS = {"correlate2d": "correlate", "convolve2d": "convolve", "conv2d": "correlate"}


class WorksheetTooLarge(ValueError):
    """The configuration cannot be printed legibly; ``str(err)`` says why in the language."""


def fmt(value: Any, decimals: int = 3) -> str:
    """A number as conv_core's ``format_step`` writes it: ints as ints, floats with at
    most ``decimals`` decimals, trailing zeros trimmed, ``-0`` written ``0``.

    >>> fmt(3), fmt(2.0), fmt(0.25), fmt(-0.0001), fmt(1 / 3)
    ('3', '2', '0.25', '0', '0.333')
    """
    if isinstance(value, (bool, np.bool_)):
        return str(int(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    text = f"{float(value):.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# ----------------------------------------------------------------------------- the data


@dataclass(frozen=True)
class _Sheet:
    """What a worksheet shows, read from the compact trace."""

    op: str  # 'correlate' | 'convolve'
    input_shape: tuple[int, int]
    padded: list[list[Any]]
    mask: list[list[int]]
    pads: tuple[tuple[int, int], tuple[int, int]]
    kernel: list[list[Any]]  # as the teacher typed it
    applied: list[list[Any]]  # as slid over the input (flipped for convolution)
    bias: Any  # None when there is none
    stride: tuple[int, int]
    dilation: tuple[int, int]
    mode: str
    sizes: Mapping[str, Mapping[str, Any]]
    output: list[list[Any]]
    window: list[list[Any]]
    products: list[list[Any]]
    first_step_text: str

    @property
    def padded_shape(self) -> tuple[int, int]:
        return len(self.padded), len(self.padded[0])

    @property
    def output_shape(self) -> tuple[int, int]:
        return len(self.output), len(self.output[0])

    @property
    def kernel_shape(self) -> tuple[int, int]:
        return len(self.kernel), len(self.kernel[0])


def _compact(source: Any) -> Mapping[str, Any]:
    """The compact trace of ``source``: a compact dict, a ConvTrace, or anything with a
    ``trace()`` method (``ui.teaching.traces.TraceSettings``)."""
    if isinstance(source, Mapping):
        return source
    if isinstance(source, cc.ConvTrace):
        return cc.to_compact(source, digits=9)
    if hasattr(source, "trace"):
        return cc.to_compact(source.trace(), digits=9)
    raise TypeError(f"worksheet source must be a compact trace or trace settings, got {source!r}")


def _sheet(compact: Mapping[str, Any]) -> _Sheet:
    if compact.get("schema_version") != 1 or compact.get("view") != "gather":
        raise ValueError("a worksheet needs a 2D convolution trace (compact schema 1, gather)")
    op = _OPS.get(compact["op"])
    kernels = compact["kernel"]
    if op is None or compact["ndim"] != 2 or len(kernels) != 1 or len(kernels[0]) != 1:
        raise ValueError(
            "a worksheet shows one input channel and one output channel of a 2D "
            f"correlation or convolution, got op={compact['op']!r} with kernel shape "
            f"{list(np.shape(kernels))}"
        )
    config = compact["config"]
    applied = kernels[0][0]
    flipped = bool(config.get("flipped", False))
    kernel = [row[::-1] for row in applied[::-1]] if flipped else applied
    padded = compact["padded"][0]
    r0, c0 = compact["row_starts"][0], compact["col_starts"][0]
    taps_r, taps_c = compact["tap_rows"], compact["tap_cols"]
    window = [[padded[r0 + a][c0 + b] for b in taps_c] for a in taps_r]
    n_taps = len(taps_r) * len(taps_c)
    first = compact["products"][:n_taps]
    products = [first[a * len(taps_c) : (a + 1) * len(taps_c)] for a in range(len(taps_r))]
    bias = compact["bias"][0] if compact.get("bias") else None
    pads = compact["sizes"]["rows"]["padding"], compact["sizes"]["cols"]["padding"]
    return _Sheet(
        op="convolve" if flipped else op,
        input_shape=(int(compact["input_shape"][1]), int(compact["input_shape"][2])),
        padded=padded,
        mask=compact["mask"],
        pads=(tuple(pads[0]), tuple(pads[1])),
        kernel=kernel,
        applied=applied,
        bias=bias,
        stride=tuple(config["stride"]),
        dilation=tuple(config["dilation"]),
        mode=str(config.get("padding_mode", "zeros")),
        sizes=compact["sizes"],
        output=compact["output"][0],
        window=window,
        products=products,
        first_step_text=str(compact["first_step_text"]),
    )


# ----------------------------------------------------------------------------- layout


def _chars(grid: Sequence[Sequence[Any]]) -> int:
    return max((len(fmt(v)) for row in grid for v in row), default=1)


def _width(cell: float, chars: int) -> float:
    """Cell width (mm) for numbers of ``chars`` characters in a row of ``cell`` mm: square
    unless the numbers are long (floats), then wide enough for a readable font."""
    font = max(2.5, 0.34 * cell)
    return max(cell, _CHAR * max(chars, 1) * font / 0.88)


def _font(cell: float, chars: int) -> float:
    """Font size (mm) for numbers of ``chars`` characters in a cell ``cell`` mm high."""
    return min(0.42 * cell, 0.88 * _width(cell, chars) / (_CHAR * max(chars, 1)))


def _text_lines(text: str, width_mm: float, em: float = 3.35) -> int:
    """A pessimistic count of the lines ``text`` takes in ``width_mm`` at ``em`` mm."""
    wide = sum(1 for ch in text if ord(ch) >= 0x1100)
    width = (len(text) - wide) * 0.5 * em + wide * 1.0 * em
    return max(1, math.ceil(width / (width_mm - 6)))


@dataclass(frozen=True)
class _Layout:
    cell_in: float
    cell_out: float
    cell_kernel: float
    side_by_side: bool
    cell_key: float


def _kernel_cell(sheet: _Sheet) -> float:
    kh, kw = sheet.kernel_shape
    return min(8.0, 42.0 / kh, 42.0 / kw)


def _task_height(sheet: _Sheet, lang: str) -> float:
    """Estimated height (mm) of page 1 without the input and output grids.

    Each part's height as Chromium lays it out (measured), text by a pessimistic line
    count; tests/e2e/test_worksheet_app.py checks real layouts against the page size.
    """
    steps = _steps(sheet, lang)
    header = 21.0
    instructions = 9.5 + sum(_text_lines(s, _WIDTH - 6) for s in steps) * 4.5
    instructions += len(steps) * 1.0 + 2
    op_text = translate(lang, f"worksheet.setting.op_{sheet.op}")
    settings = 6 * 5.6 + (_text_lines(op_text, 62, em=3.17) - 1) * 4.3
    kernel = 5.5 + sheet.kernel_shape[0] * max(_kernel_cell(sheet), 6.0)
    kernels_width = _kernels_width(sheet)
    legend = translate(lang, "worksheet.pad_legend", mode=_mode_text(sheet, lang))
    grids = 2 + 5.5 + 1 + _text_lines(legend, 110, em=2.82) * 3.8
    notes = translate(lang, "worksheet.size_symbols") + translate(lang, "worksheet.size_rule")
    size = 9.5 + 2 * 6.5 + sum(6.5 for d in sheet.dilation if d > 1)
    size += _text_lines(notes, _WIDTH, em=2.82) * 3.6 + 1
    if max(sheet.dilation) > 1:
        size += 3.6
    if _SETTINGS_BASIS + _GAP + kernels_width > _WIDTH:  # the kernels wrap below
        row = settings + 3 + kernel
    else:
        row = max(settings, kernel)
    return header + instructions + row + grids + size


def _kernels_width(sheet: _Sheet) -> float:
    """Width (mm) of the kernel figures beside the settings on page 1."""
    kw = sheet.kernel_shape[1]
    ck = _kernel_cell(sheet)
    width = kw * _width(ck, _chars(sheet.kernel)) + 1
    if sheet.op == "convolve":
        width += _GAP + kw * max(ck, 6.0) + 1
    return max(width, 30.0)  # the captions are about 30 mm wide


def _layout(sheet: _Sheet, lang: str) -> _Layout | None:
    """Cell sizes that fit pages 1 and 2, or None when nothing legible fits.

    Page 1 puts the padded input and the empty output side by side, or one above the
    other, whichever leaves the larger cells to write in (at least 7 mm); the printed
    input needs at least 4.8 mm.
    """
    hp, wp = sheet.padded_shape
    oh, ow = sheet.output_shape
    chars = _chars(sheet.padded)
    room = _HEIGHT - _task_height(sheet, lang)
    key = _key_cell(sheet, lang)
    if key < _CELL_MIN_PRINT:
        return None
    best: _Layout | None = None
    for side in (True, False):
        cell_out = _CELL_MAX
        while cell_out >= _CELL_MIN_WRITE:
            if side:
                fits = oh * cell_out <= room
                width, height = _WIDTH - _GAP - ow * cell_out, room
            else:
                fits = ow * cell_out <= _WIDTH
                width, height = _WIDTH, room - oh * cell_out - _HEADING
            cell_in = min(cell_out, height / hp)
            while cell_in >= _CELL_MIN_PRINT and wp * _width(cell_in, chars) > width:
                cell_in -= 0.1
            if fits and cell_in >= _CELL_MIN_PRINT:
                if best is None or (cell_out, cell_in) > (best.cell_out, best.cell_in):
                    best = _Layout(cell_in, cell_out, _kernel_cell(sheet), side, key)
                break
            cell_out -= 0.25
    return best


def _worked_cell(sheet: _Sheet) -> float:
    return max(_kernel_cell(sheet), 6.0)


def _worked_layout(sheet: _Sheet) -> tuple[bool, int]:
    """(show the products grid, lines of grids) for the worked example: window × kernel
    = products when all three fit on one line, else window × kernel alone (the sum line
    lists the products anyway)."""
    kw = sheet.kernel_shape[1]
    cell = _worked_cell(sheet)
    widths = [
        kw * _width(cell, _chars(grid)) + 2
        for grid in (sheet.window, sheet.applied, sheet.products)
    ]
    if sum(widths) + 2 * 12 <= _WIDTH:
        return True, 1
    return False, 1 if widths[0] + widths[1] + 12 <= _WIDTH else 2


def _key_cell(sheet: _Sheet, lang: str) -> float:
    """Cell height (mm) of the answer key's output grid (0 when it cannot be legible)."""
    oh, ow = sheet.output_shape
    kh = sheet.kernel_shape[0]
    worked_lines = _text_lines(sheet.first_step_text, _WIDTH, em=3.2)
    fixed = 18 + 6 + 9 + 2 * 13.0 + 8 + _HEADING + 8
    fixed += 8 + _worked_layout(sheet)[1] * (_HEADING + kh * _worked_cell(sheet) + 4)
    fixed += 6 + worked_lines * _LINE + 12
    chars = _chars(sheet.output)
    cell = min(_CELL_MAX, (_HEIGHT - fixed) / oh)
    while cell >= _CELL_MIN_PRINT and ow * _width(cell, chars) > _WIDTH - (
        _GAP + kh * 8 if sheet.op == "convolve" else 0
    ):
        cell -= 0.1
    return cell if cell >= _CELL_MIN_PRINT else 0.0


def _limit_reason(sheet: _Sheet, lang: str) -> str | None:
    h, w = sheet.input_shape
    oh, ow = sheet.output_shape
    kh, kw = sheet.kernel_shape
    if max(h, w) > MAX_INPUT:
        return translate(lang, "worksheet.too_large.input", rows=h, cols=w, max=MAX_INPUT)
    if max(oh, ow) > MAX_OUTPUT:
        return translate(lang, "worksheet.too_large.output", rows=oh, cols=ow, max=MAX_OUTPUT)
    if max(kh, kw) > MAX_KERNEL:
        return translate(lang, "worksheet.too_large.kernel", rows=kh, cols=kw, max=MAX_KERNEL)
    if _layout(sheet, lang) is None:
        hp, wp = sheet.padded_shape
        return translate(
            lang, "worksheet.too_large.page", prow=hp, pcol=wp, krow=kh, kcol=kw, rows=oh, cols=ow
        )
    return None


def too_large_reason(source: Any, *, lang: str) -> str | None:
    """Why this configuration gets no worksheet (in ``lang``), or None when it prints.

    Limits: input at most :data:`MAX_INPUT` cells a side, output :data:`MAX_OUTPUT`,
    kernel :data:`MAX_KERNEL`, and the padded input plus the output must fit one page
    with printed numbers >= 4.8 mm cells and output cells >= 7 mm to write in.
    """
    return _limit_reason(_sheet(_compact(source)), lang)


# ----------------------------------------------------------------------------- HTML


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _grid(
    name: str,
    values: Sequence[Sequence[Any]] | None,
    shape: tuple[int, int],
    cell: float,
    *,
    mask: Sequence[Sequence[int]] | None = None,
    chars: int | None = None,
) -> str:
    """A grid as a table: numbers, or empty cells to write in when ``values`` is None."""
    rows, cols = shape
    if chars is None:
        chars = _chars(values) if values is not None else 1
    font = _font(cell, chars) if values is not None else 0.42 * cell
    width = _width(cell, chars) if values is not None else cell
    style = f"--c:{cell:.2f}mm;--w:{width:.2f}mm;--f:{font:.2f}mm"
    out = [f'<table class="grid" data-grid="{name}" style="{style}"><tbody>']
    for r in range(rows):
        out.append("<tr>")
        for c in range(cols):
            if values is None:
                out.append('<td class="blank"></td>')
                continue
            cls = ' class="pad"' if mask is not None and mask[r][c] else ""
            out.append(f"<td{cls}>{_e(fmt(values[r][c]))}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _figure(caption: str, body: str, extra: str = "") -> str:
    return f'<figure class="fig{extra}"><figcaption>{_e(caption)}</figcaption>{body}</figure>'


def _pair(lang: str, pair: tuple[int, int]) -> str:
    if pair[0] == pair[1]:
        return translate(lang, "worksheet.setting.pair_same", v=pair[0])
    return translate(lang, "worksheet.setting.pair", rows=pair[0], cols=pair[1])


def _padding_text(sheet: _Sheet, lang: str) -> str:
    (top, bottom), (left, right) = sheet.pads
    if top == bottom == left == right == 0:
        return translate(lang, "worksheet.setting.padding_none")
    if top == bottom == left == right:
        return translate(lang, "worksheet.setting.padding_same_all", p=top)
    return translate(
        lang, "worksheet.setting.padding_sides", top=top, bottom=bottom, left=left, right=right
    )


def _mode_text(sheet: _Sheet, lang: str) -> str:
    title = translate(lang, f"padding_modes.{sheet.mode}.title")
    return f"{title}: {translate(lang, f'padding_modes.{sheet.mode}.explain')}"


def _steps(sheet: _Sheet, lang: str) -> list[str]:
    """The task, step by step."""
    k = "worksheet.steps."
    steps = [translate(lang, k + ("flip" if sheet.op == "convolve" else "no_flip"))]
    steps.append(translate(lang, k + "size"))
    if sheet.bias is None:
        steps.append(translate(lang, k + "window"))
    else:
        steps.append(translate(lang, k + "window_bias", bias=fmt(sheet.bias)))
    if max(sheet.dilation) > 1:
        steps.append(
            translate(
                lang,
                k + "dilation",
                dr=sheet.dilation[0],
                dc=sheet.dilation[1],
                span_r=sheet.sizes["rows"]["span"],
                span_c=sheet.sizes["cols"]["span"],
            )
        )
    steps.append(translate(lang, k + "stride", sr=sheet.stride[0], sc=sheet.stride[1]))
    steps.append(translate(lang, k + "write"))
    return steps


def _settings_table(sheet: _Sheet, lang: str) -> str:
    s = "worksheet.setting."
    bias = (
        translate(lang, s + "bias_none")
        if sheet.bias is None
        else translate(lang, s + "bias_value", bias=fmt(sheet.bias))
    )
    rows = [
        (s + "op", translate(lang, s + f"op_{sheet.op}")),
        (s + "bias", bias),
        (s + "padding", _padding_text(sheet, lang)),
        (s + "mode", translate(lang, f"padding_modes.{sheet.mode}.title")),
        (s + "stride", _pair(lang, sheet.stride)),
        (s + "dilation", _pair(lang, sheet.dilation)),
    ]
    body = "".join(
        f'<tr data-setting="{_e(key.rsplit(".", 1)[1])}"><th>{_e(translate(lang, key))}</th>'
        f"<td>{_e(value)}</td></tr>"
        for key, value in rows
    )
    return f'<table class="settings"><tbody>{body}</tbody></table>'


def _blank(name: str, value: Any | None) -> str:
    if value is None:
        return f'<span class="blank" data-blank="{name}"></span>'
    return f'<span class="fill" data-blank="{name}">{_e(value)}</span>'


def _size_block(sheet: _Sheet, lang: str, *, filled: bool) -> str:
    """The output-size rule per axis, with blanks (page 1) or the numbers (page 2)."""
    lines = []
    for axis, (n_sym, k_idx) in (("rows", ("H", 0)), ("cols", ("W", 1))):
        size = sheet.sizes[axis]
        before, after = size["padding"]
        kernel = sheet.kernel_shape[k_idx]
        dilation = sheet.dilation[k_idx]
        stride = sheet.stride[k_idx]

        def b(part: str, value: Any, axis: str = axis) -> str:
            return _blank(f"{axis}.{part}", value if filled else None)

        out_sym = f"{n_sym}<sub>out</sub>"
        f_sym = "F′" if dilation > 1 else "F"
        eff = ""
        if dilation > 1:
            eff = (
                f'<div class="eq sub">F′ = D × (F − 1) + 1 = {b("d", dilation)} × '
                f"({b('f', kernel)} − 1) + 1 = {b('span', size['span'])}</div>"
            )
        rule = (
            f"{out_sym} = ⌊({n_sym} + P<sub>1</sub> + P<sub>2</sub> − {f_sym}) / S⌋"
            f" + 1 = ⌊({b('n', sheet.input_shape[k_idx])} + {b('p1', before)} + "
            f"{b('p2', after)} − {b('k', size['span'])}) / {b('s', stride)}⌋ + 1 = "
            f"{b('size', size['size'])}"
        )
        check = ""
        if filled:
            check = f'<div class="cc">conv_core: <code>{_e(size["formula"])}</code></div>'
        title = translate(lang, f"worksheet.axis_{axis}")
        lines.append(
            f'<div class="axis" data-axis="{axis}"><div class="eq">'
            f'<span class="axis-name">{_e(title)}</span> {rule}</div>{eff}{check}</div>'
        )
    notes = _e(translate(lang, "worksheet.size_symbols", p1="\x00", p2="\x01"))
    notes = notes.replace("\x00", "P<sub>1</sub>").replace("\x01", "P<sub>2</sub>")
    notes += " " + _e(translate(lang, "worksheet.size_rule"))
    if max(sheet.dilation) > 1:
        notes += " " + _e(translate(lang, "worksheet.size_effective"))
    return (
        f'<div class="size"><h2>{_e(translate(lang, "worksheet.size"))}</h2>'
        f'{"".join(lines)}<p class="note">{notes}</p></div>'
    )


_CSS = """
@page { margin: 12mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: #111; background: #fff;
  font-family: "Noto Sans KR", "Malgun Gothic", "Apple SD Gothic Neo", "NanumGothic",
    "Nanum Gothic", "Segoe UI", "Helvetica Neue", Arial, sans-serif;
  font-size: 9.5pt; line-height: 1.35; }
.sheet { width: 100%; max-width: 186mm; margin: 0 auto; }
.key { break-before: page; page-break-before: always; }
@media screen {
  body { background: #e8e8e8; padding: 8mm 0; }
  .sheet { background: #fff; padding: 12mm; max-width: 210mm; box-shadow: 0 1px 6px #0003; }
  .key { margin-top: 10mm; }
}
header.top { display: flex; justify-content: space-between; align-items: flex-end;
  border-bottom: 1.5pt solid #111; padding-bottom: 2mm; margin-bottom: 3mm; gap: 6mm; }
h1 { font-size: 15pt; margin: 0; line-height: 1.2; }
h2 { font-size: 10.5pt; margin: 3mm 0 1.5mm; }
.page-label { font-size: 8pt; color: #555; white-space: nowrap; }
.who { display: flex; gap: 6mm; margin: 0 0 3mm; font-size: 10pt; }
.who span { flex: 1; border-bottom: 0.8pt solid #111; padding-bottom: 1mm; }
.who span.narrow { flex: 0.5; }
ol.steps { margin: 0 0 2mm; padding-left: 6mm; }
ol.steps li { margin-bottom: 1mm; }
.row { display: flex; gap: 8mm; align-items: flex-start; flex-wrap: nowrap; }
.settings { border-collapse: collapse; font-size: 9pt; flex: 1 1 80mm; }
.row.top { flex-wrap: wrap; row-gap: 3mm; }
.kernels { display: flex; gap: 8mm; }
.settings th { text-align: left; font-weight: 600; padding: 0.8mm 3mm 0.8mm 0;
  white-space: nowrap; vertical-align: top; }
.settings td { padding: 0.8mm 0; }
.settings tr { border-bottom: 0.4pt solid #ccc; }
figure.fig { margin: 0; }
figcaption { font-weight: 600; font-size: 9pt; margin-bottom: 1.2mm; }
.grids { display: flex; gap: 8mm; align-items: flex-start; margin-top: 2mm; }
.grids.stacked { flex-direction: column; gap: 3mm; }
table.grid { border-collapse: collapse;
  font-family: "NanumGothicCoding", "DejaVu Sans Mono", Consolas, Menlo, monospace; }
table.grid td { width: var(--w); height: var(--c); min-width: var(--w); max-width: var(--w);
  font-size: var(--f); padding: 0; text-align: center; vertical-align: middle;
  border: 0.6pt solid #222; overflow: hidden; white-space: nowrap; }
table.grid td.pad { background: #e4e4e4; color: #555; border: 0.6pt dashed #777; }
table.grid td.blank { background: #fff; }
table.grid[data-grid="output"] td { border-width: 0.9pt; }
.legend { font-size: 8pt; color: #444; margin-top: 1mm; max-width: 120mm; }
.legend .swatch { display: inline-block; width: 3mm; height: 3mm; background: #e4e4e4;
  border: 0.6pt dashed #777; vertical-align: -0.5mm; margin-right: 1mm; }
.size .axis { margin-bottom: 1.5mm; }
.size .axis-name { font-weight: 600; }
.size .axis-name { display: inline-block; min-width: 14mm; }
.eq.sub { margin-left: 18mm; }
.eq { font-size: 10pt; margin: 0.8mm 0; }
span.blank { display: inline-block; min-width: 9mm; border-bottom: 0.8pt solid #111;
  height: 4.5mm; vertical-align: -1mm; }
span.fill { display: inline-block; min-width: 9mm; text-align: center; font-weight: 700;
  border-bottom: 0.8pt solid #111; }
.cc { font-size: 8pt; color: #444; margin-left: 18mm; }
.note { font-size: 8pt; color: #444; margin: 0.5mm 0 0; }
.key .row { margin-top: 3mm; }
.worked .op { font-size: 14pt; align-self: center; padding-top: 5mm; }
.worked .row { gap: 4mm; flex-wrap: wrap; }
.step-text { font-family: "NanumGothicCoding", "DejaVu Sans Mono", Consolas, Menlo, monospace;
  font-size: 9pt; overflow-wrap: anywhere; margin: 1.5mm 0 0; }
footer { margin-top: 3mm; font-size: 7.5pt; color: #777; border-top: 0.4pt solid #bbb;
  padding-top: 1mm; }
h2, figure, .size .axis, .worked { break-inside: avoid; }
"""


def _header(title: str, label: str) -> str:
    return (
        f'<header class="top"><h1>{_e(title)}</h1>'
        f'<div class="page-label">{_e(label)}</div></header>'
    )


def _task_page(sheet: _Sheet, layout: _Layout, lang: str, title: str) -> str:
    w = "worksheet."
    hp, wp = sheet.padded_shape
    oh, ow = sheet.output_shape
    who = (
        f'<div class="who"><span>{_e(translate(lang, w + "name"))}:</span>'
        f'<span class="narrow">{_e(translate(lang, w + "class"))}:</span>'
        f'<span class="narrow">{_e(translate(lang, w + "date"))}:</span></div>'
    )
    steps = "".join(f"<li>{_e(s)}</li>" for s in _steps(sheet, lang))
    kernels = _figure(
        translate(lang, w + "kernel"),
        _grid("kernel", sheet.kernel, sheet.kernel_shape, layout.cell_kernel),
    )
    if sheet.op == "convolve":
        kernels += _figure(
            translate(lang, w + "kernel_flipped"),
            _grid("kernel-flipped", None, sheet.kernel_shape, max(layout.cell_kernel, 6.0)),
        )
    legend = ""
    if any(map(any, sheet.mask)):
        legend = (
            f'<div class="legend"><span class="swatch"></span>'
            f"{_e(translate(lang, w + 'pad_legend', mode=_mode_text(sheet, lang)))}</div>"
        )
    grids = _figure(
        translate(lang, w + "input"),
        _grid("input", sheet.padded, (hp, wp), layout.cell_in, mask=sheet.mask) + legend,
    ) + _figure(
        translate(lang, w + "output_blank", rows=oh, cols=ow),
        _grid("output", None, (oh, ow), layout.cell_out),
    )
    arrangement = "grids" if layout.side_by_side else "grids stacked"
    return (
        '<section class="sheet task">'
        + _header(title, translate(lang, w + "page_task"))
        + who
        + f'<h2>{_e(translate(lang, w + "task"))}</h2><ol class="steps">{steps}</ol>'
        + f'<div class="row top">{_settings_table(sheet, lang)}'
        + f'<div class="kernels">{kernels}</div></div>'
        + f'<div class="{arrangement}">{grids}</div>'
        + _size_block(sheet, lang, filled=False)
        + "</section>"
    )


def _key_page(sheet: _Sheet, layout: _Layout, lang: str, title: str) -> str:
    w = "worksheet."
    oh, ow = sheet.output_shape
    ck = layout.cell_kernel
    parts = [
        '<section class="sheet key">',
        _header(translate(lang, w + "answer_title", title=title), translate(lang, w + "page_key")),
        f'<p class="note">{_e(translate(lang, w + "answer_note"))}</p>',
        _size_block(sheet, lang, filled=True),
    ]
    figures = _figure(
        translate(lang, w + "output_key", rows=oh, cols=ow),
        _grid("output", sheet.output, (oh, ow), layout.cell_key),
    )
    if sheet.op == "convolve":
        figures += _figure(
            translate(lang, w + "kernel_flipped_key"),
            _grid("kernel-flipped", sheet.applied, sheet.kernel_shape, max(ck, 6.0)),
        )
    parts.append(f'<div class="row">{figures}</div>')
    shape = sheet.kernel_shape
    cell = _worked_cell(sheet)
    with_products, _ = _worked_layout(sheet)
    sum_key = "worked_sum_no_bias" if sheet.bias is None else "worked_sum"
    grids = (
        _figure(translate(lang, w + "worked_window"), _grid("window", sheet.window, shape, cell))
        + '<div class="op">×</div>'
        + _figure(
            translate(lang, w + "worked_kernel"),
            _grid("kernel-applied", sheet.applied, shape, cell),
        )
    )
    if with_products:
        grids += '<div class="op">=</div>' + _figure(
            translate(lang, w + "worked_products"),
            _grid("products", sheet.products, shape, cell),
        )
    parts.append(
        '<div class="worked">'
        f"<h2>{_e(translate(lang, w + 'worked'))}</h2>"
        f'<div class="row">{grids}</div>'
        f'<p class="note">{_e(translate(lang, w + sum_key))}</p>'
        f'<p class="step-text" data-step="0">{_e(sheet.first_step_text)}</p>'
        "</div>"
    )
    parts.append(f"<footer>{_e(translate(lang, w + 'footer', title=title))}</footer></section>")
    return "".join(parts)


def worksheet_html(source: Any, *, lang: str, title: str | None = None) -> str:
    """A printable two-page worksheet (task, then answer key) as one HTML document.

    Parameters
    ----------
    source : dict, ConvTrace or TraceSettings
        The compact trace (``conv_core.to_compact``, schema v1) of one 2D
        correlation/convolution with one input and one output channel, or a trace or
        settings object it is computed from.
    lang : {'en', 'ko'}
        The sheet's language.
    title : str, optional
        The sheet's heading; default "Convolution worksheet" / "Cross-correlation
        worksheet" in ``lang``. Escaped like every other text.

    Returns
    -------
    str
        A self-contained HTML document (inline CSS, no scripts, no network).

    Raises
    ------
    WorksheetTooLarge
        The grids do not fit legibly (see :func:`too_large_reason`); the message is
        in ``lang``.
    ValueError
        ``source`` is not a single-channel 2D convolution trace.
    """
    sheet = _sheet(_compact(source))
    reason = _limit_reason(sheet, lang)
    if reason is not None:
        raise WorksheetTooLarge(reason)
    layout = _layout(sheet, lang)
    assert layout is not None  # _limit_reason checked it
    if title is None:
        title = translate(lang, f"worksheet.title_{sheet.op}")
    return (
        f'<!DOCTYPE html>\n<html lang="{_e(lang)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        + _task_page(sheet, layout, lang, title)
        + _key_page(sheet, layout, lang, title)
        + "</body></html>\n"
    )
