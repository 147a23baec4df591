"""Option types shared by several commands, as `Annotated` aliases."""

from __future__ import annotations

from typing import Annotated

import typer

SpaceOpt = Annotated[
    str | None,
    typer.Option("--space", "-s", help="Space to act on (default: `default`).", show_default=False),
]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Show the plan and change nothing.")]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
LimitOpt = Annotated[int, typer.Option("--limit", "-n", min=1, help="Show at most this many rows.")]
