"""Demo data of the year-end report (R14): the next-year plan of the pilot committee built by
``committees.demo`` (陵园社区大党委) for the current year. Idempotent; the lead wires it into
``seed_demo``."""

from django.utils import timezone

from committees.models import Committee

from . import services
from .models import YearEndReport

PLAN = """一是深化组织联建，推动新入驻单位党组织全部纳入大党委，年内召开工作会议不少于4次。
二是聚焦民生实事，围绕老旧小区改造、一老一小服务，由成员单位认领公益项目不少于10个。
三是办好两次社区党员奉献日，引导在职党员到社区报到服务，服务时长人均不少于20小时。
四是落实“双百分”考核，考核结果及时反馈成员单位党组织及其上级党组织。
五是规范经费管理，按决议足额筹集共建经费，做到专款专用、公开透明。"""


def seed() -> None:
    committee = Committee.objects.filter(community__name="陵园社区", is_active=True).first()
    if committee is None:
        return
    year = timezone.localdate().year
    report = YearEndReport.objects.filter(committee=committee, year=year).first()
    if report is None or not report.next_year_plan:
        services.report_plan_update(actor=None, committee=committee, year=year, text=PLAN)
