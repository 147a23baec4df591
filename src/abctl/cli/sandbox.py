"""`abctl sandbox`: run the built-in stand-in for Apple's API, and make token files it accepts."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from abctl.cli.context import AppContext
from abctl.errors import InputError
from abctl.output import Column

app = typer.Typer(help="Run a local stand-in for Apple's Apps and Books API, to rehearse without production.")

TOKEN_STATES = ("ok", "revoked", "claimed", "malformed")


def write_private(path: Path, text: str) -> None:
    """Write a token file readable only by its owner, exactly as Apple writes one: no trailing newline (clients
    send the file's bytes as the bearer token, and a newline in a header is refused)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def _parse_date(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"`{text}` is not a date", hint="use YYYY-MM-DD, for example 2027-06-30") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@app.command("serve")
def serve(
    ctx: typer.Context,
    *,
    port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535, help="Port on 127.0.0.1 (0: any).")] = 8765,
    seed: Annotated[str, typer.Option("--seed", help="demo, empty, or bench (3 x 100,000 assignments).")] = "demo",
    latency: Annotated[float, typer.Option("--latency", min=0, help="Milliseconds added to every request.")] = 0,
    faults: Annotated[str, typer.Option("--faults", help="e.g. 429=0.1,503=0.05,drop=0.05,seed=7")] = "",
    event_delay: Annotated[float, typer.Option("--event-delay", min=0, help="Seconds before writes complete.")] = 1.0,
    rate_scope: Annotated[
        str, typer.Option("--rate-scope", help="Who shares the 15 requests/s: location (each token) or organization.")
    ] = "location",
    token_dir: Annotated[Path, typer.Option("--token-dir", help="Where to write the seed's token files.")] = Path(
        "sandbox-tokens"
    ),
    unknown_users: Annotated[
        str, typer.Option("--unknown-users", help="sync: HTTP 400 + 9609 at once; async: 9609 in the event status.")
    ] = "sync",
    notify_https_only: Annotated[
        bool, typer.Option("--notify-https-only", help="Refuse plain http notification URLs, even on loopback.")
    ] = False,
    notify_any_host: Annotated[
        bool, typer.Option("--notify-any-host", help="Deliver notifications beyond 127.0.0.1 too.")
    ] = False,
    notify_attempts: Annotated[
        int, typer.Option("--notify-attempts", min=1, max=10, help="Tries per notification.")
    ] = 3,
    notify_retry_delay: Annotated[
        float, typer.Option("--notify-retry-delay", min=0, help="Seconds before a failed notification is retried.")
    ] = 1.0,
) -> None:
    """Serve the sandbox on 127.0.0.1 until interrupted.

    Example: abctl sandbox serve --seed demo --latency 50
    """
    from abctl.sandbox.app import SandboxApp
    from abctl.sandbox.faults import FaultSpec
    from abctl.sandbox.options import UNKNOWN_USER_FORMS, SandboxOptions
    from abctl.sandbox.ratelimit import SCOPES, RequestCounter
    from abctl.sandbox.seeds import demo, generate
    from abctl.sandbox.server import serve as start
    from abctl.sandbox.state import SandboxState

    actx = AppContext.of(ctx)
    if rate_scope not in SCOPES:
        raise InputError(f"unknown rate scope `{rate_scope}`", hint="use --rate-scope location or organization")
    if unknown_users not in UNKNOWN_USER_FORMS:
        raise InputError(f"unknown --unknown-users `{unknown_users}`", hint="use --unknown-users sync or async")
    options = SandboxOptions(unknown_users=unknown_users, notify_https_only=notify_https_only,
                             notify_any_host=notify_any_host, notify_attempts=notify_attempts,
                             notify_retry_delay=notify_retry_delay)  # fmt: skip
    spec = FaultSpec.parse(",".join(part for part in (faults, f"latency={latency}" if latency else "") if part))
    now = datetime.now(UTC)
    if seed == "demo":
        world = demo(now=now)
    elif seed == "bench":
        world = generate(now=now)
    elif seed == "empty":
        world = demo(now=now, clock_state=SandboxState())
        world.state.locations.clear()
        world.tokens.clear()
    else:
        raise InputError(f"unknown seed `{seed}`", hint="use --seed demo, empty or bench")
    world.state.event_delay = event_delay
    world.state.counter = RequestCounter(scope=rate_scope)
    running = start(SandboxApp(world.state, faults=spec, options=options), port=port, clock=world.state.clock)
    rows = []
    for token in world.tokens:
        path = token_dir / f"{token.name}.vpptoken"
        write_private(path, token.text)
        rows.append({"name": token.name, "space": token.space, "location": token.location_name, "file": str(path)})
    actx.renderer.rows(rows, [Column("name", "Token"), Column("space", "Space"), Column("location", "Location"),
                              Column("file", "File")], title="Sandbox tokens")  # fmt: skip
    actx.renderer.info(f"Sandbox listening on {running.url} (API {running.api_url}); Ctrl-C stops it.")
    actx.renderer.info(f"Point abctl at it: export ABCTL_API_URL={running.api_url}")
    try:
        running.serve_forever()
    except KeyboardInterrupt:
        actx.renderer.info("Sandbox stopped.")
    finally:
        running.shutdown()


@app.command("token")
def token(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Location name; the sandbox creates it on first use.")],
    *,
    org: Annotated[str, typer.Option("--org", help="Organization name in the token.")] = "Sandbox Org",
    expires: Annotated[str | None, typer.Option("--expires", help="Expiry date (default: a year from now).")] = None,
    state: Annotated[str, typer.Option("--state", help="ok, revoked, claimed or malformed (drills).")] = "ok",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: NAME.vpptoken).")
    ] = None,
) -> None:
    """Write a .vpptoken file that any abctl sandbox accepts.

    Example: abctl sandbox token lab2 --org "Springfield Schools" -o lab2.vpptoken
    """
    from abctl.sandbox.tokens import mint_token
    from abctl.services.names.spaces import validate_name

    validate_name(name, "token")
    if state not in TOKEN_STATES:
        raise InputError(f"unknown token state `{state}`", hint=f"use one of: {', '.join(TOKEN_STATES)}")
    expires_at = _parse_date(expires) if expires else datetime.now(UTC) + timedelta(days=365)
    suffix = "" if state in ("ok", "malformed") else f"~{state}"
    text = mint_token(f"sandbox-{name}{suffix}", org_name=org, expires_at=expires_at)
    if state == "malformed":
        text = "not a token: " + text[:12]
    path = output or Path(f"{name}.vpptoken")
    write_private(path, text)
    AppContext.of(ctx).renderer.success(f"Wrote {path} ({state}, expires {expires_at:%Y-%m-%d}).")
