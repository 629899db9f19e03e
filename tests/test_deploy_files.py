"""Deployment files checked offline: docker-compose.yml against the compose-spec schema
(vendored by check-jsonschema), the kustomize renderings of base/dev/prod against Kubernetes
schemas (kubernetes-validate; the operators' custom resources by their required fields here),
the Dockerfile with hadolint, and the alert rules and dashboard against shequ's real metrics."""

from __future__ import annotations

import json
import re
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import prometheus_client
import pytest
import yaml
from gateway import metrics as gateway_metrics
from shequ import metrics
from shequ.config import METRICS_PORTS
from shequ.suite import SERVICE_CLASSES
from shequ.testing import captured

from tests.support.compose import load_compose
from tests.support.infra import REPO

BUILT = sorted(SERVICE_CLASSES)
K8S = REPO / "deploy" / "k8s"
PROMQL_WORDS = {
    "sum",
    "max",
    "min",
    "avg",
    "count",
    "by",
    "without",
    "rate",
    "increase",
    "histogram_quantile",
    "and",
    "or",
    "unless",
    "on",
    "ignoring",
    "le",
    "up",
    "label_values",
    "service",
    "exported_service",  # the gateway's label naming the called service, beside the target's
    "status",
    "upstream",
    "kind",
    "outcome",
    "entrypoint",
    "job",
    "bool",
    "offset",
    "irate",
    "delta",
    "abs",
    "clamp_min",
    "topk",
}


def metric_names() -> set[str]:
    """Every series name shequ.metrics and the gateway's metrics module (gateway.metrics, read
    here: shared code never imports the gateway) expose (counters with _total, histogram
    parts)."""
    names: set[str] = set()
    for value in [*vars(metrics).values(), *vars(gateway_metrics).values()]:
        if isinstance(value, prometheus_client.metrics.MetricWrapperBase):
            for family in value.describe():
                base = family.name
                if family.type == "counter":
                    names.update({base + "_total", base + "_created"})
                elif family.type == "histogram":
                    names.update({base + s for s in ("_bucket", "_sum", "_count", "_created")})
                else:
                    names.add(base)
    return names


def names_in(expr: str) -> set[str]:
    expr = re.sub(r'"[^"]*"', '""', expr)  # label values
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # range selectors
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\b(by|without)\s*\([^)]*\)", "", expr)  # grouping labels
    return {
        w
        for w in re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", expr)
        if w not in PROMQL_WORDS and not w.startswith("$")
    }


# compose ----------------------------------------------------------------------------------------
def test_compose_file_matches_the_compose_spec() -> None:
    from check_jsonschema.builtin_schemas import vendor

    schema = json.loads((Path(vendor.__file__).parent / "compose-spec.json").read_text())
    compose = load_compose()
    jsonschema.Draft7Validator(schema).validate(compose)
    broken = {**compose, "services": {"x": {"depends_on": {"y": {"condition": "sometimes"}}}}}
    with pytest.raises(jsonschema.ValidationError):  # the schema does reject mistakes
        jsonschema.Draft7Validator(schema).validate(broken)


def test_compose_runs_every_built_service_with_volumes_and_secrets_from_env() -> None:
    raw = (REPO / "docker-compose.yml").read_text()
    compose = load_compose()
    for service in BUILT:
        entry = compose["services"][service]
        port = str(METRICS_PORTS[service])
        assert entry["environment"][f"SHEQU_{service.upper()}_METRICS_PORT"] == port
        assert {v.split(":")[0] for v in entry["volumes"]} >= {"treeheads", "keys"}
        # inboxes find their upstreams' public keys in a volume every service writes its own to
        trusted = entry["environment"]["SHEQU_TRUSTED_KEYS_DIR"]
        assert f"keys:{trusted}" in entry["volumes"], trusted
    assert {"pgdata", "treeheads", "keys"} <= set(compose["volumes"])
    # no secret is written in the compose file itself: every password is ${...} from the env file
    for secret in ("RABBITMQ_DEFAULT_PASS", "POSTGRES_PASSWORD", "GRAFANA_ADMIN_PASSWORD"):
        assert f"${{{secret}:?" in raw
    example = (REPO / "deploy/env.example").read_text()
    live = "\n".join(line for line in raw.splitlines() if not line.lstrip().startswith("#"))
    for var in set(re.findall(r"\$\{([A-Z_]+):\?", live)):
        assert f"\n{var}=" in example, var


def test_dockerfile_passes_hadolint_and_runs_as_non_root() -> None:
    hadolint = shutil.which("hadolint") or str(
        Path(__file__).resolve().parents[1] / ".venv/bin/hadolint"
    )
    run = captured(
        [hadolint, "--failure-threshold", "info", str(REPO / "Dockerfile")],
        timeout=60,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    text = (REPO / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim", text, re.MULTILINE)
    assert re.search(r"^USER 10001", text, re.MULTILINE)
    assert "-r requirements.lock" in text
    assert re.search(
        r'^HEALTHCHECK .*\n\s+CMD \["python", "-m", "shequ.health"\]', text, re.MULTILINE
    )
    ignored = (REPO / ".dockerignore").read_text().split()
    assert {".git", ".venv", "var", "deploy/shequ.env"} <= set(ignored)


# prometheus and grafana -------------------------------------------------------------------------
def test_prometheus_scrapes_every_built_service() -> None:
    config = yaml.safe_load((REPO / "deploy/prometheus/prometheus.yml").read_text())
    targets = {
        t
        for job in config["scrape_configs"]
        for sc in job.get("static_configs", [])
        for t in sc["targets"]
    }
    for service in BUILT:
        assert f"{service}:{METRICS_PORTS[service]}" in targets


def alert_rules() -> list[dict[str, Any]]:
    doc = yaml.safe_load((REPO / "deploy/prometheus/alerts.yml").read_text())
    return [rule for group in doc["groups"] for rule in group["rules"]]


def test_alert_rules_use_only_real_metrics_and_cover_the_required_alerts() -> None:
    known = metric_names()
    assert "shequ_sla_breaches_total" in known and "shequ_entrypoint_seconds_bucket" in known
    rules = alert_rules()
    used: set[str] = set()
    for rule in rules:
        assert rule["alert"] and rule["expr"] and rule["annotations"]["runbook"]
        names = names_in(rule["expr"])
        assert names <= known, (rule["alert"], names - known)
        used |= names
        # every runbook link points at a heading of docs/operations.md
        anchor = rule["annotations"]["runbook"].split("#")[1]
        assert anchor in _doc_anchors(), anchor
    assert {
        "shequ_relay_lag",
        "shequ_consumer_lag",
        "shequ_dead_letters_total",
        "shequ_sla_breaches_total",
    } <= used
    assert any(r["expr"].startswith("up{") for r in rules)  # a service down
    assert names_in('rate(shequ_nope_total{service="x"}[5m])') == {"shequ_nope_total"}


@cache
def _doc_anchors() -> set[str]:
    text = (REPO / "docs/operations.md").read_text()
    return {
        re.sub(r"[^a-z0-9 -]", "", h.strip().lower()).replace(" ", "-")
        for h in re.findall(r"^#+ (.+)$", text, re.MULTILINE)
    }


def dashboard_names(path: Path) -> set[str]:
    """The metric names one dashboard's panels and templates use, each a real metric."""
    known = metric_names()
    dash = json.loads(path.read_text())
    used: set[str] = set()
    for panel in dash["panels"]:
        for target in panel["targets"]:
            names = names_in(target["expr"])
            assert names <= known, (path.name, panel["title"], names - known)
            used |= names
    for template in dash["templating"]["list"]:
        used |= names_in(re.sub(r"label_values\((\w+),.*", r"\1", template["query"]))
    ds = yaml.safe_load(
        (REPO / "deploy/grafana/provisioning/datasources/prometheus.yml").read_text()
    )["datasources"][0]
    assert all(p["datasource"]["uid"] == ds["uid"] for p in dash["panels"]), path.name
    return used


def test_grafana_dashboard_uses_only_real_metrics() -> None:
    used = dashboard_names(REPO / "deploy/grafana/dashboards/shequ-overview.json")
    assert {
        "shequ_commands_total",
        "shequ_entrypoint_seconds_bucket",
        "shequ_relay_lag",
        "shequ_consumer_lag",
        "shequ_dead_letters_total",
        "shequ_sla_breaches_total",
        "shequ_gateway_requests_total",
        "shequ_gateway_request_seconds_bucket",
        "shequ_gateway_rpc_seconds_bucket",
        "shequ_gateway_rpc_pool_in_use",
    } <= used


def test_grafana_finance_dashboard_shows_the_books_at_work() -> None:
    """Finance's own dashboard: vouchers posted and reviewed, posting latency, refusals,
    disclosures and objections, their overdue sweeps, relay and consumer lag; every panel
    about finance only, every dashboard with its own uid."""
    path = REPO / "deploy/grafana/dashboards/shequ-finance.json"
    used = dashboard_names(path)
    assert {
        "shequ_commands_total",
        "shequ_entrypoint_seconds_bucket",
        "shequ_entrypoint_calls_total",
        "shequ_sla_breaches_total",
        "shequ_relay_lag",
        "shequ_consumer_lag",
    } <= used
    dash = json.loads(path.read_text())
    exprs = [t["expr"] for p in dash["panels"] for t in p["targets"]]
    assert all('service="finance"' in e for e in exprs)
    assert any('command="post_voucher"' in e for e in exprs)
    uids = [
        json.loads(f.read_text())["uid"]
        for f in (REPO / "deploy/grafana/dashboards").glob("*.json")
    ]
    assert len(uids) == len(set(uids)) >= 2


# kubernetes -------------------------------------------------------------------------------------
def kubectl() -> str:
    tool = shutil.which("kubectl") or shutil.which("kustomize")
    assert tool, "kubectl (with kustomize built in) is needed: apt-get install kubernetes-client"
    return tool


@cache
def render(overlay: str) -> tuple[dict[str, Any], ...]:
    tool = kubectl()
    argv = [tool, "kustomize" if tool.endswith("kubectl") else "build", str(K8S / overlay)]
    run = captured(
        argv,
    )
    assert run.returncode == 0, run.stderr
    return tuple(d for d in yaml.safe_load_all(run.stdout) if d)


CRD_REQUIRED = {
    "RabbitmqCluster": [("spec", "replicas")],
    "Cluster": [
        ("spec", "instances"),
        ("spec", "storage", "size"),
        ("spec", "bootstrap", "initdb", "owner"),
    ],
    "Database": [("spec", "cluster", "name"), ("spec", "name"), ("spec", "owner")],
    "PrometheusRule": [("spec", "groups")],
    # RabbitMQ Messaging Topology Operator: a user per service, gateway and operator (ADR 0031)
    "User": [("spec", "rabbitmqClusterReference", "name"), ("spec", "importCredentialsSecret")],
    "Permission": [("spec", "vhost"), ("spec", "userReference", "name"), ("spec", "permissions")],
    "TopicPermission": [
        ("spec", "vhost"),
        ("spec", "userReference", "name"),
        ("spec", "permissions", "exchange"),
    ],
}


def _get(doc: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


@pytest.mark.parametrize("overlay", ["base", "overlays/dev", "overlays/prod"])
def test_kustomize_renders_valid_kubernetes_objects(overlay: str) -> None:
    docs = render(overlay)
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], []).append(doc)
        if doc["kind"] in CRD_REQUIRED:
            for path in CRD_REQUIRED[doc["kind"]]:
                assert _get(doc, path), (doc["kind"], path)
            continue
        kubernetes_validate.validate(doc, "1.30.0", strict=True)
    assert set(CRD_REQUIRED) <= set(by_kind)
    for service in BUILT:
        deployment = next(d for d in by_kind["Deployment"] if d["metadata"]["name"] == service)
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert container["command"] == ["python", "-m", "shequ.runner", service]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["ports"][0]["containerPort"] == METRICS_PORTS[service]
        assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"]
        # the upstreams' public keys are mounted where inboxes look for them
        config = next(
            d for d in by_kind["ConfigMap"] if d["metadata"]["name"].startswith("shequ-config")
        )["data"]
        mounts = {m["mountPath"] for m in container["volumeMounts"]}
        assert config["SHEQU_TRUSTED_KEYS_DIR"] in mounts
        for kind in ("Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"):
            assert any(d["metadata"]["name"] == service for d in by_kind[kind]), kind
    import base64

    secrets = by_kind["Secret"]
    assert secrets
    for secret in secrets:  # placeholders only, never a real value
        values = [base64.b64decode(v).decode() for v in secret["data"].values()]
        assert any("CHANGE-ME" in v for v in values), secret["metadata"]["name"]
    policies = {p["metadata"]["name"]: p for p in by_kind["NetworkPolicy"]}
    assert policies["default-deny"]["spec"]["policyTypes"] == ["Ingress", "Egress"]
    egress = policies["services-egress"]["spec"]["egress"]
    assert sorted(p["port"] for rule in egress for p in rule["ports"]) == [53, 53, 5432, 5672]
    rule = by_kind["PrometheusRule"][0]
    assert (
        rule["spec"]["groups"]
        == yaml.safe_load((REPO / "deploy/prometheus/alerts.yml").read_text())["groups"]
    )
    namespaces = {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"}
    assert namespaces == {by_kind["Namespace"][0]["metadata"]["name"]}


def test_the_gateway_signs_actor_claims_with_its_own_key_in_kubernetes() -> None:
    """In production the services refuse unsigned actors (ADR 0031): the gateway's pods must
    have their signing key, from a secret, and name it."""
    docs = render("overlays/prod")
    gateway = next(
        d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"].endswith("gateway")
    )
    pod = gateway["spec"]["template"]["spec"]
    container = pod["containers"][0]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["SHEQU_ACTOR_KEY_ID"] == "gateway"
    assert "SHEQU_ALLOW_UNSIGNED_ACTORS" not in env
    mounted = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    key_dir = str(Path(env["SHEQU_ACTOR_KEY"]).parent)
    volume = next(v for v in pod["volumes"] if mounted.get(v["name"]) == key_dir)
    secret = volume["secret"]["secretName"]
    assert any(d["kind"] == "Secret" and d["metadata"]["name"] == secret for d in docs), secret


def test_overlays_differ_where_they_should() -> None:
    def replicas(overlay: str) -> int:
        return next(d for d in render(overlay) if d["kind"] == "Deployment")["spec"]["replicas"]

    assert replicas("overlays/dev") == 1 and replicas("overlays/prod") == 3
    image = next(d for d in render("overlays/prod") if d["kind"] == "Deployment")["spec"][
        "template"
    ]["spec"]["containers"][0]["image"]
    assert image.endswith(":0.1.0")


def test_kubernetes_validation_rejects_a_broken_object() -> None:
    deployment = next(d for d in render("base") if d["kind"] == "Deployment")
    broken = json.loads(json.dumps(deployment))
    broken["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["port"] = [1]
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, "1.30.0", strict=True)
