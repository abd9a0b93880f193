"""Every page each role reaches, from the permission matrix (tests/test_permission_matrix.py):
the URLs whose GET answers 200 for that role, built once in one place of the matrix's world.

Shared by the words check (tests/test_words.py: no rule codes on any page or PDF) and the phone
width check (tests/e2e/test_phone_width.py). POST-only and redirecting URLs are not pages.
"""

import re
from html.parser import HTMLParser

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.matrix import ROLES
from tests.matrix_builders import Place

# Rule ids (R1–R28, R12.3) and plan ids (P1–P3) as a person would see them on a page: not inside a
# longer word or number (so "PR123", "R2D2" or a hash are not codes).
CODE = re.compile(r"(?<![A-Za-z0-9_])(?:R\d{1,2}(?:\.\d+)?|P[123])(?![0-9A-Za-z])")


def pages(world, users, roles=ROLES, isolated=True, unbuilt=None, names=None):
    """(url name, url, roles that get a 200) for every page of the matrix.

    ``isolated``: each URL's objects are built in a fresh place inside a savepoint that is rolled
    back once the caller has read the pages, as the matrix test builds them (needs a test running
    in a transaction). Otherwise all objects are built once in one shared place and kept (for the
    browser tests, whose live server reads committed rows); a URL whose builder clashes with an
    earlier one's objects is built again in a fresh place, and if that clashes too (a task an
    earlier builder finalised) its name goes to ``unbuilt``.
    """
    from tests import test_permission_matrix as matrix

    shared = Place(world, users)
    for name in sorted(matrix.MATRIX if names is None else set(names) & matrix.MATRIX.keys()):
        build, expected, _places, _kept = matrix._entry(name)
        wanted = [role for role in roles if expected[role] == 200]
        if not wanted:
            continue
        if isolated:
            savepoint = transaction.savepoint()
            try:
                yield name, matrix._url(name, build(Place(world, users))), wanted
            finally:
                transaction.savepoint_rollback(savepoint)
            continue
        try:
            with transaction.atomic():
                kwargs = build(shared)
        except (ValidationError, IntegrityError):
            try:
                with transaction.atomic():
                    kwargs = build(Place(world, users))
            except (ValidationError, IntegrityError):
                unbuilt.append(name)
                continue
        yield name, matrix._url(name, kwargs), wanted


class _Visible(HTMLParser):
    """The text a person sees or hears: element text outside script/style, and the attributes
    that screen readers and tooltips announce."""

    SPOKEN = ("title", "aria-label", "placeholder", "alt")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1
        self.parts.extend(value for key, value in attrs if key in self.SPOKEN and value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.parts)
