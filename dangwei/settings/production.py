"""Production: secrets from the environment, HTTPS only, strict headers.

Required: SECRET_KEY (50+ random characters), ALLOWED_HOSTS, DATABASE_URL (PostgreSQL),
REDIS_URL. Optional: EMAIL_URL (default smtp://localhost:25), CSRF_TRUSTED_ORIGINS,
SECURE_SSL_REDIRECT (default true; TLS ends at a proxy that sets X-Forwarded-Proto).
"""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Keep database connections between requests; drop broken ones before use.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Load balancers and monitors probe /healthz over plain http inside the network (issue #13).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The documented deployment: one reverse proxy in front of web that appends X-Forwarded-For.
PROXY_CLIENT_IP_HEADER = env.str("PROXY_CLIENT_IP_HEADER", default="HTTP_X_FORWARDED_FOR")
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
OTP_REQUIRED_FOR_SUPERUSER = env.bool("OTP_REQUIRED_FOR_SUPERUSER", default=True)
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://localhost:25")
vars().update(EMAIL_CONFIG)

LOGGING["root"] = {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")}
