FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=statussite.settings.base \
    PYTHONPATH=/app/site
WORKDIR /app

COPY pyproject.toml README.md ./
COPY statuscore statuscore
COPY statuscms statuscms
COPY plugins plugins
COPY site site
COPY manage.py ./
RUN pip install --no-cache-dir .

RUN useradd --create-home status && mkdir -p /data && chown status /data
USER status
EXPOSE 8000
