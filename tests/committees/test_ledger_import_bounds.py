"""Issue #14 §2–§3: the ledger import is bounded and loses nothing silently.

The files here are crafted the way an attacker (or a broken exporter) would: a declared
``<dimension>`` of the whole sheet, a wrong one smaller than the data, a row a million rows
down, a zip that unpacks a thousand times its size, an over-long cell, a formula. Each is
either read whole and right, or refused with a Chinese message before it costs anything —
and a refusal saves nothing.
"""

import io
import re
import time
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from committees import ledger_io
from committees.models import Unit
from common import xlsx

from .test_ledger_io import HEADERS, row

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"


def book_bytes(rows, headers=HEADERS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite(content: bytes, change, extra: dict[str, bytes] | None = None) -> bytes:
    """The same .xlsx with the first sheet's XML passed through ``change`` (and extra parts)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == SHEET:
                data = change(data)
            target.writestr(item.filename, data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def with_dimension(ref: str):
    return lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), xml)


def upload(content: bytes, name="台账.xlsx"):
    return SimpleUploadedFile(name, content)


def do_import(world, user, content):
    return ledger_io.units_import(actor=user, community=world.mine.community, file=upload(content))


def refused(world, user, content) -> str:
    before = Unit.objects.count()
    with pytest.raises(ValidationError) as exc:
        do_import(world, user, content)
    assert Unit.objects.count() == before  # nothing saved
    return " ".join(exc.value.messages)


# --- §3 no silent loss ------------------------------------------------------------------------


def test_rows_past_a_wrong_declared_dimension_are_read(world, township_user):
    names = [f"单位{i}" for i in range(1, 6)]
    content = rewrite(book_bytes([row(n) for n in names]), with_dimension("A1:C2"))
    result = do_import(world, township_user, content)
    assert result.ok and result.created == 5
    assert set(
        Unit.objects.filter(community=world.mine.community, name__in=names).values_list("name", flat=True)
    ) == set(names)


def test_a_formula_cell_is_reported_as_a_formula_not_as_missing(world, township_user):
    content = book_bytes([row("县第二中学"), ['=A2&"分校"', "=B2", *row("x")[2:]]])
    before = Unit.objects.count()
    result = do_import(world, township_user, content)
    assert not result.ok
    texts = [str(e) for e in result.errors]
    assert "第 3 行「单位名称」：单元格为公式，请粘贴为数值。" in texts
    assert "第 3 行「单位类型」：单元格为公式，请粘贴为数值。" in texts
    assert not any("必填" in t for t in texts)
    assert Unit.objects.count() == before


def test_a_text_that_looks_like_a_formula_is_imported_as_text(world, township_user):
    """A cell typed as text (what the portal's own export writes) is not a formula."""
    book = openpyxl.Workbook()
    xlsx.append(book.active, HEADERS)
    xlsx.append(book.active, row('=HYPERLINK("x")'))
    buffer = io.BytesIO()
    book.save(buffer)
    result = do_import(world, township_user, buffer.getvalue())
    assert result.ok and result.created == 1
    assert Unit.objects.filter(name='=HYPERLINK("x")').exists()


# --- §2 bounds --------------------------------------------------------------------------------


def test_a_small_file_declaring_the_whole_sheet_is_read_at_once(world, township_user):
    """5 KB declaring A1:XFD1048576 (16,384 columns × 1,048,576 rows): read as the 2 rows it
    holds, well under a second and a few MB (it used to walk the declared size)."""
    content = rewrite(book_bytes([row("县第二中学"), row("县第三中学")]), with_dimension("A1:XFD1048576"))
    assert len(content) < 8 * 1024
    tracemalloc.start()
    started = time.perf_counter()
    result = do_import(world, township_user, content)
    elapsed = time.perf_counter() - started
    _size, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.ok and result.created == 2
    assert elapsed < 1.0
    assert peak < 20 * 1024 * 1024


def test_a_row_a_million_rows_down_is_refused_without_walking_there(world, township_user):
    far = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    content = rewrite(book_bytes([row("县第二中学")]), lambda xml: xml.replace(b"</sheetData>", far))
    started = time.perf_counter()
    message = refused(world, township_user, content)
    assert time.perf_counter() - started < 3.0  # 10,000 rows: ~0.3 s on a busy machine; 1,048,576 would be ~100×
    assert "工作表超过 10000 行" in message and "第 10001 行" in message


def test_blank_rows_in_between_are_fine(world, township_user):
    gap = (
        '<row r="900"><c r="A900" t="inlineStr"><is><t>县第九中学</t></is></c>'
        '<c r="B900" t="inlineStr"><is><t>企业</t></is></c></row></sheetData>'
    ).encode()
    content = rewrite(book_bytes([row("县第二中学")]), lambda xml: xml.replace(b"</sheetData>", gap))
    result = do_import(world, township_user, content)
    assert result.ok and result.created == 2


def test_more_data_rows_than_the_limit_are_refused(world, township_user, monkeypatch):
    monkeypatch.setattr(ledger_io, "MAX_ROWS", 3)
    content = book_bytes([row(f"单位{i}") for i in range(4)])
    assert "一次最多导入 3 行" in refused(world, township_user, content)


def test_a_row_with_16384_cells_is_read_up_to_the_ledger_columns(world, township_user):
    wide = b'<c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    content = rewrite(book_bytes([row("县第二中学")]), lambda xml: xml.replace(b"</row></sheetData>", wide))
    result = do_import(world, township_user, content)
    assert result.ok and result.created == 1


def test_an_over_long_cell_refuses_the_file(world, township_user):
    content = book_bytes([row("县第二中学", address="路" * 5000)])
    message = refused(world, township_user, content)
    assert "第 2 行「地址」的内容超过 1000 个字" in message


def test_a_zip_that_unpacks_far_beyond_its_size_is_refused_unopened(world, township_user):
    """A 40 MB sheet part packs to ~40 KB: refused from the zip's directory alone."""
    padding = b"<!--" + b" " * (40 * 1024 * 1024) + b"-->"
    content = rewrite(
        book_bytes([row("县第二中学")]), lambda xml: xml.replace(b"<sheetData>", padding + b"<sheetData>")
    )
    assert len(content) < 200 * 1024
    tracemalloc.start()
    message = refused(world, township_user, content)
    _size, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "解压后的内容过大" in message
    assert peak < 5 * 1024 * 1024


def test_too_many_zip_entries_are_refused(world, township_user):
    extra = {f"xl/media/image{i}.png": b"x" for i in range(xlsx.MAX_ENTRIES + 1)}
    content = rewrite(book_bytes([row("县第二中学")]), lambda xml: xml, extra)
    assert "解压后的内容过大" in refused(world, township_user, content)


def lie_about_size(content: bytes, name: str, size: int) -> bytes:
    """``content`` with the declared unpacked size of part ``name`` set to ``size``, in both the
    part's local header and the central directory."""
    data, encoded = bytearray(content), name.encode()
    for signature, name_len_at, name_at, size_at in ((b"PK\x03\x04", 26, 30, 22), (b"PK\x01\x02", 28, 46, 24)):
        for match in re.finditer(re.escape(signature), data):
            start = match.start()
            length = int.from_bytes(data[start + name_len_at : start + name_len_at + 2], "little")
            if bytes(data[start + name_at : start + name_at + length]) == encoded:
                data[start + size_at : start + size_at + 4] = size.to_bytes(4, "little")
    return bytes(data)


def test_a_part_lying_about_its_size_is_a_damaged_file(world, township_user):
    """The directory says the sheet is 10 bytes; Python's zip reader stops there and the
    checksum fails, so a lie about the size cannot get past the check."""
    content = lie_about_size(book_bytes([row("县第二中学")]), SHEET, 10)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.getinfo(SHEET).file_size == 10
    assert "无法读取" in refused(world, township_user, content)


def test_an_upload_over_the_size_limit_is_refused_before_opening(world, township_user, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    content = book_bytes([row(f"单位{i}") for i in range(50)])
    assert len(content) > 1024
    assert "文件过大" in refused(world, township_user, content)


def test_a_row_with_more_cells_than_excel_allows_is_refused(world, township_user):
    """Cells without a reference keep counting along the row: openpyxl would hold them all."""
    many = b"<c><v>1</v></c>" * (xlsx.MAX_ROW_CELLS + 1) + b"</row></sheetData>"
    content = rewrite(book_bytes([row("县第二中学")]), lambda xml: xml.replace(b"</row></sheetData>", many))
    assert "解压后的内容过大" in refused(world, township_user, content)


def test_more_cells_or_shared_strings_than_the_limits_are_refused(world, township_user, monkeypatch):
    content = book_bytes([row(f"单位{i}") for i in range(10)])
    monkeypatch.setattr(xlsx, "MAX_CELLS", 100)
    assert "解压后的内容过大" in refused(world, township_user, content)
    monkeypatch.setattr(xlsx, "MAX_CELLS", 10_000)
    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + b"<si><t>a</t></si>" * 11
    monkeypatch.setattr(xlsx, "MAX_STRINGS", 10)
    content = rewrite(content, lambda xml: xml, {"xl/sharedStrings.xml": strings + b"</sst>"})
    assert "解压后的内容过大" in refused(world, township_user, content)


def test_an_xml_entity_bomb_is_refused(world, township_user):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    content = rewrite(book_bytes([row("县第二中学")]), lambda xml: bomb)
    assert "解压后的内容过大" in refused(world, township_user, content)


def test_a_damaged_sheet_xml_is_refused_as_damaged(world, township_user):
    content = rewrite(book_bytes([row("县第二中学")]), lambda xml: xml[: len(xml) // 2])
    assert "无法读取" in refused(world, township_user, content)
