import pytest

from tests.meetings.conftest import board  # noqa: F401


@pytest.fixture
def sms_file(settings, tmp_path):
    """The SMS file backend (issue #15 item 7) writing into the test's own folder."""
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    return tmp_path / "sms" / "sms.jsonl"
