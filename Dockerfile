# NAP Tracker: one image for the web server, the Celery worker and Celery beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=nap_tracker.settings

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
RUN pip install .
COPY . .
RUN SECRET_KEY=build-only python manage.py compilemessages \
 && SECRET_KEY=build-only python manage.py collectstatic --noinput \
 && mkdir -p /data/media && chown -R nap:nap /data

USER nap
ENV MEDIA_ROOT=/data/media STATIC_ROOT=/app/var/static
EXPOSE 8000
CMD ["gunicorn", "nap_tracker.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
