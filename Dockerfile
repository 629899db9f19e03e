# One image for every service; the command picks the service (python -m shequ.runner NAME).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PSYCOPG_WAIT_FUNC=wait_select
WORKDIR /app
COPY requirements.lock pyproject.toml ./
RUN pip install --no-cache-dir -r requirements.lock
COPY shared ./shared
COPY services ./services
RUN pip install --no-cache-dir --no-deps -e . \
 && useradd --system --uid 10001 --home /app shequ \
 && mkdir -p /var/lib/shequ && chown shequ /var/lib/shequ
USER shequ
CMD ["python", "-m", "shequ.runner", "registry"]
