"""The ledger (R2, R25.2) in and out of Excel: import validates every row and saves nothing
unless all are valid; the template re-imports cleanly; the export carries the filtered list."""

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from committees import ledger_io, services
from committees.models import Unit
from tests.factories import GridFactory, UnitFactory

pytestmark = pytest.mark.django_db

HEADERS = [
    "单位名称",
    "单位类型",
    "所属行业",
    "所在网格",
    "地址",
    "党组织名称",
    "党组织类别",
    "党组织书记",
    "直属党员数",
    "在职党员数",
    "流动党员数",
    "联络员",
    "联络员电话",
    "单位联系电话",
    "联系邮箱",
]


def xlsx(rows, headers=HEADERS, name="台账.xlsx"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def row(name, unit_type="企业", industry="制造业", grid="", kind="党支部", direct=10, email="", **extra):
    values = {
        "单位名称": name,
        "单位类型": unit_type,
        "所属行业": industry,
        "所在网格": grid,
        "地址": extra.get("address", ""),
        "党组织名称": f"{name}党支部",
        "党组织类别": kind,
        "党组织书记": "王书记",
        "直属党员数": direct,
        "在职党员数": extra.get("in_service", 0),
        "流动党员数": 0,
        "联络员": "联络员甲",
        "联络员电话": extra.get("phone", 13800000000),
        "单位联系电话": "",
        "联系邮箱": email,
    }
    return [values[h] for h in HEADERS]


@pytest.fixture
def grid(world):
    return GridFactory(community=world.mine.community, name="第一网格")


def do_import(world, user, upload):
    return ledger_io.units_import(actor=user, community=world.mine.community, file=upload)


class TestImport:
    def test_all_valid_rows_create_and_update(self, world, township_user, grid):
        upload = xlsx(
            [
                row(
                    "县税务局",
                    unit_type="机关",
                    industry="公共管理、社会保障和社会组织",
                    grid="第一网格",
                    kind="党总支",
                ),
                row("城关超市", unit_type="企业", industry="批发和零售业", direct=3.0, in_service=2),
                row(world.unit.name, unit_type="企业", industry="电力、热力、燃气及水生产和供应业", direct=55),
            ]
        )
        result = do_import(world, township_user, upload)
        assert result.ok, [str(e) for e in result.errors]
        assert (result.created, result.updated, result.unchanged) == (2, 1, 0)

        tax = Unit.objects.get(community=world.mine.community, name="县税务局")
        assert tax.unit_type == Unit.Type.ORGAN and tax.industry == Unit.Industry.PUBLIC
        assert tax.grid == grid and tax.party_org_kind == Unit.PartyOrgKind.GENERAL_BRANCH
        assert tax.liaison_phone == "13800000000"  # a number cell keeps every digit
        assert tax.history.get().history_user == township_user
        shop = Unit.objects.get(name="城关超市")
        assert (shop.members_direct, shop.members_in_service) == (3, 2)
        world.unit.refresh_from_db()
        assert world.unit.members_direct == 55 and world.unit.industry == Unit.Industry.UTILITIES
        assert world.unit.history.first().history_user == township_user

    def test_codes_are_accepted_as_well_as_labels(self, world, township_user):
        result = do_import(world, township_user, xlsx([row("县档案馆", unit_type="institution", industry="S")]))
        assert result.ok
        assert Unit.objects.get(name="县档案馆").unit_type == Unit.Type.INSTITUTION

    def test_one_bad_row_saves_nothing_and_reports_row_and_column(self, world, township_user):
        before = set(Unit.objects.values_list("pk", "updated_at"))
        upload = xlsx(
            [
                row("县税务局", unit_type="机关"),
                row(world.unit.name, direct=99),
                row("城关超市", unit_type="国企"),
            ]
        )
        result = do_import(world, township_user, upload)
        assert not result.ok
        assert [str(e) for e in result.errors] == [
            "第 4 行「单位类型」：选择一个有效的选项。 国企 不在可用的选项中。",
        ]
        assert set(Unit.objects.values_list("pk", "updated_at")) == before
        assert not Unit.objects.filter(name="县税务局").exists()

    def test_every_bad_row_is_reported(self, world, township_user):
        upload = xlsx(
            [
                row("好单位"),
                row("", unit_type="机关"),
                row("坏邮箱单位", email="not-an-email"),
                row("负数单位", direct=-3),
                row("小数单位", direct=2.5),
                row("无网格单位", grid="第九网格"),
                row("好单位"),
                row("超长" * 60),
            ]
        )
        result = do_import(world, township_user, upload)
        messages = [str(e) for e in result.errors]
        assert messages == [
            "第 3 行「单位名称」：这个字段是必填项。",
            "第 4 行「联系邮箱」：输入一个有效的 Email 地址。",
            "第 5 行「直属党员数」：确保该值大于或等于0。",
            "第 6 行「直属党员数」：输入整数。",
            "第 7 行「所在网格」：选择一个有效的选项： 该选择不在可用的选项中。",
            "第 8 行「单位名称」：与第 2 行的单位名称重复。",
            "第 9 行「单位名称」：确保该变量包含不超过 100 字符 (目前字符数 120)。",
            "第 9 行「党组织名称」：确保该变量包含不超过 100 字符 (目前字符数 123)。",
        ]
        assert [(e.row, e.column) for e in result.errors][0] == (3, "单位名称")
        assert not Unit.objects.filter(name="好单位").exists()

    def test_grid_names_are_those_of_the_community(self, world, township_user):
        GridFactory(community=world.sibling.community, name="东关网格")
        result = do_import(world, township_user, xlsx([row("县税务局", grid="东关网格")]))
        assert [(e.row, e.column) for e in result.errors] == [(2, "所在网格")]

    def test_blank_counts_and_kind_take_the_defaults_and_empty_rows_are_skipped(self, world, township_user):
        values = row("县档案馆", kind="", direct="")
        result = do_import(world, township_user, xlsx([[None] * len(HEADERS), values]))
        assert result.ok and result.created == 1
        unit = Unit.objects.get(name="县档案馆")
        assert unit.members_direct == 0 and unit.party_org_kind == Unit.PartyOrgKind.NONE

    def test_missing_columns_leave_those_fields_alone(self, world, township_user, grid):
        services.unit_update(actor=township_user, unit=world.unit, grid=grid)
        result = do_import(
            world, township_user, xlsx([[world.unit.name, "企业", 40]], headers=["单位名称", "单位类型", "直属党员数"])
        )
        assert result.ok and result.updated == 1
        world.unit.refresh_from_db()
        assert world.unit.grid == grid and world.unit.members_direct == 40
        assert world.unit.party_org_secretary  # untouched

    def test_unchanged_rows_write_nothing(self, world, township_user):
        values = [
            world.unit.name,
            "企业",
            "制造业",
            "",
            "",
            world.unit.party_org_name,
            "党支部",
            world.unit.party_org_secretary,
            12,
            0,
            0,
            "联络员",
            "",
            "",
            world.unit.contact_email,
        ]
        records = world.unit.history.count()
        result = do_import(world, township_user, xlsx([values]))
        assert result.ok and result.unchanged == 1
        assert world.unit.history.count() == records

    def test_required_columns_must_be_there(self, world, township_user):
        with pytest.raises(ValidationError) as exc:
            do_import(world, township_user, xlsx([["县档案馆"]], headers=["单位名称"]))
        assert exc.value.messages == ["第 1 行（表头）缺少必需的列：单位类型。请使用本页提供的模板。"]

    def test_a_title_row_above_the_header_is_fine(self, world, township_user):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["陵园社区成员单位台账（2026年3月）"])
        sheet.append(HEADERS)
        sheet.append(row("县档案馆"))
        sheet.append(row("县博物馆", unit_type="国企"))
        buffer = io.BytesIO()
        book.save(buffer)
        result = do_import(world, township_user, SimpleUploadedFile("台账.xlsx", buffer.getvalue()))
        assert [(e.row, e.column) for e in result.errors] == [(4, "单位类型")]

    def test_a_sheet_without_a_header_is_refused(self, world, township_user):
        with pytest.raises(ValidationError) as exc:
            do_import(world, township_user, xlsx([row("县档案馆")], headers=["名称", "类型"]))
        assert "未找到表头" in exc.value.messages[0]

    @pytest.mark.parametrize(
        ("name", "content", "expected"),
        [
            ("台账.csv", b"name,type\n", "不支持的文件类型"),
            ("台账.xls", b"\xd0\xcf\x11\xe0", "不支持的文件类型"),
            ("台账.xlsx", b"just text, not excel", "文件内容与扩展名"),
            ("台账.xlsx", b"PK\x03\x04broken zip", "无法读取该 Excel 文件"),
        ],
    )
    def test_wrong_or_corrupt_files_are_refused(self, world, township_user, name, content, expected):
        with pytest.raises(ValidationError) as exc:
            do_import(world, township_user, SimpleUploadedFile(name, content))
        assert expected in exc.value.messages[0]
        assert Unit.objects.count() == 4


class TestTemplate:
    def url(self, world):
        return reverse("committees:unit_import_template", args=[world.mine.community.pk])

    def test_template_has_the_headers_choices_and_an_example(self, world, township_user, grid, login):
        response = login(township_user).get(self.url(world))
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        sheet = book[ledger_io.SHEET_TITLE]
        assert [c.value for c in sheet[1]] == HEADERS
        assert sheet["A2"].value.startswith(ledger_io.EXAMPLE_MARK)
        rules = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in sheet.data_validations.dataValidation}
        assert rules["B2"].startswith("'选项'!$A$2")  # 单位类型
        options = book[ledger_io.OPTIONS_SHEET]

        def listed(column):
            return [c.value for c in options[column][1:] if c.value is not None]

        assert listed("A") == [str(label) for label in Unit.Type.labels]
        assert listed("D") == ["第一网格"]

    def test_template_reimports_cleanly(self, world, township_user, grid, login):
        content = login(township_user).get(self.url(world)).content
        untouched = do_import(world, township_user, SimpleUploadedFile("模板.xlsx", content))
        assert untouched.ok and untouched.rows == 0 and untouched.skipped_examples == 1
        assert Unit.objects.count() == 4

        book = openpyxl.load_workbook(io.BytesIO(content))
        sheet = book[ledger_io.SHEET_TITLE]
        assert sheet.max_row == 2  # the header and the example: the next row a person fills is row 3
        example = [c.value for c in sheet[2]]
        sheet.append(["县图书馆", *example[1:]])
        buffer = io.BytesIO()
        book.save(buffer)
        filled = do_import(world, township_user, SimpleUploadedFile("模板.xlsx", buffer.getvalue()))
        assert filled.ok and filled.created == 1
        library = Unit.objects.get(name="县图书馆")
        assert library.grid == grid and library.unit_type == Unit.Type.ENTERPRISE
        assert library.liaison_phone == "13800000000" and library.ledger_complete

    def test_template_needs_change_permission(self, world, county_user, liaison_user, township_user, login):
        assert login(county_user).get(self.url(world)).status_code == 403
        assert login(liaison_user).get(self.url(world)).status_code == 404
        other = reverse("committees:unit_import_template", args=[world.other.community.pk])
        assert login(township_user).get(other).status_code == 404


class TestImportView:
    def url(self, community):
        return reverse("committees:unit_import", args=[community.pk])

    def test_valid_file_imports_and_goes_to_the_list(self, world, secretary_user, login):
        response = login(secretary_user).post(
            self.url(world.mine.community), {"file": xlsx([row("县税务局", unit_type="机关")])}
        )
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('committees:unit_list')}?community={world.mine.community.pk}"
        assert Unit.objects.filter(name="县税务局", community=world.mine.community).exists()

    def test_bad_row_is_shown_and_nothing_saved(self, world, township_user, login):
        upload = xlsx([row("县税务局", unit_type="机关"), row("城关超市", unit_type="国企")])
        response = login(township_user).post(self.url(world.mine.community), {"file": upload})
        assert response.status_code == 200
        page = response.content.decode()
        assert "第 3 行「单位类型」：选择一个有效的选项。 国企 不在可用的选项中。" in page
        assert "本次未导入任何数据" in page
        assert not Unit.objects.filter(name="县税务局").exists()

    def test_wrong_file_type_is_refused_in_chinese(self, world, township_user, login):
        response = login(township_user).post(
            self.url(world.mine.community), {"file": SimpleUploadedFile("台账.csv", b"a,b\n")}
        )
        assert response.status_code == 200
        assert "不支持的文件类型“csv”，请上传 XLSX 文件。" in response.content.decode()

    def test_roles(self, world, county_user, liaison_user, township_user, login):
        assert login(county_user).get(self.url(world.mine.community)).status_code == 403
        assert login(county_user).post(self.url(world.mine.community), {"file": xlsx([row("x")])}).status_code == 403
        assert login(liaison_user).get(self.url(world.mine.community)).status_code == 404
        assert login(township_user).get(self.url(world.other.community)).status_code == 404
        assert login(township_user).get(self.url(world.mine.community)).status_code == 200
        assert not Unit.objects.filter(name="x").exists()


class TestExport:
    URL = reverse("committees:unit_export")

    def _sheet(self, response):
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert "attachment" in response["Content-Disposition"]
        sheet = openpyxl.load_workbook(io.BytesIO(response.content))[ledger_io.SHEET_TITLE]
        rows = [[c.value for c in r] for r in sheet.iter_rows()]
        header = rows[0]
        return [dict(zip(header, r, strict=True)) for r in rows[1:]], header

    def test_export_has_chinese_headers_and_labels(self, world, township_user, grid, login):
        services.unit_update(actor=township_user, unit=world.unit, grid=grid, members_floating=2)
        rows, header = self._sheet(login(township_user).get(self.URL))
        assert header[: len(HEADERS) + 1] == ["社区", *HEADERS]
        assert {"党员合计", "台账完整", "状态"} <= set(header)
        by_name = {r["单位名称"]: r for r in rows}
        assert set(by_name) == {world.unit.name, world.sibling_unit.name}
        power = by_name[world.unit.name]
        assert power["社区"] == "陵园社区"
        assert power["单位类型"] == "企业" and power["所属行业"] == "制造业"
        assert power["党组织类别"] == "党支部" and power["所在网格"] == "第一网格"
        assert power["直属党员数"] == 12 and power["党员合计"] == 14
        assert power["台账完整"] == "是" and power["状态"] == "在册"

    def test_export_applies_the_filters(self, world, township_user, login):
        UnitFactory(community=world.mine.community, name="县档案馆", unit_type=Unit.Type.INSTITUTION)
        rows, _header = self._sheet(login(township_user).get(self.URL, {"unit_type": "institution"}))
        assert [r["单位名称"] for r in rows] == ["县档案馆"]
        rows, _header = self._sheet(login(township_user).get(self.URL, {"q": "供电"}))
        assert [r["单位名称"] for r in rows] == [world.unit.name]

    def test_export_is_scoped(self, world, liaison_user, county_user, login):
        rows, _header = self._sheet(login(liaison_user).get(self.URL))
        assert [r["单位名称"] for r in rows] == [world.unit.name]
        rows, _header = self._sheet(login(county_user).get(self.URL))
        assert world.foreign_unit.name not in {r["单位名称"] for r in rows}

    def test_exported_file_reimports_cleanly(self, world, township_user, login):
        content = login(township_user).get(self.URL, {"community": world.mine.community.pk}).content
        result = do_import(world, township_user, SimpleUploadedFile("导出.xlsx", content))
        assert result.ok and result.unchanged == 2 and result.created == 0
