from tests.meetings.conftest import board, pytest_configure, pytest_runtest_setup  # noqa: F401
