"""The district's public disclosure log (AUDIT.md A7–A8, ADR 0037), served read-only, no login.

- ``GET /log/<district>/checkpoint``, ``/tile/<L>/<N>[.p/<W>]``, ``/tile/entries/<N>[.p/<W>]``:
  the static C2SP tlog-tiles finance writes into ``SHEQU_DISCLOSURE_LOG_DIR``; tiles are
  immutable (cached for a year), the checkpoint is read fresh. ``/log/<district>/vkey``: the
  log's verifier key (``SHEQU_DISCLOSURE_LOG_VKEY`` when set, else the file beside the tiles).
- ``GET /v/<district>``: the static verify page (``gateway/verify/``) that checks a line in the
  browser; ``/v/assets/…`` its script and the vendored ``@noble/ed25519``.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import Response
from shequ.audit.rfc9162 import inclusion_path
from shequ.audit.tiles import b64url, read_leaf_hashes
from shequ.errors import NotFound

from gateway.settings import Settings

ASSETS = files("gateway") / "verify"
_TILE = re.compile(r"^tile/(?:[0-9]|entries)/(?:x[0-9]{3}/)*[0-9]{3}(?:\.p/[0-9]{1,3})?$")
_ASSET = re.compile(r"^(verify\.js|vendor/noble-ed25519-[0-9.]+\.js)$")
IMMUTABLE = "public, max-age=31536000, immutable"
TYPES = {".js": "text/javascript; charset=utf-8", ".html": "text/html; charset=utf-8"}


def _missing(what: str) -> NotFound:
    return NotFound(f"公开日志中没有 {what}", f"the disclosure log has no {what}", "path")


class PublicLog:
    """Reads the log's directory; never writes to it."""

    def __init__(self, settings: Settings) -> None:
        self.district = settings.district
        self.directory = settings.disclosure_log_dir
        self.configured_vkey = settings.disclosure_log_vkey

    def check_district(self, district: str) -> None:
        if district != self.district:
            raise NotFound(
                f"本系统不服务 {district} 区县", f"no district {district} here", "district"
            )

    def vkey(self) -> str:
        if self.configured_vkey:
            return self.configured_vkey
        path = self.directory / "vkey"
        if not path.is_file():
            raise _missing("vkey")
        return path.read_text(encoding="ascii").strip()

    def file(self, name: str) -> bytes:
        if name != "checkpoint" and not _TILE.match(name):
            raise _missing(name[:80])
        path = self.directory / name
        if not path.is_file():
            raise _missing(name[:80])
        return path.read_bytes()

    def proof(self, index: int) -> str:
        """The inclusion path of entry ``index`` in the tree of the current checkpoint, as the
        board's ``&p=`` (base64url of the hashes, deepest first); '' if not in it."""
        try:
            size = int(self.file("checkpoint").split(b"\n")[1])
            leaves = read_leaf_hashes(self.directory, size)
        except (NotFound, OSError, ValueError, IndexError):
            return ""
        if not 0 <= index < size:
            return ""
        return b64url(b"".join(inclusion_path(index, leaves)))


def install(app: FastAPI, log: PublicLog) -> None:
    app.state.public_log = log  # the board's pages print its vkey

    @app.get("/log/{district}/{name:path}", include_in_schema=False)
    async def log_file(district: str, name: str) -> Response:
        log.check_district(district)
        if name == "vkey":
            return Response(log.vkey() + "\n", media_type="text/plain; charset=utf-8")
        data = log.file(name)
        if name == "checkpoint":
            headers = {"Cache-Control": "no-cache"}
            return Response(data, media_type="text/plain; charset=utf-8", headers=headers)
        return Response(
            data, media_type="application/octet-stream", headers={"Cache-Control": IMMUTABLE}
        )

    @app.get("/v/assets/{name:path}", include_in_schema=False)
    async def verify_asset(name: str) -> Response:
        if not _ASSET.match(name):
            raise NotFound("没有这个文件", "no such file", "path")
        data = (ASSETS / name).read_bytes()
        return Response(data, media_type=TYPES[Path(name).suffix])

    @app.get("/v/{district}", include_in_schema=False)
    async def verify_page(district: str) -> Response:
        log.check_district(district)
        page = (ASSETS / "verify.html").read_bytes()
        return Response(page, media_type=TYPES[".html"], headers={"Cache-Control": "no-cache"})
