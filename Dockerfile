# One image for every Shequ service; the command picks the service:
#   docker run shequ:dev python -m shequ.runner registry
# Build: docker build -t shequ:dev .   (docs/operations.md)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PSYCOPG_WAIT_FUNC=wait_select \
    SHEQU_TREEHEAD_DIR=/var/lib/shequ/treeheads \
    SHEQU_KEY_DIR=/var/lib/shequ/keys

WORKDIR /app

# A CJK font for the printed contact cards (outreach); nothing else from apt.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-wqy-microhei=0.2.0-beta-3.1 \
 && rm -rf /var/lib/apt/lists/*

# Pinned dependencies first (cached while only the code changes).
COPY requirements.lock pyproject.toml ./
RUN pip install --no-cache-dir -r requirements.lock

COPY shared ./shared
COPY services ./services
RUN pip install --no-cache-dir --no-deps . \
 && groupadd --system --gid 10001 shequ \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home shequ \
 && mkdir -p /var/lib/shequ/treeheads /var/lib/shequ/keys /var/lib/shequ/gateway \
 && chown -R 10001:10001 /var/lib/shequ

USER 10001:10001
VOLUME ["/var/lib/shequ/treeheads", "/var/lib/shequ/keys"]
EXPOSE 9101 9102 9103 9104 9105

# Liveness: the process's event loop answers /healthz on its metrics port
# (SHEQU_<SERVICE>_METRICS_PORT, or SHEQU_HEALTH_PORT when several are set).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-m", "shequ.health"]

CMD ["python", "-m", "shequ.runner", "registry"]
