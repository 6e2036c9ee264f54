# calsync: the Flask service under gunicorn, on the official slim Python image.
#
#   docker build -t calsync .
#   docker run -d -p 127.0.0.1:8000:8000 -e CALSYNC_BASE_URL=https://cal.example.org \
#              -v calsync-data:/data --stop-timeout 25 calsync
#
# Two stages: "builder" makes a virtual environment in /opt/venv (dependencies first, in
# their own cached layer, then the calsync wheel built from the sources); the final stage
# copies only that environment. No compiler or build backend (setuptools, wheel) is in the
# final image: every dependency, psycopg included (psycopg[binary]), installs from wheels.
# Legacy-builder compatible: no BuildKit-only syntax.

FROM python:3.12-slim AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH

RUN python -m venv /opt/venv

WORKDIR /src

# 1. Dependencies only, exactly the versions of requirements.lock and checked against its
#    hashes: this layer is rebuilt only when the lock changes, not on every code change.
#    psycopg[binary] (the PostgreSQL driver) is a binary wheel: no libpq, no compiler.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes --only-binary :all: -r requirements.lock

# 2. The application: build a wheel (package data — templates, static, samples — included)
#    in an isolated build environment and install it without touching the dependencies;
#    check that the templates made it; drop the venv's own pip (the base image has one).
COPY pyproject.toml README.md ./
COPY calsync ./calsync
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /tmp/wheels . \
    && pip install --no-cache-dir --no-deps /tmp/wheels/calsync-*.whl \
    && python -c "import calsync.web, importlib.resources as r; assert r.files('calsync').joinpath('templates', 'base.html').is_file()" \
    && pip uninstall --yes pip


FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    CALSYNC_DATABASE_URL=sqlite:////data/calsync.db

# An unprivileged user; /data (the SQLite database) is the only place it writes.
RUN groupadd --gid 10001 calsync \
    && useradd --no-log-init --uid 10001 --gid calsync --home-dir /data --no-create-home \
               --shell /usr/sbin/nologin calsync \
    && mkdir -p /data \
    && chown calsync:calsync /data

# Code and dependencies stay owned by root: the service cannot modify them.
COPY --from=builder /opt/venv /opt/venv

WORKDIR /data
VOLUME /data
USER 10001:10001
EXPOSE 8000

# Slim images have no curl: ask /healthz with urllib (non-2xx or no answer -> unhealthy).
# The port follows CALSYNC_BIND (gunicorn_conf.py), default 8000.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; port = os.environ.get('CALSYNC_BIND', ':8000').rpartition(':')[2]; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % port, timeout=4)"]

# gunicorn is PID 1 (exec form): `docker stop` sends it SIGTERM and it shuts down
# gracefully within graceful_timeout (20 s; give `docker stop -t 25` / compose's
# stop_grace_period 25s so Docker does not SIGKILL it after its default 10 s).
STOPSIGNAL SIGTERM
CMD ["gunicorn", "-c", "python:calsync.gunicorn_conf", "calsync.web:create_app()"]
