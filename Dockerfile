# One image for web, worker and beat (see docker-compose.yml).
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# chromium prints the dashboard's PDF report (metrics.pdf).
RUN apt-get update && apt-get install -y --no-install-recommends gettext curl chromium fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml requirements.lock README.md ./
COPY cxhub cxhub
COPY journeys journeys
COPY barriers barriers
COPY metrics metrics
RUN pip install -c requirements.lock .
COPY . .
RUN SECRET_KEY=build-only python manage.py collectstatic --no-input --verbosity 0

# The media directory exists in the image, owned by the app's user, so the named volume mounted on it
# starts with that owner (docker-compose.yml).
RUN useradd --create-home cxhub && mkdir -p /app/var/media && chown -R cxhub /app/var
USER cxhub
EXPOSE 8000
CMD ["uvicorn", "cxhub.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--workers", "3", "--proxy-headers"]
