"""The run command's settings: embedded SQLite, debug on, mail written to var/mail."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
