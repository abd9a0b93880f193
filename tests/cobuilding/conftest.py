"""Fixtures of the co-building tests: small valid files and helpers that go through the services."""

import datetime
import io
import itertools
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from cobuilding import services
from tests.factories import UnitFactory, UserFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(name="photo.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def pdf(name="signed.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def xlsx(name="roster.xlsx"):
    from openpyxl import Workbook

    buf = io.BytesIO()
    wb = Workbook()
    wb.active.append(["姓名"])
    wb.save(buf)
    return SimpleUploadedFile(name, buf.getvalue())


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def sibling_liaison(world):
    return UserFactory(username="liaison2", role=User.Role.LIAISON, unit=world.sibling_unit, email="l2@example.cn")


@pytest.fixture
def other_liaison(world):
    return UserFactory(username="liaison3", role=User.Role.LIAISON, unit=world.other_unit)


@pytest.fixture
def make_pledge(today):
    def _make(actor, unit=None, status="draft", **overrides):
        fields = {
            "year": today.year,
            "kind": "funds",
            "title": "捐助困难党员",
            "description": "为社区困难党员提供慰问金",
            "quantity": "",
            "value": Decimal("10000.00"),
            "period_start": today.replace(month=1, day=1),
            "period_end": today.replace(month=12, day=31),
            "contact_name": "张联络",
            "contact_phone": "13800000000",
        }
        fields.update(overrides)
        pledge = services.pledge_create(actor=actor, unit=unit or actor.unit, **fields)
        if status in ("submitted", "returned", "accepted"):
            pledge = services.pledge_submit(actor=actor, pledge=pledge)
        return pledge

    return _make


@pytest.fixture
def accepted_pledge(make_pledge, liaison_user, secretary_user):
    pledge = make_pledge(liaison_user, status="submitted")
    return services.pledge_accept(actor=secretary_user, pledge=pledge)


@pytest.fixture
def many_units(world):
    """Grow the committee's data: used by the query-count tests (small vs large)."""

    counter = itertools.count()

    def _grow(n):
        return [UnitFactory(community=world.mine.community, name=f"扩展单位{next(counter)}") for _ in range(n)]

    return _grow


@pytest.fixture
def yesterday(today):
    return today - datetime.timedelta(days=1)
