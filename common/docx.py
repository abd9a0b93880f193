"""Editable Word (.docx) copies of the portal's documents (issue #16 item 8), laid out like their
PDFs: A4, the same margins, fonts named as Chinese offices have them (仿宋_GB2312 for the body,
方正小标宋简体 for titles, 黑体 and 楷体_GB2312 for the two heading levels), with the open faces
of the PDFs as the fonts Word/WPS substitute when the office fonts are missing (``altName`` in
the font table), "— n —" page numbers, odd pages right and even pages left (GB/T 9704).

python-docx is imported lazily: only a download needs it.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Office name → the open face the PDF uses (Word/WPS fall back to it when the office font is
# not installed).
BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEI_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
SONG_FONT = "宋体"
FALLBACKS = {
    BODY_FONT: "FandolFang R",
    TITLE_FONT: "Noto Serif CJK SC",
    HEI_FONT: "Noto Sans CJK SC",
    KAI_FONT: "AR PL UKai CN",
    SONG_FONT: "Noto Serif CJK SC",
}
LATIN_FONT = "Times New Roman"


@dataclass(frozen=True)
class Layout:
    """Page and type of a document, in millimetres and points."""

    top: float = 37
    right: float = 26
    bottom: float = 35
    left: float = 28
    body_pt: float = 16
    line_pt: float = 28.9
    title_pt: float = 22
    footer_mm: float = 28  # distance of the page-number line from the paper's foot
    table_pt: float = 12


GBT9704 = Layout()
# The minutes and the record: the same type, a smaller line so tables and lists stay compact.
MEETING_PAPER = Layout(body_pt=16, line_pt=28)
SHEET = Layout(top=20, right=15, bottom=20, left=15, body_pt=10.5, line_pt=16, title_pt=18, footer_mm=10, table_pt=9)


def _set_fonts(run_or_style_font_element, east_asia: str, *, latin: str = LATIN_FONT) -> None:
    from docx.oxml.ns import qn

    rpr = run_or_style_font_element
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:hint"), "eastAsia")


def set_run_font(run, east_asia: str, *, size_pt: float | None = None, bold: bool | None = None, color=None) -> None:
    from docx.shared import Pt, RGBColor

    _set_fonts(run._element.get_or_add_rPr(), east_asia)
    if size_pt is not None:
        run.font.size = Pt(size_pt)
    if bold is not None:
        run.font.bold = bold
    if color is not None:
        run.font.color.rgb = RGBColor(*color)


class DocxDocument:
    """A thin builder over python-docx with the house layout; every document builder uses it."""

    def __init__(self, *, layout: Layout = GBT9704, title: str = "", running_header: str = "", mark: str = ""):
        import docx
        from docx.enum.text import WD_LINE_SPACING
        from docx.shared import Mm, Pt

        self.layout = layout
        self.doc = docx.Document()
        self.doc.core_properties.title = title
        self.doc.core_properties.language = "zh-CN"
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.right_margin = Mm(layout.top), Mm(layout.right)
        section.bottom_margin, section.left_margin = Mm(layout.bottom), Mm(layout.left)
        section.footer_distance = Mm(layout.footer_mm)
        section.header_distance = Mm(max(layout.top - 12, 8))
        styles = self.doc.styles
        normal = styles["Normal"]
        _set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
        normal.font.size = Pt(layout.body_pt)
        fmt = normal.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(layout.line_pt)
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.widow_control = True
        for name, font in (("Title", TITLE_FONT), ("Heading 1", HEI_FONT), ("Heading 2", KAI_FONT)):
            style = styles[name]
            _set_fonts(style.element.get_or_add_rPr(), font)
            style.font.size = Pt(layout.title_pt if name == "Title" else layout.body_pt)
            style.font.bold = False
            style.font.italic = False
            style.font.color.rgb = None
            pf = style.paragraph_format
            pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            pf.line_spacing = Pt(layout.line_pt if name != "Title" else layout.title_pt * 1.6)
            pf.space_before = pf.space_after = Pt(0)
            pf.keep_with_next = True
            # Word's Title style draws a blue rule under the paragraph: not in an official paper.
            pbdr = style.element.find(".//{http://schemas.openxmlformats.org/wordprocessingml/2006/main}pBdr")
            if pbdr is not None:
                pbdr.getparent().remove(pbdr)
        self._page_numbers(section)
        if running_header or mark:
            self._header(section, running_header, mark)
        self._font_table()

    # --- page furniture ---------------------------------------------------------------------

    def _field_paragraph(self, paragraph, align) -> None:
        """``— PAGE —`` in 4号 (14 pt) 宋体, one character (14 pt) in from the edge of the text block."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Pt

        paragraph.alignment = align
        fmt = paragraph.paragraph_format
        if align == 2:  # right
            fmt.right_indent = Pt(14)
        else:
            fmt.left_indent = Pt(14)
        for text, field in (("— ", None), (None, "PAGE"), (" —", None)):
            run = paragraph.add_run()
            set_run_font(run, SONG_FONT, size_pt=14)
            if text is not None:
                run.text = text
                continue
            begin = OxmlElement("w:fldChar")
            begin.set(qn("w:fldCharType"), "begin")
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {field} "
            end = OxmlElement("w:fldChar")
            end.set(qn("w:fldCharType"), "end")
            run._element.append(begin)
            run._element.append(instr)
            run._element.append(end)

    def _page_numbers(self, section) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        self.doc.settings.odd_and_even_pages_header_footer = True
        self._field_paragraph(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
        self._field_paragraph(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)

    def _header(self, section, text: str, mark: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        for header in (section.header, section.even_page_header):
            paragraph = header.paragraphs[0]
            if mark:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                set_run_font(paragraph.add_run(mark), HEI_FONT, size_pt=14, color=(0x99, 0x99, 0x99))
            if text:
                if mark:
                    paragraph = header.add_paragraph()
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                set_run_font(paragraph.add_run(text), SONG_FONT, size_pt=9)

    def _font_table(self) -> None:
        """Declare the office fonts with the open faces as their alternatives (WPS and Word use
        ``altName`` when the font itself is missing)."""
        for part in self.doc.part.package.iter_parts():
            if str(part.partname) != "/word/fontTable.xml":
                continue
            xml = part.blob.decode("utf-8")
            entries = "".join(
                f'<w:font w:name={quoteattr(name)}><w:altName w:val={quoteattr(alt)}/><w:charset w:val="86"/>'
                '<w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
                for name, alt in FALLBACKS.items()
            )
            part._blob = xml.replace("</w:fonts>", entries + "</w:fonts>").encode("utf-8")

    # --- content ------------------------------------------------------------------------------

    def title(self, text: str, *, color=None):
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        paragraph = self.doc.add_paragraph(style="Title")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for i, line in enumerate(text.split("\n")):
            run = paragraph.add_run(line)
            if color is not None:
                set_run_font(run, TITLE_FONT, color=color)
            if i < text.count("\n"):
                run.add_break()
        return paragraph

    def heading(self, text: str, *, level: int = 1):
        return self.doc.add_paragraph(text, style="Heading 1" if level == 1 else "Heading 2")

    def paragraph(
        self,
        text: str = "",
        *,
        indent: bool = True,
        align: str = "justify",
        font: str | None = None,
        size_pt: float | None = None,
        bold: bool | None = None,
        color=None,
        label: str = "",
    ):
        """A body paragraph; ``label`` is a lead-in in 黑体 (出席：…)."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        paragraph = self.doc.add_paragraph()
        paragraph.alignment = {
            "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
            "left": WD_ALIGN_PARAGRAPH.LEFT,
        }[align]
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(2 * (size_pt or self.layout.body_pt))
        if label:
            set_run_font(paragraph.add_run(label), HEI_FONT, size_pt=size_pt)
        if text:
            run = paragraph.add_run(text)
            if font or size_pt or bold is not None or color is not None:
                set_run_font(run, font or BODY_FONT, size_pt=size_pt, bold=bold, color=color)
        return paragraph

    def rule(self, *, color: str = "C00000", size: int = 12):
        """A horizontal rule (the red line under a masthead, the lines of 版记)."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Pt

        paragraph = self.doc.add_paragraph()
        paragraph.paragraph_format.line_spacing = Pt(6)
        ppr = paragraph._element.get_or_add_pPr()
        border = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"), ("w:color", color)):
            bottom.set(qn(key), value)
        border.append(bottom)
        ppr.append(border)
        return paragraph

    def table(
        self, headers: list[str] | None, rows: list[list[str]], widths_mm: list[float | None], *, caption: str = ""
    ):
        """A bordered table with fixed column widths (``None`` takes what is left of the text
        block), a header row repeated on every page and rows that do not split."""
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Mm, Pt

        if caption:
            cap = self.paragraph(caption, indent=False, align="center", font=HEI_FONT, size_pt=self.layout.table_pt)
            cap.paragraph_format.keep_with_next = True
        text_width = 210 - self.layout.left - self.layout.right
        fixed = sum(w for w in widths_mm if w)
        free = [w for w in widths_mm if not w]
        rest = (text_width - fixed) / len(free) if free else 0
        widths = [Mm(w or rest) for w in widths_mm]
        table = self.doc.add_table(rows=1 if headers else 0, cols=len(widths))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        tbl_pr = table._tbl.tblPr
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        tbl_pr.append(layout)

        def fill(row, values, *, header=False):
            tr_pr = row._tr.get_or_add_trPr()
            cant = OxmlElement("w:cantSplit")
            tr_pr.append(cant)
            if header:
                repeat = OxmlElement("w:tblHeader")
                tr_pr.append(repeat)
            for cell, value, width in zip(row.cells, values, widths, strict=True):
                cell.width = width
                paragraph = cell.paragraphs[0]
                paragraph.paragraph_format.first_line_indent = Pt(0)
                paragraph.paragraph_format.line_spacing = Pt(self.layout.table_pt * 1.45)
                if header:
                    paragraph.alignment = 1
                    paragraph.paragraph_format.keep_with_next = True
                set_run_font(
                    paragraph.add_run(str(value)), HEI_FONT if header else BODY_FONT, size_pt=self.layout.table_pt
                )

        if headers:
            fill(table.rows[0], headers, header=True)
        for values in rows:
            fill(table.add_row(), values)
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        return table

    def page_break(self) -> None:
        self.doc.add_page_break()

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def docx_response(content: bytes, filename: str):
    """A generated .docx with a (Chinese) file name encoded as RFC 6266 asks."""
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# --- an HTML report as a Word copy --------------------------------------------------------------

# Elements the PDFs hide or draw elsewhere (watermark, running header, scorer guidance).
SKIP_CLASSES = {"mark", "running", "noprint", "docx-skip", "guidance", "suggestion"}
_MM_WIDTH = re.compile(r"width:\s*([\d.]+)mm")


def _text(element) -> str:
    """The element's text with <br> as a line break and runs of white space collapsed."""
    parts = []

    def walk(node):
        if node.tag == "br":
            parts.append("\n")
        elif node.text:
            parts.append(node.text)
        for child in node:
            if not isinstance(child.tag, str) or set((child.get("class") or "").split()) & SKIP_CLASSES:
                if child.tail:  # a comment, or what the PDF does not print either
                    parts.append(child.tail)
                continue
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(element)
    text = "".join(parts)
    return "\n".join(re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")).strip()


def _classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def _widths(table) -> list[float | None]:
    cols = table.xpath("./colgroup/col")
    cells = cols or (table.xpath("./thead/tr[1]/th") or table.xpath(".//tr[1]/*"))
    widths = []
    for cell in cells:
        match = _MM_WIDTH.search(cell.get("style") or "")
        widths.append(float(match.group(1)) if match else None)
        widths.extend([None] * (int(cell.get("colspan") or 1) - 1))
    return widths


def html_to_docx(html: str, *, layout: Layout = GBT9704, title: str = "", running_header: str = "", mark: str = ""):
    """A Word copy of one of our report templates (templates/reports/*.html), built from the
    same rendered HTML as the PDF so the two say the same thing. It knows the few elements the
    report templates use: the title (h1), two heading levels (h2, h3), paragraphs (with the
    classes caption, sign, subtitle, plain, note), tables, rules; charts (svg) are left to the PDF
    and named by their caption. Tables and figures are numbered 表n / 图n in order, as the
    PDF's CSS counters do."""
    import lxml.html

    out = DocxDocument(layout=layout, title=title, running_header=running_header, mark=mark)
    root = lxml.html.document_fromstring(html)
    body = root.find("body")
    counters = {"table": 0, "figure": 0}

    def visit(node):
        for child in node:
            if not isinstance(child.tag, str):
                continue
            classes = _classes(child)
            if classes & SKIP_CLASSES:
                continue
            tag = child.tag
            if tag == "h1":
                out.title(_text(child))
            elif tag in ("h2", "h3"):
                out.heading(_text(child), level=1 if tag == "h2" else 2)
            elif tag == "p" or (tag == "div" and not len(child)):
                text = _text(child)
                if "caption" in classes:
                    key = "figure" if "figure" in classes else "table"
                    counters[key] += 1
                    label = ("图" if key == "figure" else "表") + str(counters[key]) + "\u3000"
                    paragraph = out.paragraph(
                        label + text, indent=False, align="center", font=HEI_FONT, size_pt=layout.table_pt
                    )
                    paragraph.paragraph_format.keep_with_next = key == "table"
                elif classes & {"sign", "sign-date", "printed"}:
                    out.paragraph(text, indent=False, align="right")
                elif classes & {"subtitle", "issue", "masthead"}:
                    out.paragraph(text, indent=False, align="center")
                elif classes & {"plain", "note", "small", "mark-tag"}:
                    out.paragraph(
                        text, indent=False, align="left", size_pt=layout.table_pt if "note" in classes else None
                    )
                else:
                    lead = child.find("span")
                    if lead is not None and "lead" in _classes(lead):
                        label = _text(lead)
                        out.paragraph(text[len(label) :].lstrip(), label=label)
                    else:
                        out.paragraph(text)
            elif tag == "table":
                rows = child.xpath("./thead/tr | ./tbody/tr | ./tfoot/tr | ./tr")
                if not rows:
                    continue
                first = rows[0].xpath("./th | ./td")
                header = rows[0] if first and all(c.tag == "th" for c in first) else None
                width = len(rows[0].xpath("./th | ./td"))
                body_rows = []
                for tr in rows[1:] if header is not None else rows:
                    cells = [_text(c) for c in tr.xpath("./th | ./td")]
                    body_rows.append((cells + [""] * width)[:width])
                headers = [_text(c) for c in header.xpath("./th")] if header is not None else None
                widths = (_widths(child) + [None] * width)[:width]
                out.table(headers, body_rows, widths)
            elif tag == "hr":
                out.rule()
            elif tag == "svg":
                continue
            else:
                visit(child)

    visit(body)
    return out
