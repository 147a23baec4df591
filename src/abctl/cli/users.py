"""`abctl users`: add, list, show, import, invite (register with Apple), retire and delete."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from abctl.cli import license_views
from abctl.cli.context import AppContext
from abctl.cli.interrupted import local_import
from abctl.cli.options import DryRunOpt, ImportFileArg, ImportFileOpt, SpaceOpt, YesOpt, input_file
from abctl.errors import AbctlError, AppleAPIError, InputError
from abctl.output import Column, Format

if TYPE_CHECKING:
    from abctl.services.inventory import enrollment

app = typer.Typer(help="People: inventory, Apple registration (invite, retire) and deletion.")

USER_COLUMNS = [
    Column("client_user_id", "User"),
    Column("space", "Space"),
    Column("email", "Email"),
    Column("managed_apple_id", "Managed Apple ID", drop=1),
    Column("state", "State"),
    Column("groups", "Groups"),
    Column("apple_status", "Apple status", wrap=True),
]
SHOW_COLUMNS = [*USER_COLUMNS, Column("devices", "Devices"), Column("created_at", "Added")]
# The guide's per-user view: app, version, cost, date assigned, license type, actions.
LICENSE_COLUMNS = [*license_views.LICENSE_COLUMNS[:2], Column("version", "Version", drop=1),
                   Column("cost", "Cost", "right", drop=2),
                   Column("price", "Price", in_table=False), Column("currency", "Currency", in_table=False),
                   *license_views.LICENSE_COLUMNS[2:]]  # fmt: skip
ENROLLMENT_COLUMNS = [  # people get each invite URL whole on a line of its own, under the table
    Column("client_user_id", "User"),
    Column("space", "Space", in_table=False),
    Column("account", "Account"),
    Column("status", "Apple status"),
    Column("result", "Result", style_by_value={"failed": "bold red", "pending": "yellow"}),
    Column("invite_url", "Invite URL", in_table=False),
    Column("event_id", "Event", in_table=False),
    Column("detail", "Detail", wrap=True),
]
UserArg = Annotated[str, typer.Argument(help="The user's id (clientUserId).", show_default=False)]
UsersArg = Annotated[list[str], typer.Argument(help="User ids.", show_default=False)]


@app.command("add")
def add(
    ctx: typer.Context,
    client_user_id: UserArg,
    *,
    email: Annotated[str | None, typer.Option("--email", help="Email address.")] = None,
    managed_apple_id: Annotated[str | None, typer.Option("--managed-apple-id", help="Auto-associates.")] = None,
    groups: Annotated[list[str] | None, typer.Option("--group", "-g", help="A group (repeatable).")] = None,
    space: SpaceOpt = None,
) -> None:
    """Add a user (missing groups are created).

    Example: abctl users add alice --email alice@example.org --group teachers
    """
    from abctl.services.inventory import users as service

    actx = AppContext.of(ctx, creates_state=True)
    added = service.add_user(actx.store(), client_user_id, email=email, managed_apple_id=managed_apple_id,
                             groups=groups or (), space=space, now=actx.runtime().now())  # fmt: skip
    if added.created_groups:
        actx.renderer.info(f"Created group(s): {', '.join(added.created_groups)}.")
    verb = "Restored" if added.revived else "Added"
    actx.renderer.success(f"{verb} user `{added.user.client_user_id}` in space `{added.user.space}`.")


@app.command("list")
def list_(
    ctx: typer.Context,
    *,
    space: SpaceOpt = None,
    deleted: Annotated[bool, typer.Option("--deleted", help="Include deleted users.")] = False,
) -> None:
    """List users with their Apple status per account.

    Every space unless --space is given; deleted users only with --deleted.

    Example: abctl --format json users list --space default
    """
    from abctl.services.inventory import users as service

    actx = AppContext.of(ctx)
    views = service.list_users(actx.store(), space=space, include_deleted=deleted)
    actx.renderer.rows([view.as_dict() for view in views], USER_COLUMNS, title="Users")


@app.command("show")
def show(ctx: typer.Context, client_user_id: UserArg) -> None:
    """Show a user, their devices, and every license they use.

    Example: abctl users show alice
    """
    from abctl.services.inventory import users as service

    actx = AppContext.of(ctx)
    detail = service.user_detail(actx.store(), client_user_id, now=actx.runtime().now())
    record = {**detail.user.as_dict(), "devices": list(detail.devices)}
    license_views.show_licenses(actx, record, SHOW_COLUMNS, detail.licenses, f"User {detail.user.client_user_id}",
                                LICENSE_COLUMNS)  # fmt: skip


@app.command("import")
def import_(
    ctx: typer.Context,
    positional: ImportFileArg = None,
    *,
    file: ImportFileOpt = None,
    space: SpaceOpt = None,
) -> None:
    """Add or update users from a CSV or JSON file (all or nothing).

    CSV columns: client_user_id (required) and email,managed_apple_id,groups,space; groups separated by `;`.

    Example: abctl users import --file staff.csv
    """
    from abctl.services.inventory import users as service
    from abctl.services.inventory.import_files import read_text

    actx = AppContext.of(ctx, creates_state=True)
    text, source = read_text(input_file(file, positional, "users import"), sys.stdin)
    with local_import(actx.command_line):
        result = service.import_users(actx.store(), text, source, space=space, now=actx.runtime().now())
    if result.created_groups:
        actx.renderer.info(f"Created group(s): {', '.join(result.created_groups)}.")
    actx.renderer.success(
        f"Imported {result.rows} user(s) from {source}: {result.added} added, {result.updated} updated,"
        f" {result.unchanged} unchanged; {result.memberships_added} group membership(s) added."
    )


def _enrollment(
    actx: AppContext, rows: Sequence[enrollment.EnrollmentRow], title: str, *, invite: bool = False
) -> None:
    """The registrations. An invitation's data is its URLs: people get each whole on its own line under the
    table, and with -q only them; scripts get them in the rows. A retirement is a report: nothing with -q."""
    renderer = actx.renderer
    listing = [row.as_dict() for row in rows]
    renderer.rows(listing, ENROLLMENT_COLUMNS, title=title, outcome=not invite or renderer.fmt is Format.TABLE)
    urls = [row for row in rows if row.invite_url]
    if invite and urls and renderer.fmt is Format.TABLE and not renderer.selected:
        lines = [f"{row.client_user_id} in `{row.account}`:\n  {row.invite_url}" for row in urls]
        heading = "" if renderer.quiet else "\nInvite URLs (each user opens theirs on their device):\n"
        renderer.text(heading + "\n".join(lines))
    failed = [row for row in rows if row.result == "failed"]
    if failed:
        raise AppleAPIError(f"{len(failed)} of {len(rows)} user registration(s) failed", hint="see the Detail column")


@app.command("invite")
def invite(
    ctx: typer.Context,
    client_user_ids: Annotated[list[str] | None, typer.Argument(help="User ids.", show_default=False)] = None,
    *,
    all_pending: Annotated[bool, typer.Option("--all-pending", help="Every user not yet associated.")] = False,
    space: SpaceOpt = None,
) -> None:
    """Register users with Apple and print their invite URLs.

    Registers each user with every account of the user's space; a managed Apple ID is associated at once.
    --all-pending takes every active user not yet associated everywhere (of every space unless --space).

    Example: abctl users invite alice
    """
    from abctl.services.inventory import enrollment

    if bool(client_user_ids) == all_pending:
        actx = AppContext.of(ctx)
        if all_pending:
            named = " ".join(client_user_ids or [])
            raise InputError("name users or give --all-pending, not both",
                             hint=f"abctl users invite {named}, or abctl users invite --all-pending")  # fmt: skip
        try:  # a suggestion only: the usage error comes first, with or without a database
            pending = [user.client_user_id for user in enrollment.pending_users(actx.runtime(), space)][:3]
        except AbctlError:
            pending = []
        hint = f"abctl users invite {' '.join(pending)}, or abctl users invite --all-pending" if pending else (
            "no user is waiting for an invite; see: abctl users list")  # fmt: skip
        raise InputError("name the users to invite, or give --all-pending", hint=hint)
    actx = AppContext.of(ctx)
    actx.renderer.check_columns(ENROLLMENT_COLUMNS)
    with actx.writer_lock(), actx.renderer.progress("Registering") as advance:
        rows = enrollment.invite_users(
            actx.runtime(), client_user_ids or (), all_pending=all_pending, space=space, on_progress=advance
        )
    _enrollment(actx, rows, "Invitations", invite=True)


@app.command("retire")
def retire(ctx: typer.Context, client_user_ids: UsersArg) -> None:
    """Retire users at Apple (users/retire) in every account.

    Example: abctl users retire alice
    """
    from abctl.services.inventory import enrollment

    actx = AppContext.of(ctx)
    actx.renderer.check_columns(ENROLLMENT_COLUMNS)
    with actx.writer_lock(), actx.renderer.progress("Retiring") as advance:
        rows = enrollment.retire_users(actx.runtime(), client_user_ids, on_progress=advance)
    _enrollment(actx, rows, "Retired users")


@app.command("delete")
def delete(ctx: typer.Context, client_user_ids: UsersArg, *, dry_run: DryRunOpt = False, yes: YesOpt = False) -> None:
    """Delete users and revoke their user-based licenses.

    Example: abctl users delete alice --yes
    """
    from abctl.services.inventory import users as service

    actx = AppContext.of(ctx)
    plan = service.plan_user_deletion(actx.store(), client_user_ids, now=actx.runtime().now())
    names = ", ".join(f"`{user.client_user_id}`" for user in plan.users)
    license_views.show_plan(actx, plan.revocation, title=f"Licenses released when deleting {names}", dry_run=dry_run)
    if dry_run:
        return
    count = len(plan.revocation.to_send)
    license_views.confirm(f"Delete {names} and revoke {count} license(s)?", yes=yes,
                            retry=f"abctl users delete {' '.join(client_user_ids)}")  # fmt: skip
    with actx.writer_lock(), actx.renderer.progress("Revoking") as advance:
        result = service.delete_users(actx.runtime(), plan, on_progress=advance)
    kept = result.failed_targets()
    deleted = [f"`{u.client_user_id}`" for u in plan.users if f"user:{u.client_user_id}" not in kept]
    if deleted:
        actx.renderer.success(f"Deleted {', '.join(deleted)}.")
    license_views.show_result(actx, result)
