"""A real browser for the console's tests: Playwright (PyPI, no browser download) driving
Debian's ``chromium`` (GATEWAY.md G21).

The test process is monkey-patched by eventlet (the root conftest), under which Playwright's
event loop hangs; so the browser lives in a child process (``python -m tests.support.browser``,
never patched) and the tests drive it over a pipe, one JSON line per call. ``Browser`` is the
test's side: ``browser.page()`` opens a page in a fresh context (its own cookies: one person
signed in), and a ``Page`` passes any call of Playwright's ``Page`` (by selector: ``goto``,
``fill``, ``click``, ``inner_text``, ``get_attribute``, ``wait_for_selector``, ...) to the
child and answers its JSON result; a Playwright error comes back as ``BrowserError``.
``Page.shots(name)`` writes the page at 1280×800 and 390×844 into the run's output directory
(``SHEQU_TEST_OUTPUT``, default ``test-output/``, not committed).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}


def output_dir() -> Path:
    out = Path(os.environ.get("SHEQU_TEST_OUTPUT", ROOT / "test-output")) / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    return out


class BrowserError(AssertionError):
    """Playwright refused or timed out in the child (the message is Playwright's)."""


class Browser:
    """The test's handle on one chromium in a child process."""

    def __init__(self) -> None:
        executable = shutil.which("chromium")
        if executable is None:
            raise RuntimeError("chromium is not installed: run `make services` (Debian package)")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["PYTHONPATH"] = str(ROOT)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.browser", executable],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=env,
            cwd=ROOT,
        )
        self.version = self._send({"op": "version"})

    def _send(self, request: dict[str, Any]) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the browser process ended (exit {self.proc.poll()})")
        answer = json.loads(line)
        if "error" in answer:
            raise BrowserError(answer["error"])
        return answer.get("result")

    def page(self, width: int = 1280, height: int = 800, locale: str = "zh-CN") -> Page:
        """A page in a new context: its own cookies, so its own session."""
        page_id = self._send({"op": "page", "width": width, "height": height, "locale": locale})
        return Page(self, page_id)

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(RuntimeError, BrokenPipeError, BrowserError):
                self._send({"op": "quit"})
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Page:
    """One page of the child's chromium; any Playwright ``Page`` method by name."""

    def __init__(self, browser: Browser, page_id: int) -> None:
        self._browser = browser
        self.page_id = page_id

    def __getattr__(self, method: str) -> Any:
        if method.startswith("_"):
            raise AttributeError(method)

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._browser._send(
                {"op": "call", "page": self.page_id, "method": method, "args": args, "kw": kwargs}
            )

        return call

    def wait_for(self, url: str) -> None:
        """Wait until the page is at exactly ``url`` (query included; Playwright's own
        ``wait_for_url`` reads a string as a glob, where ``?`` is a wildcard)."""
        self._browser._send({"op": "wait_for", "page": self.page_id, "url": url})

    @property
    def url(self) -> str:
        return str(self._browser._send({"op": "url", "page": self.page_id}))

    def texts(self, selector: str) -> list[str]:
        """The inner text of every element ``selector`` matches, in order."""
        return self._browser._send({"op": "texts", "page": self.page_id, "selector": selector})

    def shots(self, name: str) -> list[Path]:
        """The page as it is now, at 1280×800 and at 390×844 (full page), then back."""
        out = output_dir()
        paths = []
        for label, (width, height) in VIEWPORTS.items():
            path = out / f"{name}-{label}.png"
            self._browser._send(
                {"op": "shot", "page": self.page_id, "path": str(path), "size": [width, height]}
            )
            paths.append(path)
        return paths

    def close(self) -> None:
        self._browser._send({"op": "close", "page": self.page_id})


def _where(pages: dict[int, Any], request: dict[str, Any]) -> str:  # pragma: no cover
    """Where the page was when a call failed: its address and the start of its text."""
    page = pages.get(request.get("page", 0))
    if page is None:
        return ""
    try:
        text = page.inner_text("body", timeout=2000)[:600]
    except Exception as exc:  # noqa: BLE001 - only a hint for the failure's message
        text = f"({type(exc).__name__})"
    return f"\n  at {page.url}\n  page text: {text}"


def _serve(executable: str) -> None:  # pragma: no cover - runs in the child process
    """The child: one chromium, pages by id, one JSON answer per JSON line read."""
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=FLAGS)
        pages: dict[int, Any] = {}
        ids = itertools.count(1)
        for line in sys.stdin:
            request = json.loads(line)
            op = request["op"]
            try:
                if op == "quit":
                    result: Any = None
                elif op == "version":
                    result = chromium.version
                elif op == "page":
                    context = chromium.new_context(
                        viewport={"width": request["width"], "height": request["height"]},
                        locale=request["locale"],
                    )
                    context.set_default_timeout(20_000)
                    result = next(ids)
                    pages[result] = context.new_page()
                elif op == "close":
                    pages.pop(request["page"]).context.close()
                    result = None
                elif op == "wait_for":
                    page = pages[request["page"]]
                    page.wait_for_function("u => location.href === u", arg=request["url"])
                    page.wait_for_load_state()
                    result = None
                elif op == "url":
                    result = pages[request["page"]].url
                elif op == "texts":
                    result = pages[request["page"]].locator(request["selector"]).all_inner_texts()
                elif op == "shot":
                    page = pages[request["page"]]
                    before = page.viewport_size
                    width, height = request["size"]
                    page.set_viewport_size({"width": width, "height": height})
                    page.screenshot(path=request["path"], full_page=True)
                    page.set_viewport_size(before)
                    result = None
                else:
                    page = pages[request["page"]]
                    result = getattr(page, request["method"])(*request["args"], **request["kw"])
                    if hasattr(result, "status") and hasattr(result, "url"):
                        result = {"status": result.status, "url": result.url}  # a Response
                    elif not isinstance(result, str | int | float | bool | list | dict | None):
                        result = None  # an ElementHandle...: not sent back
                answer = {"result": result}
            except (Error, KeyError, TypeError, AttributeError) as exc:
                answer = {"error": f"{type(exc).__name__}: {exc}{_where(pages, request)}"}
            sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
            sys.stdout.flush()
            if op == "quit":
                break
        chromium.close()


if __name__ == "__main__":  # pragma: no cover
    _serve(sys.argv[1])
