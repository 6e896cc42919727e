# NAP Tracker: one image for the web server, the Celery workers and Celery beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=nap_tracker.settings \
    MEDIA_ROOT=/data/media \
    STATIC_ROOT=/app/var/static

# WeasyPrint needs Pango; gettext compiles the translations; DejaVu renders Azerbaijani letters.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core gettext \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 nap
WORKDIR /app
COPY pyproject.toml README.md ./
COPY nap_tracker ./nap_tracker
COPY measures ./measures
COPY reporting ./reporting
# sentry-sdk comes along so that setting SENTRY_DSN is all an installation needs to do.
RUN pip install ".[sentry]"
COPY . .
# Translations and static files are baked into the image: hashed, compressed, served by WhiteNoise.
RUN SECRET_KEY=build-only python manage.py compilemessages \
 && SECRET_KEY=build-only python manage.py collectstatic --noinput \
 && mkdir -p /data/media /data/beat && chown -R nap:nap /data

USER nap
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py"]
