"""The public disclosure log as the gateway serves it (A7–A8), in process, no login: the tiles
and checkpoint finance wrote, byte for byte, tiles cached as immutable; the vkey; the verify
page and its scripts; nothing outside the log's paths or of another district; the vendored
@noble/ed25519 is the file its VENDORED.md names. The page in a real browser:
tests/test_e2e_board.py."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from gateway.app import create_app
from gateway.console.board import qr_svg, verify_url
from gateway.publiclog import ASSETS, PublicLog
from gateway.settings import Settings
from shequ.audit.notes import open_checkpoint, parse_vkey, vkey
from shequ.audit.rfc9162 import leaf_hash, root_from_inclusion
from shequ.audit.tiles import b64url, tile_path, write_log
from test_gateway_app import Client

ORIGIN = "shequ.example/jiaohe/disclosures"
ENTRIES = [f'{{"seq":{i}}}'.encode() for i in range(300)]


@pytest.fixture(scope="module")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("log")
    key = Ed25519PrivateKey.generate()
    write_log(directory, ENTRIES, ORIGIN, key)
    (directory / "vkey").write_text(vkey(ORIGIN, key.public_key()) + "\n")
    return directory


@pytest.fixture(scope="module")
def client(log_dir: Path) -> Client:
    settings = Settings(amqp_uri="amqp://guest:guest@127.0.0.1:1/", disclosure_log_dir=log_dir)
    return Client(create_app(settings))


def test_A7_the_tiles_and_checkpoint_are_served_as_written(client: Client, log_dir: Path) -> None:
    for name in ("checkpoint", tile_path(0, 0), tile_path(0, 1, 44), tile_path(1, 0, 1)):
        answer = client.get(f"/log/jiaohe/{name}")
        assert answer.status_code == 200, name
        assert answer.content == (log_dir / name).read_bytes()
    assert client.get(f"/log/jiaohe/{tile_path('entries', 1, 44)}").content.endswith(b'{"seq":299}')
    assert client.get("/log/jiaohe/checkpoint").headers["cache-control"] == "no-cache"
    assert "immutable" in client.get(f"/log/jiaohe/{tile_path(0, 0)}").headers["cache-control"]
    verifier = parse_vkey(client.get("/log/jiaohe/vkey").text)
    checkpoint = open_checkpoint(client.get("/log/jiaohe/checkpoint").text, verifier, ORIGIN)
    assert checkpoint.tree_size == 300


def test_A7_nothing_else_is_served(client: Client) -> None:
    for path in (
        "/log/jiaohe/tile%2F..%2F..%2Fvkey",
        "/log/jiaohe/tile/0/1",
        "/log/jiaohe/tile/0/000.p/999",
        "/log/jiaohe/tile/9/000",
        "/log/jiaohe/tile/0/x000%2F..%2F..%2Fcheckpoint",
        "/log/otherdistrict/checkpoint",
        "/v/otherdistrict",
        "/v/assets/vendor%2F..%2F..%2Fpubliclog.py",
        "/v/assets/verify.html",
    ):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert answer.json()["code"] == "not_found"


def test_A8_the_verify_page_and_its_scripts(client: Client) -> None:
    page = client.get("/v/jiaohe")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "核验" in page.text and "/v/assets/verify.js" in page.text
    assert "http" not in re.sub(r'content="[^"]*"', "", page.text)  # nothing from elsewhere
    script = client.get("/v/assets/verify.js")
    assert script.headers["content-type"].startswith("text/javascript")
    (vendored,) = re.findall(r"vendor/(noble-ed25519-[0-9.]+\.js)", script.text)
    noble = client.get(f"/v/assets/vendor/{vendored}")
    assert noble.status_code == 200
    table = (ASSETS / "vendor" / "VENDORED.md").read_text(encoding="utf-8")
    assert hashlib.sha256(noble.content).hexdigest() in table
    assert vendored in table and "MIT" in table


def test_A8_the_board_proof_leads_to_the_checkpoint(log_dir: Path) -> None:
    log = PublicLog(Settings(disclosure_log_dir=log_dir))
    verifier = parse_vkey(log.vkey())
    checkpoint = open_checkpoint(log.file("checkpoint").decode(), verifier)
    for index in (0, 255, 256, 299):
        proof = log.proof(index)
        raw = base64.urlsafe_b64decode(proof + "=" * (-len(proof) % 4))
        path = [raw[i : i + 32] for i in range(0, len(raw), 32)]
        assert root_from_inclusion(index, 300, leaf_hash(ENTRIES[index]), path) == checkpoint.root
    assert log.proof(300) == ""


def test_A8_a_line_s_qr_points_to_the_public_url_and_stays_small(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SHEQU_GATEWAY_PUBLIC_URL", "https://shequ.jiaohe.example/")
    settings = Settings.from_env()
    assert (settings.public_url, settings.district) == ("https://shequ.jiaohe.example", "jiaohe")
    log = {"index": 1041, "leaf_hash": b64url(leaf_hash(ENTRIES[41]))}
    url = verify_url(settings.public_url, settings.district, log)
    assert url == f"https://shequ.jiaohe.example/v/jiaohe#i=1041&h={log['leaf_hash']}"
    # AUDIT.md A8 measured ≈80 bytes as QR 5-M; this host and index make 90 bytes: 6-M (41×41)
    assert len(url) == 90 and segno.make(url, error="m").version == 6
    assert qr_svg(url).startswith("<svg")
