"""Helpers of the document tests (issue #16): where the text of a PDF sits (poppler's
``pdftotext -bbox-layout``), and the text and styles of a .docx (python-docx)."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest

MM = 72 / 25.4  # points per millimetre
NS = {"h": "http://www.w3.org/1999/xhtml"}

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed")


@dataclass
class TextLine:
    page: int  # 1-based
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    page_width: float
    page_height: float


def pdf_lines(pdf: bytes) -> list[TextLine]:
    """Every text line of the PDF with its box in points (origin top left)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        out = subprocess.run(
            ["pdftotext", "-bbox-layout", handle.name, "-"], capture_output=True, text=True, check=True
        ).stdout
    root = ET.fromstring(out)  # noqa: S314 -- our own PDF, read by poppler in a test
    lines = []
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), start=1):
        width, height = float(page.get("width")), float(page.get("height"))
        for line in page.iter("{http://www.w3.org/1999/xhtml}line"):
            words = [w.text or "" for w in line.iter("{http://www.w3.org/1999/xhtml}word")]
            lines.append(
                TextLine(
                    number,
                    " ".join(words),
                    float(line.get("xMin")),
                    float(line.get("yMin")),
                    float(line.get("xMax")),
                    float(line.get("yMax")),
                    width,
                    height,
                )
            )
    return lines


def pdf_text(pdf: bytes) -> str:
    return "\n".join(line.text for line in pdf_lines(pdf))


def page_numbers(pdf: bytes) -> list[TextLine]:
    """The "— n —" lines, one per page."""
    return [line for line in pdf_lines(pdf) if line.text.startswith("—") and line.text.endswith("—")]


def docx_open(content: bytes):
    import docx

    return docx.Document(io.BytesIO(content))


def docx_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def east_asia_font(style_or_run) -> str:
    from docx.oxml.ns import qn

    element = style_or_run.element if hasattr(style_or_run, "element") else style_or_run._element
    rpr = element.find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else ""
