# sendflow's one image: web (gunicorn), worker and beat (celery) all run from it (docker-compose.yml).
# Static files are collected at build into /app/staticfiles and served by whitenoise from gunicorn
# (WHITENOISE_USE_FINDERS=false: only what was collected).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    WHITENOISE_USE_FINDERS=false

# The non-root user everything runs as; a home directory because gunicorn keeps its control socket
# in ~/.gunicorn.
RUN useradd --create-home --uid 10001 --user-group sendflow

WORKDIR /app

# Requirements before the code, so a code change reuses the installed packages. Runtime only (no -dev).
COPY requirements.txt .
RUN pip install -r requirements.txt

# The code stays root-owned, read-only to the app; the user owns only var/ (settings.py's runtime
# files) and the static root.
COPY . .
RUN install -d -o sendflow -g sendflow /app/var /app/staticfiles
USER sendflow

# collectstatic only imports settings: a dummy key for this one step, not kept in the image.
RUN DJANGO_SECRET_KEY=collectstatic-at-build-only python manage.py collectstatic --no-input

EXPOSE 8000
# --preload: the application loads once, in gunicorn's master, so a start-up refusal ("sendflow
# will not start: DJANGO_SECRET_KEY is missing...") stops it with that one line instead of
# booting and killing workers forever.
CMD ["gunicorn", "--preload", "sendflow.wsgi", "-b", "0.0.0.0:8000"]
