"""``shequ status``: each built service up or down (its ``health`` RPC, short timeout), relay
lag, consumer lag per inbox (the position of the upstream's last published message minus the
inbox position: messages published and not yet applied; 0 when caught up) and the number of
dead letters (a passive declare of the queue)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any


def built_services() -> list[str]:
    from shequ.runner import SERVICE_CLASSES

    return sorted(SERVICE_CLASSES)


def collect(services: list[str], health: Callable[[str], dict[str, Any]],
            dead_letters: Callable[[], int]) -> dict[str, Any]:
    rows: dict[str, dict[str, Any]] = {}
    for service in services:
        try:
            answer = health(service)
            rows[service] = {"up": True, "ready": bool(answer.get("ready")),
                             "log_position": answer.get("log_position", 0),
                             "relay_leader": answer.get("relay_leader"),
                             "relay_lag": answer.get("relay_lag", 0),
                             "published_position": answer.get("published_position"),
                             "sealed_size": answer.get("sealed_size", 0),
                             "inboxes": answer.get("inboxes", {})}
        except Exception as exc:  # noqa: BLE001 - down is an answer
            rows[service] = {"up": False, "error": f"{type(exc).__name__}: {exc}"[:200]}
    for row in rows.values():
        for upstream, inbox in (row.get("inboxes") or {}).items():
            up = rows.get(upstream, {})
            head = up.get("published_position")
            if head is None:  # an older upstream: its log position, an upper bound
                head = up.get("log_position")
            inbox["consumer_lag"] = (max(0, head - inbox.get("position", 0))
                                     if isinstance(head, int) else None)
    try:
        letters: int | None = dead_letters()
    except Exception:  # noqa: BLE001
        letters = None
    return {"services": rows, "dead_letters": letters,
            "ok": all(r["up"] and r.get("ready") for r in rows.values())}


def render(report: dict[str, Any]) -> str:
    lines = [f"{'service':<12} {'state':<6} {'relay lag':>9}  consumer lag"]
    for name, row in report["services"].items():
        if not row["up"]:
            lines.append(f"{name:<12} {'DOWN':<6} {'-':>9}  -   ({row['error']})")
            continue
        lags = ", ".join(f"{u}: {i.get('consumer_lag', '?')}"
                         for u, i in row["inboxes"].items()) or "-"
        state = "up" if row["ready"] else "UNRDY"
        lines.append(f"{name:<12} {state:<6} {row['relay_lag']:>9}  {lags}")
    letters = report["dead_letters"]
    lines.append(f"dead letters: {'unknown' if letters is None else letters}")
    return "\n".join(lines)
