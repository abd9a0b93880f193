from django.apps import AppConfig


class YearendConfig(AppConfig):
    name = "yearend"
    verbose_name = "年度工作报告"
