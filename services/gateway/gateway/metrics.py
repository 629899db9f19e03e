"""The gateway's Prometheus metrics, served on their own port (``start_http_server``), so a
busy API never delays a scrape."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter(
    "shequ_gateway_requests_total", "HTTP requests by route and status", ["route", "status"]
)
LATENCY = Histogram(
    "shequ_gateway_request_seconds",
    "HTTP request latency by route",
    ["route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
POOL_WAIT = Histogram(
    "shequ_gateway_rpc_pool_wait_seconds",
    "Time a request waited for a pooled RPC proxy",
    buckets=(0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5),
)
POOL_IN_USE = Gauge("shequ_gateway_rpc_pool_in_use", "Pooled RPC proxies checked out now")
RPC_SECONDS = Histogram(
    "shequ_gateway_rpc_seconds",
    "RPC round trips from the gateway by service and outcome",
    ["service", "outcome"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
