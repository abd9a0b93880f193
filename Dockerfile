# The portal's image: web (gunicorn), worker and beat all run from it (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=dangwei.settings.production \
    DANGWEI_VAR_DIR=/app/var

# WeasyPrint's PDFs need Pango and a CJK font; libharfbuzz-subset0 keeps a Chinese page at
# ~0.15 s instead of ~8 s (see common/checks.py); texlive-lang-chinese brings FandolFang, the
# 仿宋 body face of official papers (GB/T 9704). postgresql-client: pg_dump/pg_restore for
# manage.py backup and restore (issue #13).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-noto-cjk fonts-arphic-ukai texlive-lang-chinese libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements/ requirements/
RUN pip install -r requirements/base.txt

COPY . .
# collectstatic only reads settings: throwaway values for the variables production requires.
RUN SECRET_KEY=collectstatic-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz \
    ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home-dir /app dangwei \
    && mkdir -p /app/var/private /app/var/mail \
    && chown -R dangwei /app/var

USER dangwei
EXPOSE 8000
CMD ["gunicorn", "dangwei.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
