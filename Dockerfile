# tactful's production image: one stateless API process per container (scale the service),
# the same image runs `tactful worker`. Built from the lockfile, run as an unprivileged user.
# Build: docker build -t tactful .   (not built in CI; tests/test_deploy_files.py checks it)
FROM python:3.11-slim AS build
ENV UV_PROJECT_ENVIRONMENT=/opt/venv UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir "uv==0.13.9"
WORKDIR /src
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY src ./src
RUN uv sync --frozen --no-dev

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 tactful
COPY --from=build /opt/venv /opt/venv
COPY --from=build /src/src /src/src
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    TACTFUL_ENVIRONMENT=production \
    TACTFUL_HOST=0.0.0.0 \
    TACTFUL_PORT=8000 \
    TACTFUL_DATA_DIR=/data
RUN mkdir -p /data && chown tactful /data
USER tactful
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["tactful", "serve", "--workers", "2"]
