"""``manage.py assessment_report`` writes the same files as the report pages (issue #6 item 5)."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from assessment.models import ScoringTask

from .report_factories import YEAR, finalised_task, make_round

pytestmark = pytest.mark.django_db


def _text(path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(path).pages).replace(" ", "")


@pytest.fixture
def scored(world):
    round_ = make_round(world.county)
    finalised_task(round_, world.unit)  # 92.50 良好
    finalised_task(round_, world.other_unit, committee=("40", "30", "30"), county=("40", "30", "30"))  # 100.00 优秀
    make_round(world.foreign.community.township.county, YEAR + 1)  # another county, another year
    return round_


def test_unit_sheet_pdf(scored, world, tmp_path):
    out = tmp_path / "sheet.pdf"
    stdout = io.StringIO()
    call_command("assessment_report", year=YEAR, unit=world.unit.pk, output=str(out), stdout=stdout)
    text = _text(out)
    assert "县供电公司" in text and "92.50" in text and "良好" in text and "参加大党委会议" in text
    assert "已写出" in stdout.getvalue()


def test_township_ranking_xlsx(scored, world, tmp_path):
    out = tmp_path / "township.xlsx"
    call_command("assessment_report", year=YEAR, township=world.township.pk, output=str(out))
    sheet = load_workbook(out)["排名"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert [r[1] for r in rows] == ["县供电公司"]  # 河西医院 is in another township
    assert rows[0][6] == 92.5


def test_county_ranking_pdf_without_county_when_there_is_one(scored, tmp_path):
    out = tmp_path / "county.pdf"
    call_command("assessment_report", year=YEAR, output=str(out))
    text = _text(out)
    assert "示范县2025年度“双百分”考核排名" in text
    assert text.index("河西医院") < text.index("县供电公司")  # 100.00 ranks above 92.50


def test_county_ranking_xlsx_with_county(scored, world, tmp_path):
    out = tmp_path / "county.xlsx"
    call_command("assessment_report", year=YEAR, county=world.county.pk, output=str(out))
    rows = [[c.value for c in r] for r in load_workbook(out)["排名"].iter_rows(min_row=2)]
    assert [(r[0], r[1]) for r in rows] == [(1, "河西医院"), (2, "县供电公司")]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"output": "x.docx"}, "须以 .pdf 或 .xlsx 结尾"),
        ({"unit": 999999, "output": "x.pdf"}, "没有编号为 999999 的单位"),
        ({"township": 999999, "output": "x.pdf"}, "没有编号为 999999 的镇（街道）"),
        ({"county": 999999, "output": "x.pdf"}, "没有编号为 999999 的县（区）"),
        ({"year": 1999, "output": "x.pdf"}, "没有 1999 年度的考核评分轮次"),
    ],
)
def test_bad_input_is_a_command_error_in_chinese(scored, tmp_path, options, message):
    options = {"year": YEAR, **options, "output": str(tmp_path / options["output"])}
    with pytest.raises(CommandError, match=message):
        call_command("assessment_report", **options)
    assert not list(tmp_path.iterdir())  # nothing written


def test_unfinalised_and_missing_results_are_errors(scored, world, tmp_path):
    task = finalised_task(scored, world.sibling_unit, status=ScoringTask.Status.REVIEWED)
    with pytest.raises(CommandError, match="尚未定分"):
        call_command("assessment_report", year=YEAR, unit=task.unit.pk, output=str(tmp_path / "a.pdf"))
    with pytest.raises(CommandError, match="没有 2030 年度的评分任务"):
        call_command("assessment_report", year=2030, unit=world.unit.pk, output=str(tmp_path / "b.pdf"))
    with pytest.raises(CommandError, match="单位评分表只能写成 PDF"):
        call_command("assessment_report", year=YEAR, unit=world.unit.pk, output=str(tmp_path / "c.xlsx"))
    # a round with no finalised unit (the other county's, the next year)
    with pytest.raises(CommandError, match="尚无已定分的单位"):
        call_command(
            "assessment_report",
            year=YEAR + 1,
            county=world.foreign.community.township.county_id,
            output=str(tmp_path / "d.pdf"),
        )


def test_the_command_exits_non_zero_from_the_shell(scored, tmp_path, capsys):
    from django.core.management import ManagementUtility

    utility = ManagementUtility(["manage.py", "assessment_report", "--year", str(YEAR), "--output", "x.txt"])
    with pytest.raises(SystemExit) as exit_info:
        utility.execute()
    assert exit_info.value.code != 0
    assert "须以 .pdf 或 .xlsx 结尾" in capsys.readouterr().err
