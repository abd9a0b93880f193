from tests.meetings.conftest import board  # noqa: F401
