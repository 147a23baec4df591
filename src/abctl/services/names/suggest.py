"""Did-you-mean: the known names closest to what the admin typed, and the NotFoundError every resolver raises."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol

from abctl.errors import NotFoundError

MAX_SUGGESTIONS = 3
CUTOFF = 0.6
LARGE = 2000  # past this many names (a school's serials or users), only names a typo or two away are compared


def close_matches(value: str, candidates: Iterable[str], n: int = MAX_SUGGESTIONS) -> list[str]:
    """The candidates most like `value`, best first (ties in name order): the same name in other letter case, then
    similar spellings (difflib's ratio of at least 0.6, ignoring case)."""
    return Names(candidates).closest(value, n)


class Names:
    """Known names folded once, for many did-you-mean questions (an import with several unknown owners)."""

    def __init__(self, candidates: Iterable[str]) -> None:
        self._by_fold: dict[str, str] = {}
        for candidate in sorted(set(candidates)):
            self._by_fold.setdefault(candidate.casefold(), candidate)

    def closest(self, value: str, n: int = MAX_SUGGESTIONS) -> list[str]:
        """See `close_matches`."""
        by_fold = self._by_fold
        wanted = value.strip().casefold()
        if not wanted:
            return []
        folds = list(by_fold) if len(by_fold) <= LARGE else [fold for fold in by_fold if _near(wanted, fold)]
        matcher = difflib.SequenceMatcher(b=wanted)
        scored: list[tuple[float, str]] = []
        for fold in folds:
            candidate = by_fold[fold]
            if candidate == value:
                continue
            matcher.set_seq1(fold)
            if fold == wanted:
                scored.append((2.0, candidate))
            elif matcher.real_quick_ratio() >= CUTOFF and matcher.quick_ratio() >= CUTOFF and matcher.ratio() >= CUTOFF:
                scored.append((matcher.ratio(), candidate))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [candidate for _score, candidate in scored[:n]]


def _near(wanted: str, other: str) -> bool:
    """At most two characters typed wrong, left out or added: the two share all but two characters at their
    start and end (a cheap test; difflib then ranks the few names that pass)."""
    shorter = min(len(wanted), len(other))
    if abs(len(wanted) - len(other)) > 2:
        return False
    prefix = 0
    while prefix < shorter and wanted[prefix] == other[prefix]:
        prefix += 1
    suffix = 0
    while suffix < shorter - prefix and wanted[-1 - suffix] == other[-1 - suffix]:
        suffix += 1
    return prefix + suffix >= shorter - 2


def did_you_mean(value: str, candidates: Iterable[str], otherwise: str) -> str:
    """`did you mean `a` or `b`?`, or `otherwise` when nothing is close."""
    close = close_matches(value, candidates)
    return f"did you mean {' or '.join(f'`{name}`' for name in close)}?" if close else otherwise


def unknown(message: str, value: str, candidates: Iterable[str], *, otherwise: str) -> NotFoundError:
    """The NotFoundError for a name nobody has: `message`, and a did-you-mean hint (else `otherwise`)."""
    return NotFoundError(message, hint=did_you_mean(value, candidates, otherwise))


class InSpace(Protocol):
    """A record that lives in one space (a device, a user)."""

    @property
    def space(self) -> str: ...


def missing_in_space(
    noun: str,
    unknown_message: str,
    ids: Sequence[str],
    found: Mapping[str, InSpace],
    known_ids: Callable[[], Iterable[str]],
    listing: str,
    *,
    space: str | None = None,
) -> NotFoundError | None:
    """The error for the first of `ids` not in `found` (`unknown_message` with `{}` for the id, and a did-you-mean
    among `known_ids()`), else for the first one outside `space` (naming its space); None when all are there."""
    unknown = [key for key in dict.fromkeys(ids) if key not in found]
    if unknown:
        more = f" (and {len(unknown) - 1} more: {', '.join(unknown[1:4])}{' ...' if len(unknown) > 4 else ''})"
        hint = did_you_mean(unknown[0], known_ids(), listing + (f" --space {space}" if space else ""))
        return NotFoundError(unknown_message.format(unknown[0]) + (more if len(unknown) > 1 else ""), hint=hint)
    elsewhere = [key for key in dict.fromkeys(ids) if space is not None and found[key].space != space]
    if elsewhere:
        other = found[elsewhere[0]].space
        more = f" (and {len(elsewhere) - 1} more)" if len(elsewhere) > 1 else ""
        return NotFoundError(f"{noun} `{elsewhere[0]}` is in space `{other}`, not `{space}`{more}",
                             hint=f"add --space {other}")  # fmt: skip
    return None
