"""The annual report as a Word document (python-docx), for the coordinator's office to edit before sending it.

It writes the shared layout (`annual_layout`) — the same numbers and sentences as the PDF — as a real
document: Word's own heading styles (so the navigation pane lists the sections and areas), tables whose
first row is a header row repeated on every page, page numbers in the footer, the document's language set
on its styles (so spelling and hyphenation follow Azerbaijani or Russian), and a font that carries every
Azerbaijani and Cyrillic letter (Arial; LibreOffice reads it as the metric-compatible Liberation Sans).
"""

import io
import re
from datetime import datetime

from django.utils.text import slugify
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from reporting.documents.annual import AnnualReport
from reporting.documents.annual_layout import Table, annual_filename_parts, annual_layout
from reporting.rendering import RenderedReport

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "Arial"
# The language tags Word and LibreOffice know for each of the report's languages.
WORD_LANGUAGES = {"en": "en-GB", "az": "az-Latn-AZ", "ru": "ru-RU"}
BLUE = RGBColor(0x1D, 0x4E, 0x89)
GREY = RGBColor(0x5B, 0x67, 0x76)
RED = RGBColor(0xB4, 0x23, 0x18)
HEADER_FILL = "DFE4EA"
# Characters XML 1.0 cannot hold (a pasted control character in an account must not fail the report).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text) -> str:
    return NOT_XML.sub("", str(text))


def render_annual_docx(report: AnnualReport, *, generated_at: datetime) -> RenderedReport:
    layout = annual_layout(report, generated_at=generated_at)
    document = Document()
    _set_up(document, layout)
    _cover(document, layout)
    _heading(document, layout["headings"]["summary"], 1, page_break=True)
    for paragraph in layout["summary_paragraphs"]:
        document.add_paragraph(clean(paragraph))
    for table in layout["summary_tables"]:
        _table(document, table)
    _heading(document, layout["headings"]["areas"], 1, page_break=True)
    for block in layout["area_blocks"]:
        _heading(document, block.heading, 2)
        _note(document, block.meta)
        if block.area.is_illustrative:
            _note(document, _("illustrative title"))
        for table in block.tables:
            _table(document, table, level=3)
        if not block.tables:
            _note(document, block.empty)
    _heading(document, layout["headings"]["bodies"], 1, page_break=True)
    document.add_paragraph(clean(layout["bodies_lead"]))
    for table in layout["body_tables"]:
        _table(document, table)
    _heading(document, layout["headings"]["recommendations"], 1, page_break=True)
    document.add_paragraph(clean(layout["coverage_lead"]))
    for table in layout["coverage_tables"]:
        _table(document, table)
    if not layout["coverage_tables"]:
        _note(document, _("No recommendation source is recorded for this year."))
    out = io.BytesIO()
    document.save(out)
    filename = slugify("-".join(annual_filename_parts(report))) + ".docx"
    return RenderedReport(filename, CONTENT_TYPE, out.getvalue())


# --- The document's frame: page, styles, language, header and footer ------------------------------


def _set_up(document, layout):
    language = WORD_LANGUAGES.get(layout["language_code"], "en-GB")
    properties = document.core_properties
    properties.title = clean(layout["title"])
    properties.subject = clean(layout["edition"].title)
    properties.author = clean(layout["issuer_name"])
    properties.language = language
    properties.created = layout["generated_at"]

    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    # The cover has no running header or footer.
    section.different_first_page_header_footer = True

    styles = document.styles
    # The defaults every style inherits: the font for Latin, Cyrillic and complex scripts, and the language.
    defaults = styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts_and_language(run_defaults, language)
    for name in ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Table Grid"):
        _fonts_and_language(styles[name].element.get_or_add_rPr(), language)
    # Every other style the office may pick while editing (Heading 4, Quote…) names the font too.
    for fonts in styles.element.iter(qn("w:rFonts")):
        _named_font(fonts)
    styles["Normal"].font.size = Pt(10)
    for name, size in (("Title", 22), ("Heading 1", 16), ("Heading 2", 13), ("Heading 3", 11)):
        styles[name].font.size = Pt(size)
        styles[name].font.color.rgb = BLUE

    running = layout["title"]
    if layout["restricted_notice"]:
        running = f"{_('RESTRICTED')} · {running}"
    header = section.header.paragraphs[0]
    header.text = clean(f"{layout['edition'].code} · {running}")
    _small(header, GREY)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer.add_run(clean(layout["issuer_name"]) + " · " + _("Page") + " ")
    _field(footer, "PAGE")
    footer.add_run(" / ")
    _field(footer, "NUMPAGES")
    _small(footer, GREY)


def _fonts_and_language(rpr, language: str):
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    _named_font(fonts)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), language)
    lang.set(qn("w:bidi"), language)
    lang.set(qn("w:eastAsia"), language)


def _named_font(fonts):
    for attribute in list(fonts.attrib):
        if attribute.lower().endswith("theme"):
            # A theme font (Calibri Light for headings) would win over the named one.
            del fonts.attrib[attribute]
    for script in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(script), FONT)


def _field(paragraph, instruction: str):
    """A field Word computes when it lays out the page (PAGE, NUMPAGES)."""
    run = paragraph.add_run()
    begin, text, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    end.set(qn("w:fldCharType"), "end")
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = "1"
    for element in (begin, text, separate, shown, end):
        run._r.append(element)


def _small(paragraph, color):
    for run in paragraph.runs:
        run.font.size = Pt(8)
        run.font.color.rgb = color


# --- Content ------------------------------------------------------------------------------------------


def _cover(document, layout):
    if layout["restricted_notice"]:
        banner = document.add_paragraph()
        run = banner.add_run(clean(f"{_('RESTRICTED')} — {layout['restricted_notice']}"))
        run.bold = True
        run.font.color.rgb = RED
    issuer = document.add_paragraph()
    run = issuer.add_run(clean(layout["issuer_name"]))
    run.bold = True
    run.font.size = Pt(12)
    kicker = document.add_paragraph()
    run = kicker.add_run(clean(f"{layout['edition'].code} · {layout['edition'].period_label}"))
    run.font.color.rgb = BLUE
    run.bold = True
    document.add_paragraph(clean(layout["title"]), style="Title")
    document.add_paragraph(clean(layout["edition"].title), style="Subtitle")
    facts = document.add_table(rows=0, cols=2)
    facts.style = document.styles["Table Grid"]
    for label, value in layout["cover_facts"]:
        cells = facts.add_row().cells
        cells[0].text, cells[1].text = clean(label), clean(value)
        cells[1].paragraphs[0].runs[0].bold = True
        cells[0].width, cells[1].width = Cm(6), Cm(11)
    document.add_paragraph()
    _note(document, layout["method_note"])


def _heading(document, text: str, level: int, *, page_break: bool = False):
    if page_break:
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    return document.add_heading(clean(text), level=level)


def _note(document, text: str):
    paragraph = document.add_paragraph()
    run = paragraph.add_run(clean(text))
    run.italic = True
    run.font.color.rgb = GREY
    run.font.size = Pt(9)
    return paragraph


def _table(document, table: Table, *, level: int = 2):
    _heading(document, table.caption, level)
    grid = document.add_table(rows=1, cols=len(table.header))
    grid.style = document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    text_width = 17.0  # cm between the margins
    widths = [Cm(text_width * share / sum(table.widths)) for share in table.widths]
    header = grid.rows[0]
    _repeat_as_header(header)
    for index, (heading, cell) in enumerate(zip(table.header, header.cells, strict=True)):
        cell.width = widths[index]
        paragraph = cell.paragraphs[0]
        run = paragraph.add_run(clean(heading))
        run.bold = True
        run.font.size = Pt(8.5)
        if table.is_numeric(index):
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _shade(cell, HEADER_FILL)
    for row in table.rows:
        cells = grid.add_row().cells
        for index, (lines, cell) in enumerate(zip(row, cells, strict=True)):
            cell.width = widths[index]
            for number, line in enumerate(lines):
                paragraph = cell.paragraphs[0] if number == 0 else cell.add_paragraph()
                if table.is_numeric(index):
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                run = paragraph.add_run(clean(line.text))
                run.font.size = Pt(8.5)
                if line.style == "strong":
                    run.bold = True
                elif line.style == "muted":
                    run.font.color.rgb = GREY
                elif line.style == "restricted":
                    run.bold = True
                    run.font.color.rgb = RED
    document.add_paragraph()


def _repeat_as_header(row):
    """Mark the row as the table's header: Word repeats it on every page, screen readers announce it."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _shade(cell, fill: str):
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)
