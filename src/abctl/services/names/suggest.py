"""Did-you-mean: the known names closest to what the admin typed, and the NotFoundError every resolver raises."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from abctl.errors import NotFoundError

MAX_SUGGESTIONS = 3
CUTOFF = 0.6


def close_matches(value: str, candidates: Iterable[str], n: int = MAX_SUGGESTIONS) -> list[str]:
    """The candidates most like `value`, best first (ties in name order): the same name in other letter case, then
    similar spellings (difflib's ratio of at least 0.6, ignoring case)."""
    by_fold: dict[str, str] = {}
    for candidate in sorted(set(candidates)):
        by_fold.setdefault(candidate.casefold(), candidate)
    wanted = value.strip().casefold()
    if not wanted:
        return []
    matcher = difflib.SequenceMatcher(b=wanted)
    scored: list[tuple[float, str]] = []
    for fold, candidate in by_fold.items():
        if candidate == value:
            continue
        matcher.set_seq1(fold)
        if fold == wanted:
            scored.append((2.0, candidate))
        elif matcher.real_quick_ratio() >= CUTOFF and matcher.quick_ratio() >= CUTOFF and matcher.ratio() >= CUTOFF:
            scored.append((matcher.ratio(), candidate))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [candidate for _score, candidate in scored[:n]]


def did_you_mean(value: str, candidates: Iterable[str], otherwise: str) -> str:
    """`did you mean `a` or `b`?`, or `otherwise` when nothing is close."""
    close = close_matches(value, candidates)
    return f"did you mean {' or '.join(f'`{name}`' for name in close)}?" if close else otherwise


def unknown(message: str, value: str, candidates: Iterable[str], *, otherwise: str) -> NotFoundError:
    """The NotFoundError for a name nobody has: `message`, and a did-you-mean hint (else `otherwise`)."""
    return NotFoundError(message, hint=did_you_mean(value, candidates, otherwise))
