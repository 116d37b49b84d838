"""The register workbook writer of the demo and the city-scale generator, vectorised.

xlsxwriter costs ~200 µs per register row (one Python call per cell). This writer lays out title
rows merged across the table, a one- or two-row header with merged cells, blank and totals rows,
date cells with a date format, a notes sheet first and a stats sheet last, and builds the data rows'
sheet XML with polars string expressions (inline strings, no shared-strings table), zipping it
itself, byte-deterministically.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

import polars as pl

from demo import vocab
from demo.registers import Rendered
from demo.writers import ADDRESS

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
TITLE, HEADER, DATE = 1, 2, 3  # cellXfs indexes in STYLES
STYLES = (
    f'{HEAD}<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/>'
    '</numFmts><fonts count="3"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border><left style="thin">'
    '<color auto="1"/></left><right style="thin"><color auto="1"/></right><top style="thin"><color auto="1"/></top>'
    '<bottom style="thin"><color auto="1"/></bottom><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="4">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment horizontal="center"/></xf>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" applyAlignment="1">'
    '<alignment horizontal="center" vertical="center"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def letter(index: int) -> str:
    """0-based column index -> Excel column letters."""
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(65 + rest) + text
    return text


def _cell(ref: str, value: object, style: int = 0) -> str:
    s = f' s="{style}"' if style else ""
    if value is None:
        return f'<c r="{ref}"{s}/>'
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c r="{ref}"{s}><v>{value}</v></c>'
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def _row(number: int, cells: list[str]) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


def _escaped(column: pl.Expr) -> pl.Expr:
    return column.str.replace_all("&", "&amp;", literal=True).str.replace_all("<", "&lt;", literal=True).str.replace_all(
        ">", "&gt;", literal=True)


def _data_rows(rendered: Rendered) -> bytes:
    """Every data row's XML in one polars pass (cells left out where a value is empty), one row per line."""
    if not rendered.data_rows:
        return b""
    series = {"_r": pl.Series(rendered.data_row_numbers, dtype=pl.Int64).cast(pl.String)}
    cells = []
    for i, name in enumerate(rendered.columns):
        kind, col = rendered.kinds[name], pl.col(f"c{i}")
        series[f"c{i}"] = pl.Series(rendered.values[name], dtype=pl.String if kind == "text" else pl.Int64, strict=False)
        if kind == "text":
            spaced = col.str.contains(r"^\s|\s$")
            opening = pl.when(spaced).then(pl.lit('" t="inlineStr"><is><t xml:space="preserve">')).otherwise(
                pl.lit('" t="inlineStr"><is><t>'))
            parts = [opening, _escaped(col), pl.lit("</t></is></c>")]
        else:
            parts = [pl.lit(f'" s="{DATE}"><v>' if kind == "date" else '"><v>'), col.cast(pl.String), pl.lit("</v></c>")]
        cells.append(pl.concat_str([pl.lit(f'<c r="{letter(i)}'), pl.col("_r"), *parts]).fill_null(""))
    line = pl.concat_str([pl.lit('<row r="'), pl.col("_r"), pl.lit('">'), *cells, pl.lit("</row>")])
    buffer = io.BytesIO()
    pl.DataFrame(series).select(line).write_csv(buffer, include_header=False, quote_style="never")
    return buffer.getvalue()


def _sheet(rows: bytes, last_row: int, ncol: int, merges: list[str], width: float | None = None) -> bytes:
    cols = f'<cols><col min="1" max="{ncol}" width="{width}" customWidth="1"/></cols>' if width else ""
    cells = "".join(f'<mergeCell ref="{m}"/>' for m in merges)
    merged = f'<mergeCells count="{len(merges)}">{cells}</mergeCells>' if merges else ""
    head = (f'{HEAD}<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><dimension ref="A1:{letter(max(ncol, 1) - 1)}{max(last_row, 1)}"/>'
            f'<sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/>{cols}<sheetData>')
    tail = (f'</sheetData>{merged}<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            '</worksheet>')
    return b"".join([head.encode(), rows, tail.encode()])


def _register_sheet(rendered: Rendered, titles: list[str], totals: str | None) -> bytes:
    cols, ncol = rendered.columns, len(rendered.columns)
    last = letter(ncol - 1)
    rows, merges = [], []
    for i in range(rendered.title_rows):
        cells = [_cell(f"A{i + 1}", titles[i], TITLE)] + [_cell(f"{letter(j)}{i + 1}", None, TITLE) for j in range(1, ncol)]
        rows.append(_row(i + 1, cells))
        merges.append(f"A{i + 1}:{last}{i + 1}")
    top = rendered.title_rows + 1
    if rendered.header_rows == 2:
        address = [i for i, c in enumerate(cols) if c in ADDRESS]
        upper = [_cell(f"{letter(i)}{top}", vocab.ADDRESS_GROUP if i == address[0] else (None if i in address else h), HEADER)
                 for i, h in enumerate(rendered.headers)]
        lower = [_cell(f"{letter(i)}{top + 1}", h if i in address else None, HEADER) for i, h in enumerate(rendered.headers)]
        rows += [_row(top, upper), _row(top + 1, lower)]
        merges += [f"{letter(i)}{top}:{letter(i)}{top + 1}" for i in range(ncol) if i not in address]
        merges.append(f"{letter(address[0])}{top}:{letter(address[-1])}{top}")
    else:
        rows.append(_row(top, [_cell(f"{letter(i)}{top}", h, HEADER) for i, h in enumerate(rendered.headers)]))
    last_row = max([top + rendered.header_rows - 1, *rendered.data_row_numbers[-1:]])
    after = ""
    if rendered.totals_row_number is not None:
        n = rendered.totals_row_number
        value = rendered.data_rows if totals == "count" else f"共{rendered.data_rows}人"
        after, last_row = _row(n, [_cell(f"A{n}", "合计"), _cell(f"B{n}", value)]), n
    body = b"".join(["".join(rows).encode(), _data_rows(rendered), after.encode()])
    return _sheet(body, last_row, ncol, merges, width=12.7109375)


def _plain_sheet(lines: list[list]) -> bytes:
    rows = [_row(r + 1, [_cell(f"{letter(i)}{r + 1}", v) for i, v in enumerate(values)]) for r, values in enumerate(lines)]
    return _sheet("".join(rows).encode(), len(lines), max((len(v) for v in lines), default=1), [])


def write_register_xlsx_fast(
    path: Path, rendered: Rendered, *, sheet_name: str, titles: list[str], created: datetime,
    notes_sheet: bool = False, stats: list[list] | None = None, totals: str | None = None,
    company: str = vocab.STREET_CENTRE,
) -> None:
    """A register workbook at `path` laid out as `rendered` says (row numbers included)."""
    sheets = []
    if notes_sheet:
        sheets.append(("填表说明", _plain_sheet([[line] for line in vocab.NOTES_LINES])))
    sheets.append((sheet_name, _register_sheet(rendered, titles, totals)))
    if stats:
        sheets.append(("统计", _plain_sheet(stats)))
    write_workbook(path, sheets, created, company)


def write_workbook(path: Path, sheets: list[tuple[str, bytes]], created: datetime, company: str) -> None:
    """Zip worksheets (name, sheet XML) into an xlsx package; fixed zip times keep the bytes deterministic."""
    n = len(sheets)
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                        f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, n + 1))
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    parts = {
        "[Content_Types].xml": (
            f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f'{overrides}<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>'),
        "_rels/.rels": (
            f'{HEAD}<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{PKG}/metadata/core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{REL}/extended-properties" Target="docProps/app.xml"/></Relationships>'),
        "docProps/app.xml": (
            f'{HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            f'<Application>Microsoft Excel</Application><Company>{escape(company)}</Company></Properties>'),
        "docProps/core.xml": (
            f'{HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>'),
        "xl/workbook.xml": (
            f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><bookViews><workbookView/></bookViews><sheets>'
            + "".join(f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, (name, _) in enumerate(sheets, 1))
            + "</sheets></workbook>"),
        "xl/_rels/workbook.xml.rels": (
            f'{HEAD}<Relationships xmlns="{PKG}">'
            + "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1))
            + f'<Relationship Id="rId{n + 1}" Type="{REL}/styles" Target="styles.xml"/></Relationships>'),
        "xl/styles.xml": STYLES,
        **{f"xl/worksheets/sheet{i}.xml": xml for i, (_, xml) in enumerate(sheets, 1)},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text if isinstance(text, bytes) else text.encode("utf-8"), compresslevel=1)
