"""A client of Apple's App and Book Management API v2 written from ../shared/apple-api.md alone, with plain
urllib: no abctl code. The independent tests drive `abctl sandbox serve` through it, so a misunderstanding
shared by abctl's client and the sandbox cannot hide.

Also: the running `abctl sandbox serve` subprocess, and a notification receiver (http.server on 127.0.0.1).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only: never a proxy
PER_SECOND = 12  # below Apple's maxRequestPerSecond (15) for one token, as a well-behaved client stays
_SENT: dict[str, list[float]] = {}
_PACE = threading.Lock()


def pace(token: str | None) -> None:
    """Wait until one more request of this token fits in a one-second window of PER_SECOND."""
    if token is None:
        return
    while True:
        with _PACE:
            now = time.monotonic()
            sent = [t for t in _SENT.get(token, []) if now - t < 1.0]
            if len(sent) < PER_SECOND:
                _SENT[token] = [*sent, now]
                return
            wait = 1.0 - (now - sent[0])
        time.sleep(max(wait, 0.005))


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any

    @property
    def error(self) -> int | None:
        return self.body.get("errorNumber") if isinstance(self.body, dict) else None


def http(method: str, url: str, *, headers: dict[str, str] | None = None, data: bytes | None = None) -> Answer:
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with OPENER.open(request, timeout=10) as response:
            raw, status, got = response.read(), response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        raw, status, got = error.read(), error.code, dict(error.headers)
    try:
        body: Any = json.loads(raw) if raw else None
    except ValueError:
        body = raw.decode(errors="replace")
    return Answer(status, got, body)


@dataclass
class Apple:
    """Apple's v2 endpoints under `api` (".../mdm/v2/"), with one location's token file text."""

    api: str
    token: str | None = None

    def get(self, path: str, token: str | None = None, **params: Any) -> Answer:
        query = f"?{urlencode({k: _param(v) for k, v in params.items()})}" if params else ""
        pace(token if token is not None else self.token)
        return http("GET", self.api + path + query, headers=self._auth(token))

    def post(self, path: str, body: Any, token: str | None = None, content_type: str = "application/json") -> Answer:
        headers = {**self._auth(token), "Content-Type": content_type}
        pace(token if token is not None else self.token)
        return http("POST", self.api + path, headers=headers, data=json.dumps(body).encode())

    def walk(self, path: str, key: str, **params: Any) -> tuple[list[dict[str, Any]], str]:
        """Every page from 0 following nextPageIndex; returns the records and the first page's versionId."""
        first = self.get(path, **params)
        assert first.status == 200, first.body
        records, version = list(first.body[key]), first.body["versionId"]
        page = first.body
        while "nextPageIndex" in page:
            nxt = self.get(path, **params, pageIndex=page["nextPageIndex"])
            assert nxt.status == 200 and nxt.body["currentPageIndex"] == page["nextPageIndex"], nxt.body
            page = nxt.body
            records += page[key]
        return records, version

    def wait(self, event_id: str, timeout: float = 5.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            status = self.get("status", eventId=event_id).body
            if status["eventStatus"] != "PENDING" or time.monotonic() > deadline:
                return status  # type: ignore[no-any-return]
            time.sleep(0.05)

    def _auth(self, token: str | None) -> dict[str, str]:
        value = token if token is not None else self.token
        return {"Authorization": f"Bearer {value}"} if value is not None else {}


def _param(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


class Sandbox:
    """`abctl sandbox serve` in a subprocess, on a free loopback port."""

    def __init__(self, folder: Path, *args: str) -> None:
        self.folder = folder
        env = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
        command = [sys.executable, "-m", "abctl", "sandbox", "serve", "--port", "0", "--token-dir",
                   str(folder / "tokens"), *args]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
        self.url = self._read_url()
        self.api = self.url + "/mdm/v2/"

    def _read_url(self) -> str:
        assert self.process.stderr is not None
        seen = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line:
                break
            seen.append(line)
            found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
            if found:
                return found.group(1)
        self.stop()
        raise AssertionError("the sandbox did not start: " + "".join(seen))

    def token(self, name: str) -> str:
        return (self.folder / "tokens" / f"{name}.vpptoken").read_text()

    def admin(self, path: str, body: dict[str, Any] | None = None) -> Answer:
        if body is None:
            return http("GET", f"{self.url}/sandbox/{path}")
        return http("POST", f"{self.url}/sandbox/{path}", headers={"Content-Type": "application/json"},
                    data=json.dumps(body).encode())  # fmt: skip

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        if self.process.stderr is not None:
            self.process.stderr.close()


def mint(folder: Path, name: str, *args: str) -> str:
    """`abctl sandbox token NAME ...` and the file's exact text."""
    path = folder / f"{name}.vpptoken"
    env = {**os.environ, "NO_COLOR": "1"}
    subprocess.run([sys.executable, "-m", "abctl", "sandbox", "token", name, "-o", str(path), *args], check=True,
                   env=env, capture_output=True)  # fmt: skip
    return path.read_text()


@dataclass
class Received:
    path: str
    authorization: str | None
    body: dict[str, Any]


@dataclass
class Receiver:
    """An MDM's notification endpoint on 127.0.0.1: records every POST; answers `fail_first` of them with 500."""

    fail_first: int = 0
    got: list[Received] = field(default_factory=list)
    url: str = ""

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with receiver._lock:
                    failing = receiver.fail_first > 0
                    receiver.fail_first -= 1 if failing else 0
                    receiver.got.append(Received(self.path, self.headers.get("Authorization"), body))
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/mdm/notify"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def of_type(self, kind: str) -> list[Received]:
        with self._lock:
            return [r for r in self.got if r.body.get("notificationType") == kind]

    def wait_for(self, kind: str, count: int = 1, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.of_type(kind)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"{count} {kind} notification(s) expected, got {len(self.of_type(kind))}: {self.got}")

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
