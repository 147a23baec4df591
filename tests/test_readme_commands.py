"""Every command line of README.md runs as written (issue 16.1), in the README's order, as a real `abctl` process
against a real `abctl sandbox serve` on 127.0.0.1 standing in for Apple.

Shell plumbing is split into its abctl parts: `A && B` runs both, `A || mail ...` runs A (exit 0 or 8, the check
code the `||` is there for), `printf '%s' "$VAR" | abctl ...` gives abctl the variable on stdin, `< FILE` and
`> FILE` read and write files in the session folder, a cron schedule is dropped, `export` sets the session's
environment, commands other than abctl (pip, mail) are skipped. Two adaptations keep parallel test runs apart:
the README's `sandbox serve` line also gets `--port 0`, and the port it picks and the session folder stand in for
`8765` and `/tmp/...` wherever the README names them. Everything else is verbatim: a README command that stops
working fails this test.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CHECK_FAILED = 8
OPERATORS = {"&&", "||", "|", "<", ">", "&", ";"}
CRON = re.compile(r"^(\S+\s+){5}")  # five schedule fields


@dataclass
class Step:
    """One abctl invocation from the README."""

    line: str
    args: list[str]
    codes: frozenset[int] = frozenset({0})
    stdin_file: str | None = None
    stdin_var: str | None = None
    stdout_file: str | None = None
    background: bool = False


@dataclass
class Line:
    text: str
    steps: list[Step] = field(default_factory=list)
    exports: dict[str, str] = field(default_factory=dict)


def readme_lines() -> list[str]:
    """The command lines of README.md's shell code blocks."""
    lines, inside = [], False
    for raw in README.read_text().splitlines():
        if raw.startswith("```"):
            inside = raw.strip() in ("```sh", "```bash", "```console") if not inside else False
            continue
        if inside and raw.strip() and not raw.lstrip().startswith("#"):
            lines.append(raw.strip())
    return lines


def parse(text: str) -> Line:
    """Split one shell line into its abctl invocations (see the module docstring)."""
    comment = text.split("  #", 1)[1] if "  #" in text else ""
    body = CRON.sub("", text) if CRON.match(text) and text[0] in "*0123456789" else text
    lexer = shlex.shlex(body, posix=True, punctuation_chars="|&<>;")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    tokens = list(lexer)
    line = Line(text)
    segments: list[tuple[list[str], str | None]] = []
    current: list[str] = []
    for token in tokens:
        if token in {"&&", "||", "|", "&", ";"}:
            segments.append((current, token))
            current = []
        else:
            current.append(token)
    segments.append((current, None))
    piped_var: str | None = None
    for words, after in segments:
        if not words:
            continue
        if words[0] == "export":
            line.exports.update(dict(word.split("=", 1) for word in words[1:]))
            continue
        if words[0] == "printf" and after == "|":
            piped_var = words[-1].lstrip("$") if words[-1].startswith("$") else None
            continue
        if Path(words[0]).name != "abctl":
            piped_var = None
            continue
        step = Step(text, [], stdin_var=piped_var, background=after == "&")
        piped_var = None
        words_iter = iter(words[1:])
        for word in words_iter:
            if word == "<":
                step.stdin_file = next(words_iter)
            elif word == ">":
                step.stdout_file = next(words_iter)
            else:
                step.args.append(word)
        if after == "||" or "exit 8" in comment:
            step.codes = frozenset({0, CHECK_FAILED})
        line.steps.append(step)
    return line


def test_the_parser_finds_every_abctl_invocation_of_a_line() -> None:
    cron = parse("*/30 * * * * abctl -q sync && abctl -q reconcile")
    assert [s.args for s in cron.steps] == [["-q", "sync"], ["-q", "reconcile"]]
    check = parse('0 7 * * *    abctl -q tokens check --expiring-within 30 || mail -s "x" a@b.c < /dev/null')
    assert [s.args for s in check.steps] == [["-q", "tokens", "check", "--expiring-within", "30"]]
    assert check.steps[0].codes == {0, CHECK_FAILED}
    piped = parse("printf '%s' \"$DISTRICT_VPPTOKEN\" | abctl tokens update district --file -")
    assert piped.steps[0].stdin_var == "DISTRICT_VPPTOKEN"
    redirected = parse("abctl usage --format json > usage.json          # exit 8 when ...")
    assert (redirected.steps[0].stdout_file, redirected.steps[0].codes) == ("usage.json", {0, CHECK_FAILED})
    assert parse("python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/abctl demo").steps[0].args == ["demo"]
    assert parse("export A=1 B=2").exports == {"A": "1", "B": "2"}


@dataclass
class Session:
    folder: Path
    env: dict[str, str]
    replacements: dict[str, str]

    def substitute(self, value: str) -> str:
        for old, new in self.replacements.items():
            value = value.replace(old, new)
        if value.startswith("~/"):
            value = self.env["HOME"] + value[1:]
        return value

    def run(self, step: Step) -> subprocess.CompletedProcess[str]:
        args = [self.substitute(arg) for arg in step.args]
        stdin = None
        if step.stdin_file is not None:
            stdin = (self.folder / self.substitute(step.stdin_file)).read_text()
        if step.stdin_var is not None:
            stdin = self.env[step.stdin_var]
        result = subprocess.run(
            [sys.executable, "-m", "abctl", *args], input=stdin, capture_output=True, text=True, env=self.env,
            cwd=self.folder, timeout=120, check=False,
        )  # fmt: skip
        if step.stdout_file is not None:
            target = self.folder / self.substitute(step.stdout_file)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(result.stdout)
        return result


def _drain(stream: Any) -> None:
    with stream:
        for _line in stream:
            pass


@pytest.fixture
def session(tmp_path: Path) -> Iterator[tuple[Session, list[Line]]]:
    lines = [parse(text) for text in readme_lines()]
    serve = next(s for line in lines for s in line.steps if s.args[:2] == ["sandbox", "serve"] and s.background)
    folder = tmp_path / "session"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ABCTL_")}
    env.update(HOME=str(tmp_path / "user"), ABCTL_HOME=str(tmp_path / "abctl-home"), NO_COLOR="1", COLUMNS="120",
               ABCTL_POLL_INTERVAL="0", PYTHONUNBUFFERED="1")  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "abctl", *serve.args, "--port", "0"], env=env, cwd=folder, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert server.stderr is not None
    api_url = ""
    for text in server.stderr:
        found = re.search(r"ABCTL_API_URL=(\S+)", text)
        if found:
            api_url = found.group(1)
            break
    assert api_url, "the README's sandbox serve line did not start a sandbox"
    drain = threading.Thread(target=_drain, args=(server.stderr,), daemon=True)
    drain.start()
    port = re.search(r":(\d+)/", api_url)
    assert port is not None
    tokens = folder / "sandbox-tokens"
    downloads = tmp_path / "user" / "Downloads"
    downloads.mkdir(parents=True)
    for token in tokens.glob("*.vpptoken"):  # where the README's first steps expect the admin's downloads
        (downloads / token.name).write_text(token.read_text())
        (folder / token.name).write_text(token.read_text())
    env.update(ABCTL_API_URL=api_url, DISTRICT_VPPTOKEN=(tokens / "district.vpptoken").read_text().strip())
    replacements = {"127.0.0.1:8765": f"127.0.0.1:{port.group(1)}", "/tmp/": str(tmp_path) + "/"}
    try:
        yield Session(folder, env, replacements), lines
    finally:
        server.terminate()
        server.wait(timeout=10)
        drain.join(timeout=10)


@pytest.mark.e2e
def test_every_readme_command_line_runs(session: tuple[Session, list[Line]]) -> None:
    runner, lines = session
    ran: list[str] = []
    for line in lines:
        for name, value in line.exports.items():
            runner.env[name] = runner.substitute(value)
        for step in line.steps:
            if step.args[:2] == ["sandbox", "serve"]:
                continue  # started by the fixture, from this very line
            result = runner.run(step)
            assert result.returncode in step.codes, f"README: {line.text}\n{result.stdout}{result.stderr}"
            assert "Traceback" not in result.stderr, f"README: {line.text}\n{result.stderr}"
            ran.append(shlex.join(step.args))
    assert "--fail-on alert --format json" in " ".join(ran)
    assert isinstance(json.loads((runner.folder / "usage.json").read_text()), list)
    assert (runner.folder / "broken.vpptoken").exists()
    shipped = (ROOT / "completions" / "abctl.bash").read_text()
    assert (Path(runner.env["HOME"]) / ".local/share/bash-completion/completions/abctl").read_text() == shipped
    every = [shlex.join(s.args) for line in lines for s in line.steps if s.args[:2] != ["sandbox", "serve"]]
    assert ran == every
