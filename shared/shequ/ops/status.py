"""``shequ status``: each built service up or down (its ``health`` RPC, short timeout), relay
lag, consumer lag per inbox (the position of the upstream's last published message minus the
inbox position: messages published and not yet applied; 0 when caught up), the number of
dead letters (a passive declare of the queue), and the audit's window of exposure: events not
yet covered by a signed tree head, the age of the oldest, the seal interval, and any audit
alarm (rows at or below the sealed position that are not the sealed ones; exit 1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def built_services() -> list[str]:
    from shequ.suite import SERVICES

    return sorted(SERVICES)


def collect(
    services: list[str], health: Callable[[str], dict[str, Any]], dead_letters: Callable[[], int]
) -> dict[str, Any]:
    rows: dict[str, dict[str, Any]] = {}
    for service in services:
        try:
            answer = health(service)
            rows[service] = {
                "up": True,
                "ready": bool(answer.get("ready")),
                "log_position": answer.get("log_position", 0),
                "relay_leader": answer.get("relay_leader"),
                "relay_lag": answer.get("relay_lag", 0),
                "published_position": answer.get("published_position"),
                "sealed_size": answer.get("sealed_size", 0),
                "audit": answer.get("audit") or {},
                "inboxes": answer.get("inboxes", {}),
            }
        except Exception as exc:  # noqa: BLE001 - down is an answer
            rows[service] = {"up": False, "error": f"{type(exc).__name__}: {exc}"[:200]}
    for row in rows.values():
        for upstream, inbox in (row.get("inboxes") or {}).items():
            up = rows.get(upstream, {})
            head = up.get("published_position")
            if head is None:  # an older upstream: its log position, an upper bound
                head = up.get("log_position")
            inbox["consumer_lag"] = (
                max(0, head - inbox.get("position", 0)) if isinstance(head, int) else None
            )
    try:
        letters: int | None = dead_letters()
    except Exception:  # noqa: BLE001
        letters = None
    alarms = {
        name: r["audit"]["alarm"] for name, r in rows.items() if r["up"] and r["audit"].get("alarm")
    }
    return {
        "services": rows,
        "dead_letters": letters,
        "audit_alarms": alarms,
        "ok": all(r["up"] and r.get("ready") for r in rows.values()) and not alarms,
    }


def render(report: dict[str, Any]) -> str:
    lines = [
        (
            f"{'service':<12} {'state':<6} {'relay lag':>9}  {'unsealed':>8}  "
            f"{'oldest':>8}  {'seal every':>10}  consumer lag"
        )
    ]
    for name, row in report["services"].items():
        if not row["up"]:
            lines.append(
                f"{name:<12} {'DOWN':<6} {'-':>9}  {'-':>8}  {'-':>8}  {'-':>10}  -"
                f"   ({row['error']})"
            )
            continue
        lags = (
            ", ".join(f"{u}: {i.get('consumer_lag', '?')}" for u, i in row["inboxes"].items())
            or "-"
        )
        state = "up" if row["ready"] else "UNRDY"
        audit = row.get("audit") or {}
        lines.append(
            f"{name:<12} {state:<6} {row['relay_lag']:>9}  "
            f"{audit.get('unsealed_events', '?'):>8}  "
            f"{_seconds(audit.get('oldest_unsealed_age_seconds')):>8}  "
            f"{_seconds(audit.get('seal_interval_seconds')):>10}  {lags}"
        )
    letters = report["dead_letters"]
    lines.append(f"dead letters: {'unknown' if letters is None else letters}")
    lines.append(
        "unsealed: events after the last signed tree head, not yet tamper-evident "
        "(oldest: how long the oldest has waited)"
    )
    for name, alarm in report.get("audit_alarms", {}).items():
        lines.append(f"AUDIT ALARM {name}: {alarm['message_zh']}")
        lines.append(f"AUDIT ALARM {name}: {alarm['message_en']}")
    return "\n".join(lines)


def _seconds(value: Any) -> str:
    return f"{value:.0f} s" if isinstance(value, (int, float)) else "?"
