"""Prometheus metrics, one registry per process, served with /healthz and /readyz by
``shequ.health.serve`` from a DependencyProvider's setup (an @http /metrics entrypoint would
wait for a free worker)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

ENTRYPOINT_SECONDS = Histogram(
    "shequ_entrypoint_seconds",
    "Entrypoint latency",
    ["service", "entrypoint"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
ENTRYPOINT_CALLS = Counter(
    "shequ_entrypoint_calls_total",
    "Entrypoint calls by outcome",
    ["service", "entrypoint", "outcome"],
)
COMMANDS = Counter("shequ_commands_total", "Commands handled", ["service", "command", "outcome"])
EVENTS_APPENDED = Counter("shequ_events_appended_total", "Events appended to the log", ["service"])
LOG_POSITION = Gauge("shequ_log_position", "Highest notification id in the log", ["service"])
RELAY_LAG = Gauge("shequ_relay_lag", "Notifications stored but not yet published", ["service"])
RELAY_PUBLISHED = Counter(
    "shequ_relay_published_total", "Messages published and confirmed", ["service"]
)
RELAY_ERRORS = Counter("shequ_relay_errors_total", "Relay failures (broker or store)", ["service"])
CONSUMER_LAG = Gauge(
    "shequ_consumer_lag", "Upstream positions seen but not yet applied", ["service", "upstream"]
)
CONSUMER_APPLIED = Counter(
    "shequ_consumer_applied_total", "Upstream events applied", ["service", "upstream", "how"]
)
DEAD_LETTERS = Counter(
    "shequ_dead_letters_total", "Messages sent to the dead-letter queue", ["service", "upstream"]
)
SLA_BREACHES = Counter("shequ_sla_breaches_total", "Deadlines missed", ["service", "kind"])
TREE_SIZE = Gauge(
    "shequ_sealed_tree_size", "Events covered by the latest signed tree head", ["service"]
)
SEAL_INTERVAL = Gauge(
    "shequ_seal_interval_seconds", "Configured seconds between signed tree heads", ["service"]
)
UNSEALED_EVENTS = Gauge(
    "shequ_unsealed_events",
    "Events stored after the latest signed tree head: not yet tamper-evident",
    ["service"],
)
UNSEALED_AGE = Gauge(
    "shequ_oldest_unsealed_event_age_seconds",
    "Age of the oldest event after the latest tree head, the window in which an edit goes "
    "undetected (0 when every event is sealed)",
    ["service"],
)
LAST_HEAD_TIME = Gauge(
    "shequ_last_tree_head_timestamp_seconds",
    "Unix time the latest signed tree head was sealed (0: none yet)",
    ["service"],
)
AUDIT_ALARM = Gauge(
    "shequ_audit_alarm",
    "1 when the rows stored at or below the sealed position are not the sealed ones (rows "
    "inserted or deleted behind the sealer): run shequ audit verify",
    ["service"],
)
SNAPSHOTS_REFUSED = Counter(
    "shequ_snapshots_refused_total",
    "Snapshot rows that differ from the events they stand for (forged): ignored, the aggregate "
    "is loaded from its events; run shequ audit verify",
    ["service"],
)
WITNESS_FAILURES = Counter(
    "shequ_witness_failures_total",
    "Checkpoints a witness of the policy did not cosign (down, refused, or a bad answer): "
    "sealing goes on; the reports say how many witnesses cosigned (ADR 0041)",
    ["service", "witness"],
)
WITNESS_COSIGNED = Counter(
    "shequ_witness_cosignatures_total",
    "Checkpoints a witness of the policy cosigned, each checked against its vkey",
    ["service", "witness"],
)
