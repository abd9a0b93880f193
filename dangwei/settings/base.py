"""Settings shared by every environment; values come from the environment (12-factor).

DATABASE_URL defaults to an embedded SQLite file; REDIS_URL is optional (Celery then uses the
filesystem transport so notices and reports are still delivered without Redis).
"""

import importlib.util
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("DANGWEI_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

SECRET_KEY = env.str("SECRET_KEY", default="dev-insecure-key-change-me-0123456789abcdefghijklmnop")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",
    "template_partials",
    "django_celery_beat",
    "django_celery_results",
    "csp",
    "common",
    "accounts",
    "audit",
    "inbox",
    "committees",
    "meetings",
    "cobuilding",
    "funding",
    "assessment",
    "reviews",
    "proposals",
    "needs",
    "rollout",
    "yearend",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # issue #14: a NUL in the query string is a 400 (PostgreSQL cannot compare it: a 500 otherwise)
    "common.params.RejectNulInQueryMiddleware",
    # Issue #13: a database outage answers 503 "系统维护中" (with Retry-After), never 500.
    "common.health.DatabaseDownMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # issue #14: idle/absolute session timeouts, the second factor, forced password changes
    "accounts.middleware.SessionSecurityMiddleware",
    # issue #14: refusals (403/404) and exports (Content-Disposition) go to the audit log
    "audit.middleware.AuditMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # axes must be last: it turns locked-out attempts into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dangwei.urls"
WSGI_APPLICATION = "dangwei.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "common.context_processors.portal",
                "inbox.context_processors.inbox",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web server and the worker use the file at once; IMMEDIATE transactions take the
    # write lock when they begin, so a read-then-write of one waits for the other (up to
    # ``timeout``) instead of failing at once with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Issue #14 item 6 (等保 §8.1.4.1): length >= 8, three character classes, not like the user name
# or full name, none of the last five again; administrators change theirs every 90 days.
PASSWORD_HISTORY_COUNT = 5
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "first_name", "last_name", "email")},
    },
    {"NAME": "accounts.validators.LengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "accounts.validators.PasswordHistoryValidator", "OPTIONS": {"count": PASSWORD_HISTORY_COUNT}},
]
PASSWORD_MAX_AGE_DAYS = env.int("PASSWORD_MAX_AGE_DAYS", default=90)  # administrators; 0 turns it off
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Log-in throttling: 5 failures for one username *and* address lock that pair for 15 minutes;
# colleagues behind the same office NAT are not affected. Every attempt is logged.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Issue #14 item 5: behind the reverse proxy the client's address is read from the header the
# proxy sets, trusting only as many entries from the right as there are proxies of ours
# (audit.address); without the header the connection's address counts.
PROXY_CLIENT_IP_HEADER = env.str("PROXY_CLIENT_IP_HEADER", default="")  # e.g. HTTP_X_FORWARDED_FOR
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "audit.address.client_address"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 10
# Issue #14 item 6 (等保 §8.1.4.1): log out after 30 idle minutes and, whatever the activity, after
# the absolute lifetime (accounts.middleware).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_ABSOLUTE_LIFETIME = env.int("SESSION_ABSOLUTE_HOURS", default=10) * 3600
# Issue #14 item 9: TOTP for the three officers (accounts.roles); the superuser when this is on.
OTP_REQUIRED_FOR_SUPERUSER = env.bool("OTP_REQUIRED_FOR_SUPERUSER", default=False)
OTP_TOTP_ISSUER = "社区大党委工作平台"
# Issue #14 item 8: the audit log is kept this many days (never fewer than 180), pruned daily.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=180)
# Issue #14 item 10: a signed reply link expires when the meeting starts, and at the latest this
# many days after it was sent.
REPLY_LINK_MAX_AGE_DAYS = env.int("REPLY_LINK_MAX_AGE_DAYS", default=30)
CSRF_COOKIE_HTTPONLY = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing folder
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", Path(importlib.util.find_spec("bootstrap").submodule_search_locations[0])),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploads live outside the web root and are served only through permission-checking views.
MEDIA_ROOT = VAR_DIR / "private"
MEDIA_URL = "/private-not-served/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
RANKING_PDF_SYNC_MAX = env.int("RANKING_PDF_SYNC_MAX", default=200)  # R21 rankings above this: built in Celery

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# E-mail: SMTP in production (EMAIL_URL), files in the run command, memory in tests.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="filemail://" + str(VAR_DIR / "mail"))
vars().update(EMAIL_CONFIG)
if EMAIL_CONFIG.get("EMAIL_BACKEND", "").endswith("filebased.EmailBackend"):
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
    Path(EMAIL_FILE_PATH).mkdir(parents=True, exist_ok=True)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="大党委工作平台 <noreply@dangwei.local>")
# Issue #15 item 7: SMS for people without an account (file: written to var/sms in development;
# http: POST to SMS_HTTP_URL with SMS_HTTP_TEMPLATE, $phone and $text filled in). Group robots
# are configured per committee (inbox.CommitteeRobot). HTTP calls time out after a few seconds.
SMS_BACKEND = env.str("SMS_BACKEND", default="file")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(VAR_DIR / "sms"))
SMS_HTTP_URL = env.str("SMS_HTTP_URL", default="")
SMS_HTTP_TEMPLATE = env.str("SMS_HTTP_TEMPLATE", default='{"phone": "$phone", "text": "$text"}')
NOTICE_HTTP_TIMEOUT = env.float("NOTICE_HTTP_TIMEOUT", default=5.0)
# Issue #15 item 8: meeting reminders this many hours before the start (the day before by default).
MEETING_REMINDER_HOURS = env.int("MEETING_REMINDER_HOURS", default=24)

# Celery: Redis when REDIS_URL is set, else the filesystem transport (no Redis needed).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        # Find a dead connection within seconds (issue #13): a restarted Redis is noticed and
        # reconnected to, never waited on.
        "socket_keepalive": True,
        "socket_connect_timeout": 5,
        "health_check_interval": 10,
        "retry_on_timeout": True,
    }
else:
    _queue = VAR_DIR / "celery"
    for _sub in ("out", "processed", "control"):
        (_queue / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue / "out"),
        "data_folder_out": str(_queue / "out"),
        "data_folder_processed": str(_queue / "processed"),
        "control_folder": str(_queue / "control"),
    }
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Issue #13: the web side never waits long on a dead broker (common.background.enqueue_on_commit
# tolerates the failure; the watchdog publishes again). About 0.6 s in all before giving up.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.4}
# Leases of background builds (common.background): a queued row waits this long for a worker
# before the watchdog publishes it again; a running build's claim lasts this long without a
# heartbeat (a killed worker); a build is given up after this many interrupted attempts.
BACKGROUND_QUEUE_LEASE = env.int("BACKGROUND_QUEUE_LEASE", default=300)
BACKGROUND_RUN_LEASE = env.int("BACKGROUND_RUN_LEASE", default=120)
BACKGROUND_MAX_ATTEMPTS = env.int("BACKGROUND_MAX_ATTEMPTS", default=3)
# Issue #13 item 3: a worker survives a Redis restart. A late-acknowledged task still running when
# the connection drops cannot be acknowledged on the dead channel (acking it there is what made
# older kombu raise "'NoneType' object has no attribute 'hostname'" and stop the worker, beat and
# all): cancel it instead, so it is redelivered — every task is safe to run twice. Retry the broker
# for ever instead of exiting after 100 attempts.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None

# Content-Security-Policy (django-csp 4): everything from our own origin, no inline scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "axes": {"handlers": ["console"], "level": "INFO"},
        "dangwei": {"handlers": ["console"], "level": "INFO"},
    },
}

PORTAL_NAME = "社区大党委工作平台"
# The address people open the portal at: links in e-mailed notices start with it.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
