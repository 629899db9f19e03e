"""``shequ``: the one command-line tool for operators and auditors."""

from __future__ import annotations

import base64
import json
import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")

import click

from shequ import progress
from shequ.client import load_demo, rpc_call, store_for
from shequ.cliopts import F, as_of_option, store_option, treeheads_option
from shequ.config import SERVICES, env

if TYPE_CHECKING:
    from shequ.audit.notes import Verifier


def plugins() -> dict[str, Any]:
    """Commands that installed packages offer under the ``shequ.commands`` entry points (the
    gateway's ``accounts`` and ``token``): the platform names no service's module itself."""
    from importlib.metadata import entry_points

    return {plugin.name: plugin for plugin in entry_points(group="shequ.commands")}


class Commands(click.Group):
    """The platform's own commands, and the plugins', each imported only when it is run."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *plugins()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in plugins():
            loaded = plugins()[cmd_name].load()
            command = loaded if isinstance(loaded, click.Command) else None
        return command


@click.group(cls=Commands)
def main() -> None:
    """Shequ (社区) operator and auditor tool."""
    from shequ.logsummary import quiet_amqp_close_noise

    quiet_amqp_close_noise()


def call_actor(
    role: str | None, person: str | None, community: str | None, household: str | None
) -> dict[str, str]:
    """The actor ``shequ call`` adds: district staff by default, a resident with --household."""
    actor = {
        "person_id": person or f"operator:{os.environ.get('USER', 'ops')}",
        "role": role or ("resident" if household else "district_staff"),
    }
    if community:
        actor["community_id"] = community
    if household:
        actor["household_id"] = household
    return actor


def write_binary(result: Any, output: Path) -> Any:
    """Decode the one ``*_base64`` field of ``result`` (a PDF, a spreadsheet) into ``output``;
    the result without it, naming the file written."""
    fields = [k for k in result if k.endswith("_base64")] if isinstance(result, dict) else []
    if len(fields) != 1:
        raise click.ClickException(
            f"-o/--output: the result holds no file to write ({output} not written)"
        )
    data = base64.b64decode(result[fields[0]])
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    rest = {k: v for k, v in result.items() if k != fields[0]}
    return {**rest, "written": str(output), "bytes": len(data)}


def call_help(ctx: click.Context, service: str | None, method: str | None) -> str:
    """The use-case table's own words for ``shequ call … --help``."""
    import importlib

    if service is None:
        return ctx.get_help()
    try:
        table = importlib.import_module(f"{service}.usecases").USE_CASES
    except ModuleNotFoundError:
        raise click.BadParameter(f"unknown service {service!r}", param_hint="SERVICE") from None
    if method is None:
        return str(table.summary())
    if method not in table:
        raise click.BadParameter(
            f"{service} has no use case {method!r}; see `shequ call {service} --help`",
            param_hint="METHOD",
        )
    return str(table.describe(method))


@main.command(context_settings={"help_option_names": []})
@click.argument("service", required=False)
@click.argument("method", required=False)
@click.argument("payload", default="{}")
@click.option(
    "--help",
    "want_help",
    is_flag=True,
    help="without SERVICE: this text; with SERVICE: its use cases; with METHOD: its fields",
)
@click.option(
    "--role",
    default=None,
    help="actor role added when the payload has no actor "
    "[default: resident with --household, else district_staff]",
)
@click.option("--person", default=None, help="actor person id (default operator:$USER)")
@click.option("--community", default=None, help="actor community id")
@click.option("--household", default=None, help="actor household id (a resident's own)")
@click.option(
    "--output",
    "-o",
    default=None,
    type=click.Path(path_type=Path, dir_okay=False),
    help="write the file in the result (PDF, XLSX, CSV) to this path, decoded",
)
@click.option("--timeout", default=60.0, show_default=True)
def call(  # noqa: PLR0913, PLR0917 - one parameter per click option
    service: str | None,
    method: str | None,
    payload: str,
    want_help: bool,
    role: str | None,
    person: str | None,
    community: str | None,
    household: str | None,
    output: Path | None,
    timeout: float,
) -> None:
    """Call SERVICE's RPC METHOD with a JSON object of arguments; print the JSON result.

    `shequ call SERVICE --help` lists the service's use cases; `shequ call SERVICE METHOD
    --help` shows one's fields, types, allowed values, who may call it and an example."""
    from shequ.config import amqp_uri
    from shequ.errors import ShequError
    from shequ.presence import require_running

    if want_help or service is None or method is None:
        click.echo(call_help(click.get_current_context(), service, method))
        return

    try:
        args = json.loads(payload)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"payload is not JSON: {exc}") from None
    if not isinstance(args, dict):
        raise click.BadParameter("payload must be a JSON object")
    if "actor" not in args and method not in ("health",):
        args["actor"] = call_actor(role, person, community, household)
    try:
        # a stopped service is said at once, not after the timeout (its RPC queue outlives it)
        require_running(service, amqp_uri())
        result = rpc_call(service, method, args, timeout)
    except ShequError as exc:
        click.echo(json.dumps({"error": exc.to_dict()}, ensure_ascii=False, indent=2), err=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - show the operator what went wrong
        click.echo(
            json.dumps(
                {"error": {"code": type(exc).__name__, "message": str(exc)}},
                ensure_ascii=False,
                indent=2,
            ),
            err=True,
        )
        sys.exit(1)
    if output is not None:
        result = write_binary(result, output)
    click.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))


@main.group()
def keys() -> None:
    """Keys that sign actor claims (ADR 0031)."""


@keys.command("new")
@click.argument("name")
@click.option(
    "--dir",
    "directory",
    default="var/keys/actors",
    show_default=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="where to write NAME.actor.pem and NAME.actor.pub.pem",
)
@click.option(
    "--roles",
    default="",
    help="comma-separated roles the key may sign (e.g. the gateway: every role but system); "
    "written as NAME.actor.roles beside the public key [default: any role]",
)
def keys_new(name: str, directory: Path, roles: str) -> None:
    """Write a key pair for the issuer NAME (the gateway, an operator): the private key
    NAME.actor.pem (mode 0600; never overwritten) for its SHEQU_ACTOR_KEY, and NAME.actor.pub.pem
    for every service's SHEQU_ACTOR_TRUSTED_KEYS_DIR. NAME is the key id claims carry."""
    from shequ.actorsig import new_key_pair

    try:
        private, public = new_key_pair(
            directory, name, tuple(r.strip() for r in roles.split(",") if r.strip())
        )
    except FileExistsError:
        raise click.ClickException(
            f"{directory / (name + '.actor.pem')} exists: a key is never overwritten"
        ) from None
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"private key  {private}  (keep it secret: SHEQU_ACTOR_KEY={private})")
    click.echo(f"public key   {public}  (copy it into every SHEQU_ACTOR_TRUSTED_KEYS_DIR)")
    if roles:
        click.echo(f"roles        {directory / (name + '.actor.roles')}  (copy it beside it)")


@main.group()
def broker() -> None:
    """RabbitMQ users: one per service, the gateway, operators (ADR 0031)."""


def _grants(operator: tuple[str, ...]) -> list[Any]:
    from shequ.brokerusers import suite_grants

    return suite_grants(SERVICES, operator or ("ops",))


@broker.command("grants")
@click.option("--operator", multiple=True, help="an operator's user name [default: ops]")
@click.option(
    "--k8s",
    is_flag=True,
    help="as RabbitMQ Messaging Topology Operator objects (deploy/k8s/base/rabbitmq-users.yaml)",
)
def broker_grants(operator: tuple[str, ...], k8s: bool) -> None:
    """Print each user's permissions (configure, write, read) and its topic permission on
    nameko-rpc (rpc_write, rpc_read) as JSON, or with --k8s as Kubernetes objects (YAML)."""
    if not k8s:
        click.echo(json.dumps([g.as_dict() for g in _grants(operator)], indent=2))
        return
    import yaml

    from shequ.brokerusers import topology_manifests

    click.echo(K8S_USERS_HEADER, nl=False)
    click.echo(yaml.safe_dump_all(topology_manifests(_grants(operator)), sort_keys=False), nl=False)


K8S_USERS_HEADER = """\
# Generated by `shequ broker grants --k8s` (shequ.brokerusers; tests/test_broker_users.py checks
# it is current): a RabbitMQ user per service, the gateway and the operator ops, with the
# permissions of ADR 0031, for the RabbitMQ Messaging Topology Operator. Credentials come from
# the Secrets <user>-broker-user (kustomization.yaml's placeholders).
"""


def password_setting(user: str) -> str:
    """SHEQU_BROKER_PASSWORD_<USER>: the password ``broker provision`` gives ``user``."""
    return "SHEQU_BROKER_PASSWORD_" + "".join(c if c.isalnum() else "_" for c in user.upper())


@broker.command("provision")
@click.option("--api", default="http://127.0.0.1:15672/api", show_default=True)
@click.option("--vhost", default="/", show_default=True)
@click.option("--operator", multiple=True, help="an operator's user name [default: ops]")
def broker_provision(api: str, vhost: str, operator: tuple[str, ...]) -> None:
    """Create or update every user with its password and permissions through the management
    API, as the administrator SHEQU_BROKER_ADMIN_USER / SHEQU_BROKER_ADMIN_PASSWORD; each
    user's password from SHEQU_BROKER_PASSWORD_<USER> (e.g. SHEQU_BROKER_PASSWORD_REGISTRY).
    Idempotent: compose runs it before the services start."""
    from shequ.brokerusers import provision

    grants = _grants(operator)
    wanted = ["SHEQU_BROKER_ADMIN_USER", "SHEQU_BROKER_ADMIN_PASSWORD"]
    wanted += [password_setting(g.user) for g in grants]
    missing = [name for name in wanted if not env(name, "")]
    if missing:
        raise click.ClickException(f"not set: {', '.join(missing)}")
    admin = (env("SHEQU_BROKER_ADMIN_USER", ""), env("SHEQU_BROKER_ADMIN_PASSWORD", ""))
    passwords = {g.user: env(password_setting(g.user), "") for g in grants}
    try:
        provision(api, admin, vhost, grants, passwords)
    except Exception as exc:  # noqa: BLE001 - one line for the operator
        raise click.ClickException(f"provisioning at {api} failed: {exc}") from None
    click.echo(f"{len(grants)} users provisioned on vhost {vhost}: " + ", ".join(passwords))


@main.group()
def seed() -> None:
    """Load data into running services."""


@seed.command("demo")
def seed_demo() -> None:
    """Load the demo district (sample data, idempotent) into every service."""
    result, made = load_demo()
    click.echo(json.dumps({**result, "made": made}, ensure_ascii=False, indent=2))


@main.group()
def audit() -> None:
    """Verify event logs against their signed tree heads."""


@audit.command("verify")
@click.option(
    "--service",
    default=None,
    type=click.Choice(SERVICES),
    help="verify SERVICE's store (required unless --bundle)",
)
@click.option(
    "--bundle",
    default=None,
    type=click.Path(path_type=Path),
    help="verify an export bundle offline instead (with --vkey)",
)
@click.option(
    "--vkey",
    "vkey_text",
    default=None,
    help="the log's verifier key name+id+key, obtained apart from the bundle",
)
@store_option()
@treeheads_option()
@click.option("--public-key", default=None, type=click.Path(path_type=Path, exists=True))
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
def verify(
    service: str | None,
    bundle: Path | None,
    vkey_text: str | None,
    store: str | None,
    treeheads: Path,
    public_key: Path | None,
    as_json: bool,
) -> None:
    """Recompute SERVICE's Merkle tree from its stored events and check every tree head; or,
    with --bundle F.tar --vkey K, check an export bundle offline (no database, no network).

    Exit 0 when all hold; 1 naming the first edited, deleted, inserted or reordered position,
    or every snapshot that differs from its events (snapshot_forged); 2 unusable input.
    """
    from dataclasses import asdict

    from shequ.audit import verify_service
    from shequ.audit.bundle import BundleError, verify_bundle
    from shequ.audit.notes import NoteError, parse_vkey

    try:
        if bundle is not None:
            if not vkey_text:
                raise BundleError("--bundle needs --vkey (the log's verifier key)")
            report = verify_bundle(bundle, parse_vkey(vkey_text))
        elif service is None:
            raise BundleError("give --service (a store) or --bundle with --vkey")
        else:
            with progress.shown(f"核验 {service} / verifying"):
                report = verify_service(service, store_for(service, store), treeheads, public_key)
    except click.ClickException:
        raise
    except (BundleError, NoteError) as exc:
        click.echo(f"无法核验（输入不可用）：{exc} / cannot verify: {exc}", err=True)
        sys.exit(2)
    except Exception as exc:  # noqa: BLE001 - an unreadable store is an operator error
        click.echo(f"无法核验：{exc}\ncannot verify: {exc}", err=True)
        sys.exit(2)
    witnessed = _verified_witnesses(service, treeheads, bundle) if report.ok else None
    if as_json:
        out = asdict(report) | ({"witness": witnessed[1]} if witnessed else {})
        click.echo(json.dumps(out, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(report.message_zh)
        click.echo(report.message_en)
        if witnessed:
            click.echo(witnessed[0])
    forged = bool(witnessed and witnessed[1]["forged"])
    sys.exit(0 if report.ok and not forged else 1)


def _verified_witnesses(
    service: str | None, treeheads: Path, bundle: Path | None
) -> tuple[str, dict[str, Any]]:
    """The witnesses of the newest checkpoint (of a bundle: of its basis head) as the policy
    counts them; a forged cosignature (under a policy witness's name and key ID, not
    verifying) is named and fails verify."""
    from shequ.audit.bundle import MANIFEST, read_bundle
    from shequ.audit.witnessing import newest_status, policy_for, status_from
    from shequ.config import ConfigError

    files = read_bundle(bundle) if bundle is not None else {}
    manifest = json.loads(files[MANIFEST]) if bundle is not None else {}
    try:
        policy = policy_for(manifest.get("service") or str(service))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if bundle is not None:
        size = int(manifest["basis"]["head"]["tree_size"])
        status = status_from(files.get, size, policy)
    else:
        size, status = newest_status(treeheads, str(service), policy)
    return _witness_line(size, status), {"head": size, **status.to_dict()}


@audit.command("seal")
@click.option("--service", required=True, type=click.Choice(SERVICES))
@store_option()
@treeheads_option()
def seal(service: str, store: str | None, treeheads: Path) -> None:
    """Seal SERVICE's new events now and write a signed tree head; then ask the witness
    policy's witnesses (SHEQU_WITNESS_POLICY) to cosign the newest checkpoint.

    Exit 1 if the rows at or below the sealed position are not the sealed ones (the alarm);
    a witness that fails is reported and never changes the exit status."""
    from shequ.audit import Sealer, open_recorder
    from shequ.audit.witnessing import WitnessClient, newest_status, policy_for
    from shequ.config import ConfigError

    key_dir = Path(env("SHEQU_KEY_DIR", "var/keys"))
    try:
        policy = policy_for(service)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    with open_recorder(service, store_for(service, store)) as recorder:
        sealer = Sealer(service, recorder, treeheads, key_dir / f"{service}.ed25519.pem")
        head = sealer.seal()
        alarm = sealer.check()
    click.echo(f"tree head: size {head.tree_size}" if head else "nothing new to seal")
    if not policy.empty:
        client = WitnessClient(treeheads, service, policy)
        for outcome in client.submit():
            state = "cosigned" if outcome.ok else f"failed: {outcome.detail}"
            click.echo(f"witness {outcome.label}: {state}")
        click.echo(_witness_line(*newest_status(treeheads, service, policy)))
    if alarm is not None:
        click.echo(f"{alarm.message_zh}\n{alarm.message_en}", err=True)
        sys.exit(1)


def _witness_line(size: int, status: Any) -> str:
    forged = (
        f"；伪造的见证签名已拒绝 forged cosignatures rejected: {', '.join(status.forged)}"
        if status.forged
        else ""
    )
    return f"树头 head {size}：{status.line_zh()} / {status.line_en()}{forged}"


@audit.command("export")
@click.option("--service", required=True, type=click.Choice(SERVICES))
@as_of_option()
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="F.tar (uncompressed USTAR) or F.tar.gz",
)
@store_option()
@treeheads_option()
def export(service: str, as_of: str, out: Path, store: str | None, treeheads: Path) -> None:
    """Write SERVICE's log as recorded up to the cut into a deterministic bundle for auditors
    (reads the store only). Refused (basis.unsealed) if the prefix is not sealed yet."""
    from shequ.audit import open_recorder
    from shequ.audit.bundle import BundleError, parse_cut
    from shequ.audit.bundle import export as do_export
    from shequ.config import log_origin
    from shequ.errors import ShequError

    key_path = Path(env("SHEQU_KEY_DIR", "var/keys")) / f"{service}.ed25519.pem"
    try:
        cut = parse_cut(as_of)
        with (
            progress.shown(f"导出 {service} / exporting"),
            open_recorder(service, store_for(service, store)) as recorder,
        ):
            manifest = do_export(
                service, recorder, treeheads, key_path, log_origin(service), cut, out
            )
    except ShequError as exc:
        click.echo(json.dumps(exc.to_dict(), ensure_ascii=False), err=True)
        sys.exit(1)
    except (BundleError, OSError, ValueError) as exc:
        click.echo(f"无法导出：{exc} / cannot export: {exc}", err=True)
        sys.exit(2)
    basis = manifest["basis"]
    click.echo(
        f"wrote {out}: {service} tree_size {basis['tree_size']} last_position "
        f"{basis['last_position']} root {basis['root']} head {basis['head']['tree_size']}"
    )


@audit.command("vkey")
@click.option("--service", required=True, type=click.Choice(SERVICES))
@click.option(
    "--public-key",
    default=None,
    type=click.Path(path_type=Path, exists=True),
    help="PEM public key (default: the signing key in SHEQU_KEY_DIR, else the one "
    "published in the tree-head directory)",
)
@click.option(
    "--log",
    "log_name",
    default=None,
    help="another log SERVICE signs, e.g. `--service finance --log disclosures`: the "
    "district's public disclosure log (ADR 0037)",
)
@treeheads_option()
def vkey(service: str, public_key: Path | None, log_name: str | None, treeheads: Path) -> None:
    """Print SERVICE's C2SP verifier key (name+keyid+key) for auditors and boards."""
    from shequ.audit import AuditError, load_or_create_key, load_public_key, service_dir
    from shequ.audit.notes import vkey as make_vkey
    from shequ.audit.treeheads import PUBLIC_KEY_FILE
    from shequ.config import log_origin

    private = Path(env("SHEQU_KEY_DIR", "var/keys")) / f"{service}.ed25519.pem"
    published = service_dir(treeheads, service) / PUBLIC_KEY_FILE
    try:
        if public_key is not None or not private.is_file():
            key = load_public_key(public_key or published)
        else:
            key = load_or_create_key(private).public_key()
        click.echo(make_vkey(log_origin(log_name or service), key))
    except (OSError, ValueError, AuditError) as exc:
        click.echo(
            f"无法读取 {service} 的公钥：{exc}\ncannot read {service}'s public key: {exc}", err=True
        )
        sys.exit(2)


def _proof_io(work: Callable[[], str]) -> str:
    """Run a proof command: input errors exit 2, a proof that does not hold exits 1."""
    from shequ.audit.notes import NoteError
    from shequ.audit.rfc9162 import ProofError
    from shequ.errors import ShequError

    try:
        return work()
    except (ProofError, NoteError) as exc:
        click.echo(f"证明不成立：{exc} / the proof does not hold: {exc}", err=True)
        sys.exit(1)
    except ShequError as exc:
        click.echo(json.dumps(exc.to_dict(), ensure_ascii=False), err=True)
        sys.exit(2)
    except (OSError, ValueError) as exc:
        click.echo(f"无法读取输入：{exc} / unusable input: {exc}", err=True)
        sys.exit(2)


@audit.command("prove")
@click.option("--service", required=True, type=click.Choice(SERVICES))
@click.option("--position", required=True, type=int, help="the event's position")
@click.option("--head", default=None, type=int, help="a signed head's size (default: newest)")
@click.option("--out", default=None, type=click.Path(path_type=Path), help="default: stdout")
@treeheads_option()
def prove(service: str, position: int, head: int | None, out: Path | None, treeheads: Path) -> None:
    """Write a C2SP tlog-proof that the event at POSITION is in SERVICE's signed tree."""
    from shequ.audit.proofs import inclusion_proof

    text = _proof_io(lambda: inclusion_proof(treeheads, service, position, head))
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


def _offline_check(argument: str) -> Callable[[F], F]:
    """An offline check's input: the file named ``argument`` and ``--vkey``, the log's key."""

    def decorate(command: F) -> F:
        vkey = click.option("--vkey", "vkey_text", required=True, help="the log's verifier key")
        given = click.argument(argument, type=click.Path(path_type=Path, exists=True))
        return given(vkey(command))

    return decorate


def _echo_check(vkey_text: str, check: Callable[[Verifier], str]) -> None:
    """Run ``check`` with the parsed vkey and print what it says (exits as ``_proof_io``)."""
    from shequ.audit.notes import parse_vkey

    click.echo(_proof_io(lambda: check(parse_vkey(vkey_text))))


@audit.command("check-proof")
@_offline_check("proof")
@click.option(
    "--event",
    "event_json",
    required=True,
    help="the event: one line of an export bundle's events.jsonl",
)
def check_proof(proof: Path, vkey_text: str, event_json: str) -> None:
    """Check a tlog-proof offline. Exit 0 if it holds, 1 if not, 2 unusable input."""
    from shequ.audit.proofs import check_inclusion_proof, event_from_json

    def check(vkey: Verifier) -> str:
        checkpoint = check_inclusion_proof(
            proof.read_text(encoding="utf-8"), vkey, event_from_json(event_json)
        )
        return (
            f"证明成立：该事件在 {checkpoint.origin} 大小为 {checkpoint.tree_size} 的已签名树中\n"
            f"the proof holds: the event is in the signed tree of {checkpoint.origin} "
            f"of size {checkpoint.tree_size}"
        )

    _echo_check(vkey_text, check)


@audit.command("consistency")
@click.option("--service", required=True, type=click.Choice(SERVICES))
@click.option("--from", "first", required=True, type=int, help="the older head's size")
@click.option("--to", "second", required=True, type=int, help="the newer head's size")
@treeheads_option()
def consistency(service: str, first: int, second: int, treeheads: Path) -> None:
    """Print the tlog-witness body (old N, consistency proof, blank line, checkpoint M)."""
    from shequ.audit.proofs import consistency_proof

    click.echo(_proof_io(lambda: consistency_proof(treeheads, service, first, second)), nl=False)


@audit.command("check-consistency")
@_offline_check("body")
@click.option(
    "--old",
    "old_checkpoint",
    required=True,
    type=click.Path(path_type=Path, exists=True),
    help="the signed checkpoint of the older size, kept from before",
)
def check_consistency(body: Path, vkey_text: str, old_checkpoint: Path) -> None:
    """Check a consistency proof offline. Exit 0 if it holds, 1 if not, 2 unusable input."""
    from shequ.audit.proofs import check_consistency_proof

    def check(vkey: Verifier) -> str:
        new = check_consistency_proof(
            body.read_text(encoding="utf-8"), vkey, old_checkpoint.read_text(encoding="utf-8")
        )
        return (
            f"证明成立：大小为 {new.tree_size} 的已签名树延续了旧树，未改写\n"
            f"the proof holds: the signed tree of size {new.tree_size} extends the old one"
        )

    _echo_check(vkey_text, check)


@main.command()
@click.option("--output", "-o", default="docs/asyncapi.json", type=click.Path(path_type=Path))
def asyncapi(output: Path) -> None:
    """Generate the AsyncAPI document from every built service's contracts."""
    from shequ.catalogues import all_catalogues
    from shequ.contracts import asyncapi as render

    doc = render(all_catalogues())
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    click.echo(f"wrote {output} ({len(doc['channels'])} channels)")


@main.command()
def gateway() -> None:
    """Run the HTTP gateway in the foreground (``python -m gateway``, ADR 0032; settings from
    SHEQU_GATEWAY_*). The gateway is its own process: this replaces the ``shequ`` process with
    it rather than importing it."""
    os.execv(sys.executable, [sys.executable, "-m", "gateway"])


# From shequ.ops.cli, not the package: once the submodule shequ.ops.status is imported, the
# package's attribute ``status`` is that module (and ``python -m shequ.cli status`` imports
# this module a second time, after it).
from shequ.ops import cli as _ops
from shequ.reports.cli import report
from shequ.up import up
from shequ.witnesscli import witness

main.add_command(up)
main.add_command(witness)
main.add_command(report)
for _command in (_ops.status, _ops.deadletters, _ops.backup, _ops.restore):
    main.add_command(_command)


if __name__ == "__main__":
    main()
