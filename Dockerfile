# Multi-stage build: dependencies resolved from uv.lock in a builder, a slim non-root runtime.
FROM python:3.11-slim AS builder
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev
COPY . .
RUN DEBUG=false SECRET_KEY=collectstatic-only PROCUR_METRICS_TOKEN=collectstatic-only \
    .venv/bin/python manage.py collectstatic --noinput

FROM python:3.11-slim AS runtime
ENV PATH="/app/.venv/bin:$PATH" PYTHONUNBUFFERED=1 DEBUG=false
RUN useradd --create-home --uid 10001 procur
WORKDIR /app
COPY --from=builder --chown=procur:procur /app /app
USER procur
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
# Several daphne processes on one port (PROCUR_WEB_PROCESSES, default the CPUs, at most 4).
CMD ["python", "-m", "procur.web", "--host", "0.0.0.0", "--port", "8000"]
