"""Usage as Prometheus text exposition (format 0.0.4) for node_exporter's textfile collector.

Pure text building: one gauge family per count, HELP and TYPE before its samples, one sample per account and
asset (the per-app total rows are left out: `sum by (adam_id)` gives them). The CLI prints the text as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from abctl.services.reporting.usage import UsageRow

LEVEL_VALUES = {None: 0, "info": 1, "warn": 2, "alert": 3}
LABELS = ("space", "account", "adam_id", "name", "pricing_param")

_Metric = tuple[str, str, Callable[["UsageRow"], float]]
METRICS: tuple[_Metric, ...] = (
    ("abctl_license_total", "Licenses purchased for the asset in the account.", lambda row: row.total),
    ("abctl_license_assigned", "Licenses assigned (redeemed) in the account.", lambda row: row.assigned),
    ("abctl_license_available", "Licenses free to assign in the account.", lambda row: row.available),
    (
        "abctl_license_level",
        "Usage notification level: 0 none, 1 info, 2 warn, 3 alert.",
        lambda row: LEVEL_VALUES.get(row.level, 0),
    ),
)


def escape_label_value(value: str) -> str:
    """Backslash, double quote and line feed escaped as the exposition format requires."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def escape_help(text: str) -> str:
    """HELP text escapes only backslash and line feed."""
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _labels(row: UsageRow) -> str:
    values = {
        "space": row.space,
        "account": row.account,
        "adam_id": row.adam_id,
        "name": row.name,
        "pricing_param": row.pricing_param,
    }
    return ",".join(f'{key}="{escape_label_value(values[key])}"' for key in LABELS)


def usage_exposition(rows: Sequence[UsageRow]) -> str:
    """The gauges for every account row (total rows skipped), one family after another, ending in a newline."""
    accounts = [row for row in rows if not row.is_total]
    lines: list[str] = []
    for name, help_text, value in METRICS:
        lines.append(f"# HELP {name} {escape_help(help_text)}")
        lines.append(f"# TYPE {name} gauge")
        lines.extend(f"{name}{{{_labels(row)}}} {_number(value(row))}" for row in accounts)
    return "\n".join(lines) + "\n"
