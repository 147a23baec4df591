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

# One convention for input files (tokens, imports): `--file F`, and `-` for standard input. The imports also
# take the file as a positional argument, as before (`abctl users import staff.csv`).
ImportFileOpt = Annotated[
    str | None,
    typer.Option("--file", "-F", help="CSV or JSON file, or - to read standard input.", show_default=False),
]
ImportFileArg = Annotated[str | None, typer.Argument(help="The same as --file (kept for scripts).", show_default=False)]


def input_file(option: str | None, positional: str | None, command: str) -> str:
    """The one file given as `--file F` or positionally. Raises: InputError for none, or two different ones."""
    from abctl.errors import InputError

    if option is not None and positional is not None and option != positional:
        raise InputError(
            f"two files given (`{positional}` and --file `{option}`)", hint=f"give one: abctl {command} --file F"
        )
    chosen = option if option is not None else positional
    if chosen is None:
        raise InputError("no file given", hint=f"abctl {command} --file FILE (or --file - to read standard input)")
    return chosen
