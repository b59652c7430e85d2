# syntax=docker/dockerfile:1
# CareInbox API image: a builder stage turns the project into a wheel and installs it with its
# dependencies into a virtualenv; the final stage copies only that virtualenv plus the migrations
# onto a slim Python and runs as an unprivileged user.

FROM python:3.11-slim AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml requirements.txt ./
COPY app ./app
# The dependencies exactly as locked (hash-checked), then the project itself without resolving.
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --upgrade pip \
 && /opt/venv/bin/pip install --require-hashes -r requirements.txt \
 && /opt/venv/bin/pip wheel --no-deps --wheel-dir /wheels . \
 && /opt/venv/bin/pip install --no-deps /wheels/*.whl \
 && /opt/venv/bin/pip check


FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    APP_ENV=production \
    PORT=8000 \
    FORWARDED_ALLOW_IPS=127.0.0.1
RUN groupadd --system --gid 10001 careinbox \
 && useradd --system --uid 10001 --gid careinbox --home-dir /srv/careinbox --shell /usr/sbin/nologin careinbox
COPY --from=builder /opt/venv /opt/venv
WORKDIR /srv/careinbox
COPY alembic.ini ./
COPY migrations ./migrations
# app/db/migrations.py finds alembic.ini and migrations/ two levels above its package, which for
# an installed wheel is site-packages; point it at the copies here (readiness and the start-up
# schema check read the newest revision from them).
RUN SITE=$(python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])") \
 && ln -s /srv/careinbox/alembic.ini "$SITE/alembic.ini" \
 && ln -s /srv/careinbox/migrations "$SITE/migrations" \
 && python -c "from app.db.migrations import head_revision; assert head_revision()"
USER careinbox
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=2)"
# Migrate first (the app refuses to start on a schema that is behind), then hand PID 1 to uvicorn
# so SIGTERM reaches it and in-flight requests finish (graceful shutdown, 10 s).
# One uvicorn worker process per core unless WEB_CONCURRENCY says otherwise; with it
# unset: `nproc`, the cores this container may run on; set it to the CPU quota where a quota,
# not a cpuset, limits the container).
# No `server` header. X-Forwarded-For is trusted only from FORWARDED_ALLOW_IPS (set it to the load
# balancer's address): the client address decides the log-in rate limit per address.
ENTRYPOINT ["/bin/sh", "-c", "alembic upgrade head && exec uvicorn app.main:create_app --factory --workers \"${WEB_CONCURRENCY:-$(nproc)}\" --host 0.0.0.0 --port \"$PORT\" --proxy-headers --forwarded-allow-ips \"$FORWARDED_ALLOW_IPS\" --no-server-header --timeout-graceful-shutdown 10 --no-access-log"]
