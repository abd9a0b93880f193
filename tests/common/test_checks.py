"""The system check names each Debian package the PDFs need when it is missing."""

import subprocess

from common import checks


def _families(monkeypatch, families: str, harfbuzz: bool = True, fangsong: bool = True):
    monkeypatch.setattr(checks, "FANGSONG_FILE", checks.Path(__file__ if fangsong else "/nonexistent/FandolFang.otf"))
    monkeypatch.setattr(checks.shutil, "which", lambda name: "/usr/bin/fc-list")
    monkeypatch.setattr(
        checks.subprocess,
        "run",
        lambda *a, **k: subprocess.CompletedProcess(a, 0, stdout=families),
    )
    monkeypatch.setattr(checks.ctypes.util, "find_library", lambda name: "libhb.so" if harfbuzz else None)


def test_all_present_no_warning(monkeypatch):
    _families(monkeypatch, "Noto Serif CJK SC\nNoto Sans CJK SC\nAR PL UKai CN\n")
    assert checks.pdf_dependencies(None) == []


def test_each_missing_package_is_named(monkeypatch):
    _families(monkeypatch, "DejaVu Sans\n", harfbuzz=False, fangsong=False)
    warnings = {w.id: w.msg for w in checks.pdf_dependencies(None)}
    assert set(warnings) == {"common.W001", "common.W002", "common.W003", "common.W004"}
    assert "texlive-lang-chinese" in warnings["common.W004"]
    assert "fonts-arphic-ukai" in warnings["common.W003"]
    assert "libharfbuzz-subset0" in warnings["common.W001"]
