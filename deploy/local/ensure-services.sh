#!/usr/bin/env bash
# Start the local RabbitMQ and PostgreSQL if they are not running (tests and `make run` need
# them). Idempotent: does nothing when both answer.
set -euo pipefail

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "starting PostgreSQL…"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 60); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "PostgreSQL did not start" >&2; exit 1; }

if ! rabbitmqctl -q status >/dev/null 2>&1; then
  echo "starting RabbitMQ…"
  rabbitmq-server -detached
  for _ in $(seq 1 90); do rabbitmqctl -q status >/dev/null 2>&1 && break; sleep 1; done
fi
rabbitmqctl -q await_startup >/dev/null 2>&1 || rabbitmqctl wait --timeout 60 /dev/null >/dev/null 2>&1 || true
rabbitmqctl -q status >/dev/null 2>&1 || { echo "RabbitMQ did not start" >&2; exit 1; }
# The nameko test fixtures and `shequ deadletters` use the management API (port 15672).
rabbitmq-plugins enable --quiet rabbitmq_management >/dev/null 2>&1 || true
for _ in $(seq 1 60); do
  curl -fsS -u guest:guest http://127.0.0.1:15672/api/overview >/dev/null 2>&1 && break
  sleep 1
done
curl -fsS -u guest:guest http://127.0.0.1:15672/api/overview >/dev/null \
  || { echo "RabbitMQ management API (port 15672) did not come up" >&2; exit 1; }
