"""System checks for what PDFs need from the machine: a CJK font and HarfBuzz's subsetter.

Without libharfbuzz-subset0 WeasyPrint takes ~8 s for one Chinese page instead of 0.15 s;
without a CJK font Chinese prints as boxes.
"""

import ctypes.util
import shutil
import subprocess
from pathlib import Path

from django.core.checks import Warning, register

CJK_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")
KAI_FAMILY = "AR PL UKai CN"  # 楷体 of the year-end report's level-two headings (GB/T 9704)
# 仿宋 of the body of official papers (GB/T 9704): FandolFang from Debian's texlive-lang-chinese,
# read by file (fontconfig does not index TeX Live's fonts); templates/reports/_gbt9704.css.
FANGSONG_FILE = Path("/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/FandolFang-Regular.otf")


def missing_pdf_dependencies() -> list[str]:
    missing = []
    if not ctypes.util.find_library("harfbuzz-subset"):
        missing.append("libharfbuzz-subset0")
    families = ""
    if shutil.which("fc-list"):
        families = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, check=False).stdout
    if not all(f in families for f in CJK_FAMILIES):
        missing.append("fonts-noto-cjk")
    if KAI_FAMILY not in families:
        missing.append("fonts-arphic-ukai")
    if not FANGSONG_FILE.exists():
        missing.append("texlive-lang-chinese")
    return missing


HINTS = {
    "libharfbuzz-subset0": ("缺少它时一页中文 PDF 需约 8 秒。", "common.W001"),
    "fonts-noto-cjk": ("缺少它时中文显示为方框。", "common.W002"),
    "fonts-arphic-ukai": ("缺少它时年度工作报告的二级标题不用楷体。", "common.W003"),
    "texlive-lang-chinese": ("缺少它时会议纪要和年度工作报告的正文不用仿宋，改用宋体。", "common.W004"),
}


@register()
def pdf_dependencies(app_configs, **kwargs):
    return [
        Warning(
            f"PDF 生成缺少系统软件包：{name}",
            hint=f"请以 root 运行 apt-get install {name}（Debian）。" + HINTS[name][0],
            id=HINTS[name][1],
        )
        for name in missing_pdf_dependencies()
    ]
