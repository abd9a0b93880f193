"""Words on screen (issue #15 item 5): no rule or plan codes (R8, R12.3, P1, "适用P2规则") in what a
person reads — pages, PDFs, form labels, messages, demo data — Chinese punctuation and quotes,
Chinese file names for every download, no storage paths or hashes, and no “” nested in “” (the
inner quotes are ‘’).

Code, docstrings, comments and test names keep citing the rule ids; only text that reaches a user
is checked: the templates (comments stripped), every translatable string and every other Chinese
string literal of the apps, and every page and download of the permission matrix, for each role.
"""

import ast
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.urls import reverse

from tests.pages_kit import CODE, pages, visible_text

ROOT = Path(__file__).resolve().parents[1]
APPS = (
    "accounts",
    "assessment",
    "cobuilding",
    "committees",
    "common",
    "dangwei",
    "dashboards",
    "funding",
    "inbox",
    "meetings",
    "needs",
    "proposals",
    "reviews",
    "rollout",
    "yearend",
)
CJK = re.compile(r"[\u4e00-\u9fff]")
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}
# an ASCII comma, semicolon or colon between Chinese characters (，；： belong there)
ASCII_PUNCT = re.compile(r"[\u4e00-\u9fff][,;][\u4e00-\u9fff]|[\u4e00-\u9fff]:[\u4e00-\u9fff]")
# a storage path ("private/agreements/2026/x.pdf") or a content hash shown to a user
STORAGE = re.compile(r"(?:private|uploads?|media|var)/[\w\-./]+|\b[0-9a-f]{32,}\b")


def _blank(match):
    return re.sub(r"[^\n]", " ", match.group())


def _template_text(path: Path) -> str:
    """The template without its comments ({# #}, {% comment %}, /* */ in CSS)."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\{#.*?#\}", _blank, text, flags=re.S)
    text = re.sub(r"\{% comment %\}.*?\{% endcomment %\}", _blank, text, flags=re.S)
    if path.suffix == ".css":
        text = re.sub(r"/\*.*?\*/", _blank, text, flags=re.S)
    return text


def test_no_rule_or_plan_codes_in_templates():
    found = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix not in (".html", ".txt", ".css", ".xml"):
            continue
        for number, line in enumerate(_template_text(path).splitlines(), 1):
            found.extend(f"{path.relative_to(ROOT)}:{number}: {m.group()}" for m in CODE.finditer(line))
    assert not found, "rule/plan codes in templates (say the thing in Chinese):\n" + "\n".join(found)


def _user_strings(tree):
    """String literals a user may read: every argument of a gettext call, and every other literal
    with Chinese in it that is not a docstring."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node


def _is_gettext(node) -> bool:
    func = getattr(node, "func", None)
    return (isinstance(func, ast.Name) and func.id in GETTEXT) or (
        isinstance(func, ast.Attribute) and func.attr in GETTEXT
    )


def test_no_rule_or_plan_codes_in_strings_users_read():
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            translated = {
                id(const)
                for call in ast.walk(tree)
                if isinstance(call, ast.Call) and _is_gettext(call)
                for arg in call.args
                for const in ast.walk(arg)
            }
            for node in _user_strings(tree):
                if (id(node) in translated or CJK.search(node.value)) and CODE.search(node.value):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:80]!r}")
    assert not found, "rule/plan codes in strings shown to users:\n" + "\n".join(found)


def nested_quotes(text: str) -> list[str]:
    """Each “ opened inside an open “…” (the inner quotes must be ‘’ or 「」), with its context."""
    depth, found = 0, []
    for i, char in enumerate(text):
        if char == "“":
            if depth:
                found.append(text[max(0, i - 20) : i + 20])
            depth += 1
        elif char == "”":
            depth = max(depth - 1, 0)
    return found


def _po_strings(path: Path):
    """(line, text) of every msgid/msgstr of a .po file, continuation lines joined."""
    current, start = None, 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        part = re.match(r'^(?:msgid|msgstr(?:\[\d+\])?|msgid_plural)\s+"(.*)"\s*$', line)
        more = re.match(r'^"(.*)"\s*$', line)
        if part:
            if current is not None:
                yield start, current
            current, start = part.group(1), number
        elif more and current is not None:
            current += more.group(1)
    if current is not None:
        yield start, current


def test_no_nested_chinese_quotes():
    """Issue #15 item 5: “” are not nested in “” in the templates, in the apps' strings and in the
    translations: a quotation inside a quotation is ‘…’ (or 「…」)."""
    found = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix in (".html", ".txt", ".css", ".xml"):
            for number, line in enumerate(_template_text(path).splitlines(), 1):
                found.extend(f"{path.relative_to(ROOT)}:{number}: {hit}" for hit in nested_quotes(line))
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    found.extend(f"{path.relative_to(ROOT)}:{node.lineno}: {hit}" for hit in nested_quotes(node.value))
    po_files = [*(ROOT / "locale").rglob("*.po"), *(p for app in APPS for p in (ROOT / app / "locale").rglob("*.po"))]
    for path in sorted(po_files):
        for number, text in _po_strings(path):
            found.extend(f"{path.relative_to(ROOT)}:{number}: {hit}" for hit in nested_quotes(text))
    assert not found, "quotes nested in quotes of the same kind (use ‘’ inside “”):\n" + "\n".join(found)


def test_nested_quote_check_finds_them_and_the_inner_quotes_helper_fixes_them():
    from common.text import inner_quotes

    assert nested_quotes("承诺““七一”主题党日”已确认") and nested_quotes("“a“b”c”")
    assert not nested_quotes("承诺“‘七一’主题党日”已确认") and not nested_quotes("“a”和“b”")
    assert inner_quotes("“迎双节 邻里情”社区文化活动") == "‘迎双节 邻里情’社区文化活动"
    assert inner_quotes("社区“大党委”双百分考核") == "社区‘大党委’双百分考核"
    assert inner_quotes("没有引号") == "没有引号" and inner_quotes(None) == ""
    assert not nested_quotes(f"承诺“{inner_quotes('“七一”主题党日')}”已确认")


@pytest.mark.django_db
def test_a_quoted_title_inside_quotes_keeps_its_own_as_single_quotes(client, world):
    """A title with its own “” shown inside “…” (a meeting that already began, a follow-up task
    update): the inner pair becomes ‘’."""
    import datetime

    from django.utils import timezone

    from meetings.services import notices
    from tests.meetings.factories import AttendeeFactory, MeetingFactory

    meeting = MeetingFactory(
        committee=world.mine,
        title="“迎双节 邻里情”社区文化活动筹备会",
        status="notified",
        starts_at=timezone.now() - datetime.timedelta(hours=1),
    )
    attendee = AttendeeFactory(meeting=meeting, email="")
    response = client.get(reverse("meetings:reply_token", args=[notices.reply_token(attendee)]))
    text = visible_text(response.content.decode())
    assert response.status_code == 410 and "“‘迎双节 邻里情’社区文化活动筹备会”已经开始" in text
    assert not nested_quotes(text)


def test_the_code_pattern_finds_codes_and_spares_other_text():
    for text in ("会议频次（R8）", "依照P2规则提出", "少数服从多数，R12.3", "P1 轮值"):
        assert CODE.search(text), text
    for text in ("PR123", "R2D2", "GB/T 9704", "2026年第四季度", "8b1f0c9e", "p1"):
        assert not CODE.search(text), text


def _pdf_text(data: bytes) -> str | None:
    if not shutil.which("pdftotext"):
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI=true but pdftotext (poppler-utils) is missing")
        pytest.skip("pdftotext (poppler-utils) not installed")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        done = subprocess.run(["pdftotext", handle.name, "-"], capture_output=True, text=True, check=False)
    # the matrix's uploaded files are stub PDFs (a person's upload, not a page of ours): no text
    return done.stdout if done.returncode == 0 else None


def _download_name(response) -> str:
    disposition = response.get("Content-Disposition", "")
    star = re.search(r"filename\*=(?:UTF-8|utf-8)''([^;]+)", disposition)
    if star:
        return unquote(star.group(1))
    plain = re.search(r'filename="?([^";]+)"?', disposition)
    return plain.group(1) if plain else ""


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _problems(role, name, response) -> tuple[str, list[str]]:
    """What a person would read wrong in one answer: (its kind, the problems)."""
    kind = response.get("Content-Type", "")
    body = _content(response)
    problems = []
    if kind.startswith("text/html"):
        text, seen = visible_text(body.decode("utf-8")), "html"
    elif kind.startswith("application/pdf") and (text := _pdf_text(body)) is not None:
        seen = "pdf"
    else:
        text, seen = "", "file"
    # a calendar feed is read by a calendar app and JSON by a monitor, not saved by a person
    machine = kind.startswith(("text/calendar", "application/json"))
    if seen != "html" and not machine and not CJK.search(_download_name(response)):
        problems.append(f"{role} {name}: download named {_download_name(response)!r} ({kind})")
    problems.extend(f"{role} {name}: code {code!r}" for code in CODE.findall(text))
    problems.extend(f"{role} {name}: ASCII punctuation {bad!r}" for bad in ASCII_PUNCT.findall(text))
    problems.extend(f"{role} {name}: storage path or hash {path!r}" for path in STORAGE.findall(text))
    problems.extend(f"{role} {name}: quotes nested in quotes {hit!r}" for hit in nested_quotes(text))
    return seen, problems


@pytest.mark.django_db
def test_every_page_and_download_speaks_plain_chinese(
    world, township_user, secretary_user, liaison_user, county_user, admin_user, client
):
    """Each role's every 200 page of the permission matrix: no codes, no ASCII punctuation between
    Chinese words, no storage paths or hashes; PDFs the same; every download has a Chinese name."""
    users = dict(
        zip(
            ("township", "secretary", "liaison", "county", "admin"),
            (township_user, secretary_user, liaison_user, county_user, admin_user),
            strict=True,
        )
    )
    problems, seen = [], {"html": 0, "pdf": 0, "file": 0}
    for name, url, roles in pages(world, users):
        for role in roles:
            client.force_login(users[role])
            response = client.get(url)
            if response.status_code != 200:
                continue  # the matrix test pins the statuses
            kind, found = _problems(role, name, response)
            seen[kind] += 1
            problems.extend(found)
    assert seen["html"] > 100 and seen["pdf"] >= 3, seen
    assert not problems, "\n".join(sorted(set(problems)))


def test_numbered_names_sort_by_their_chinese_numbers():
    from committees.selectors import numbered_name_key

    names = ["第三网格", "第十网格", "第一网格", "第二网格", "第十二网格", "第11网格"]
    assert sorted(names, key=numbered_name_key) == [
        "第一网格",
        "第二网格",
        "第三网格",
        "第十网格",
        "第11网格",
        "第十二网格",
    ]


@pytest.mark.django_db
def test_grid_list_shows_grids_first_second_third(client, world, secretary_user, admin_user):
    from committees import services as committees

    for name in ("第三网格", "第一网格", "第二网格"):
        committees.grid_save(actor=admin_user, community=world.mine.community, name=name)
    client.force_login(secretary_user)
    response = client.get(reverse("committees:grid_list", kwargs={"community_id": world.mine.community_id}))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("第一网格") < html.index("第二网格") < html.index("第三网格")
