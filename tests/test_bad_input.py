"""Bad text at the boundary (issue 10, item 8), through each service's real nameko entrypoints
on PostgreSQL, where a stored NUL breaks a read model for good.

Every string anywhere in a call's arguments (nested, dict keys too, the actor's fields) is
refused if it holds a control character or a lone surrogate, with a ValidationError naming the
field path; nothing else of the call runs. The property test sends random text into every text
field of every command and query of every service (the README's example payload as the base,
plus each optional text parameter the example leaves out) and asserts only structured errors or
success come back, then that every read model still answers.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import itertools
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from nameko.containers import ServiceContainer
from nameko.testing.services import entrypoint_hook
from shequ.errors import ShequError, ValidationError
from shequ.suite import SERVICES

from tests.support.infra import pg_database, rabbit_vhost
from tests.support.readme import readme_sections

pytestmark = [pytest.mark.postgres, pytest.mark.rabbit]

REPO = Path(__file__).resolve().parents[1]
STAFF = {"person_id": "staff-1", "role": "district_staff"}
# what shequ.validation.check_characters refuses
REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
Path_ = tuple[str | int, ...]


# Imported here, not when a test runs: Hypothesis also draws constants from the code loaded
# (sys.modules), so loading it mid-run would change what a later test draws.
for _name in SERVICES:
    importlib.import_module(f"{_name}.service")
    importlib.import_module(f"{_name}.application")


def _table(service: str) -> Any:
    """The service's use-case table, or None for a service not yet moved to one."""
    try:
        return importlib.import_module(f"{service}.usecases").USE_CASES
    except ModuleNotFoundError:
        return None


def _rules(service: str) -> dict[str, Any]:
    table = _table(service)
    if table is not None:
        return dict(table.policy.rules)
    return dict(importlib.import_module(f"{service}.policy").RULES)


def _service_class(name: str) -> type:
    module = importlib.import_module(f"{name}.service")
    return next(
        v
        for k, v in vars(module).items()
        if k.endswith("Service")
        and k != "PlatformService"
        and isinstance(v, type)
        and getattr(v, "name", None) == name
    )


def call(svc: ServiceContainer, method: str, **kwargs: Any) -> Any:
    with entrypoint_hook(svc, method, timeout=60) as hook:
        return hook(**kwargs)


def application(svc: ServiceContainer) -> Any:
    platform = next(d for d in svc.extensions if type(d).__name__ == "Platform")
    return platform.runtime.app


@contextmanager
def running(service: str, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServiceContainer]:
    """The service as shipped, in this process, on a fresh vhost and PostgreSQL database."""
    with rabbit_vhost() as amqp, pg_database() as store:
        key = service.upper()
        for name, value in (
            (f"SHEQU_{key}_STORE", store),
            (f"SHEQU_{key}_METRICS_PORT", "0"),
            ("SHEQU_TREEHEAD_DIR", str(tmp / "treeheads")),
            ("SHEQU_KEY_DIR", str(tmp / "keys")),
            ("SHEQU_AMQP_URI", amqp),
        ):
            monkeypatch.setenv(name, value)
        container = ServiceContainer(
            _service_class(service), {"AMQP_URI": amqp, "serializer": "json"}
        )
        container.start()
        try:
            yield container
        finally:
            container.stop()


def outcome(svc: ServiceContainer, method: str, kwargs: dict[str, Any]) -> Any:
    """The call's result, or the ShequError it raised; anything else fails the test."""
    try:
        result = call(svc, method, **kwargs)
    except ShequError as err:
        assert err.code != "unavailable", f"{method}: the store failed: {err}"
        json.dumps(err.to_dict(), ensure_ascii=False).encode("utf-8")  # it can travel
        return err
    except Exception as exc:
        raise AssertionError(f"{method}({kwargs!a}) raised {exc!r}") from exc
    json.dumps(result, ensure_ascii=False, default=str).encode("utf-8")
    return result


def refused_at(svc: ServiceContainer, method: str, kwargs: dict[str, Any], field: str) -> None:
    err = outcome(svc, method, kwargs)
    assert isinstance(err, ValidationError), f"{method}({kwargs!a}) gave {err!r}"
    assert err.field == field and err.details["rule"] in ("control_character", "invalid_unicode"), (
        err.to_dict()
    )


# -- item 8: the reported cases ----------------------------------------------------------------
def test_nul_and_lone_surrogates_are_refused_and_postgres_read_models_keep_answering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running("registry", tmp_path, monkeypatch) as svc:
        call(
            svc,
            "establish_district",
            actor=STAFF,
            idempotency_key="bad-input:district",
            name="胶河经济区",
        )
        person = {
            "gender": "male",
            "id_number": "370785198003151237",
            "phone": "13812345678",
            "kinds": ["resident"],
        }
        for i, name in enumerate(["王\x00某", "王\ud800某", "王\x1b某", "王\x85某"]):
            refused_at(
                svc,
                "register_person",
                {"actor": STAFF, "idempotency_key": f"bad-input:p{i}", "name": name, **person},
                "name",
            )
        refused_at(
            svc,
            "establish_community",
            {
                "actor": {"person_id": "staff\x00", "role": "district_staff"},
                "idempotency_key": "bad-input:c0",
                "name": "立柱",
                "name_en": "Lizhu",
            },
            "actor.person_id",
        )
        refused_at(
            svc,
            "establish_community",
            {
                "actor": STAFF,
                "idempotency_key": "bad-input:c1",
                "name": "立柱",
                "name_en": "Lizhu",
                "no\ud800te": "x",
            },
            "no\\ud800te",
        )
        # a batch refuses the bad item alone, naming its field; the others are applied
        answers = call(
            svc,
            "batch",
            actor=STAFF,
            commands=[
                {
                    "command": "establish_community",
                    "args": {"idempotency_key": f"bad-input:b{i}", "name": name, "name_en": en},
                }
                for i, (name, en) in enumerate(
                    [("立柱", "Lizhu"), ("塔\x00桥", "Taqiao"), ("东王", "Dongwang")]
                )
            ],
        )
        assert [sorted(a) for a in answers] == [["ok"], ["error"], ["ok"]], answers
        assert answers[1]["error"]["field"] == "name"
        assert answers[1]["error"]["details"]["rule"] == "control_character"
        # the read models still answer, and a valid command still goes through
        assert sorted(c["name"] for c in call(svc, "communities", actor=STAFF)) == ["东王", "立柱"]
        assert call(
            svc,
            "register_person",
            actor=STAFF,
            idempotency_key="bad-input:p-ok",
            name="王某",
            **person,
        )["person_id"]


# -- the property: random text into every text field of every method ---------------------------
BAD_CHAR = st.characters(codec=None, categories=["Cc", "Cs"]).filter(
    lambda c: REFUSED.match(c) is not None
)
TAINTED = st.builds(lambda a, c, b: a + c + b, st.text(max_size=4), BAD_CHAR, st.text(max_size=4))
# tainted first: Hypothesis's first, simplest example then sends a refused character everywhere
FIELD_TEXT = st.one_of(TAINTED, st.text(max_size=12))


def example_payloads(service: str) -> dict[str, dict[str, Any]]:
    """Each method's README example (its first ``shequ call``), by method name."""
    text = (REPO / "services" / service / "README.md").read_text(encoding="utf-8")
    out = {}
    for name, section in readme_sections(text, "RPC methods").items():
        found = re.search(
            rf"^shequ call {service} {re.escape(name)} '([^'\n]*)'", section, re.MULTILINE
        )
        if found:
            out[name] = json.loads(found.group(1))
    return out


def text_fields(service: str) -> list[tuple[str, dict[str, Any], Path_]]:
    """(method, base kwargs, path of one text leaf) for every text field of every method:
    the leaves of the example (the actor's fields too) and the optional text parameters the
    example leaves out."""
    rules = _rules(service)
    module = importlib.import_module(f"{service}.application")
    app_cls = next(
        v
        for v in vars(module).values()
        if isinstance(v, type)
        and getattr(v, "policy", None) is not None
        and v.__module__ == module.__name__
    )
    examples = example_payloads(service)
    fields = []
    for method in [*rules, "batch", "notifications", "replay_dead_letter"]:
        base = {"actor": STAFF, **examples[method]}
        if method in rules:
            base.update({name: "" for name in _optional_text(service, app_cls, method, base)})
        fields += [(method, base, path) for path in _leaves(base, ())]
    return fields


def _optional_text(service: str, app_cls: type, method: str, base: dict[str, Any]) -> list[str]:
    """The text parameters of a use case that its example leaves out."""
    table = _table(service)
    if table is not None:
        schema = table[method].schema()
        return [
            name
            for name, spec in schema.get("properties", {}).items()
            if name not in base
            and name not in schema.get("required", [])
            and any(_free_text(s) for s in spec.get("anyOf", [spec]))
        ]
    return [
        name
        for name, param in inspect.signature(getattr(app_cls, method)).parameters.items()
        if name not in base
        and name != "self"
        and str(param.annotation).replace(" ", "") in ("str", "str|None")
    ]


def _free_text(spec: dict[str, Any]) -> bool:
    """Text that "" fits (not an id, a date, a phone or a choice)."""
    return spec.get("type") == "string" and not {"format", "pattern", "enum"} & set(spec)


def _leaves(value: Any, path: Path_) -> Iterator[Path_]:
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, (*path, i))


def _replaced(base: dict[str, Any], path: Path_, text: str) -> dict[str, Any]:
    out = copy.deepcopy(base)
    node: Any = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = text
    return out


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_keys = itertools.count()


@pytest.mark.parametrize("service", SERVICES)
def test_random_text_anywhere_gets_a_structured_answer_and_read_models_keep_answering(
    service: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fields = text_fields(service)
    rules = _rules(service)
    examples = example_payloads(service)
    with running(service, tmp_path, monkeypatch) as svc:
        # no shrinking: every example is a sweep of seconds; a failure names its call anyway
        @settings(
            max_examples=3,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(data=st.data())
        def sweep(data: st.DataObject) -> None:
            for method, base, path in fields:
                text = data.draw(FIELD_TEXT)
                kwargs = _replaced(base, path, text)
                if "idempotency_key" in kwargs and path != ("idempotency_key",):
                    kwargs["idempotency_key"] = f"fuzz-{next(_keys):07d}"  # a new command
                if not REFUSED.search(text):
                    outcome(svc, method, kwargs)
                elif method != "batch" or path[0] == "actor":
                    # a batch's actor is one claim, checked once for the whole call (ADR 0031)
                    refused_at(svc, method, kwargs, _dotted(path))
                else:  # each item answers for itself, naming the field within its args
                    answers = outcome(svc, method, kwargs)
                    error = answers[path[1]]["error"]
                    assert error["field"] == (
                        _dotted(path[3:]) if path[2] == "args" else "command"
                    ), error

        sweep()
        for method, rule in rules.items():  # every query still answers
            if rule.reads:
                outcome(svc, method, {"actor": STAFF, **examples[method]})
        projector = application(svc).projector
        projector.catch_up()
        assert projector.position() == (application(svc).recorder.max_notification_id() or 0)
