"""Test settings: fast hashing, in-memory mail, eager-free Celery (tests call tasks directly)."""

import tempfile

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# SMS written by the file backend go to a temporary folder, not the project's var/ (issue #15).
SMS_FILE_PATH = tempfile.mkdtemp(prefix="dangwei-sms-")
DEBUG = False
AXES_ENABLED = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
