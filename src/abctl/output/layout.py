"""Laying out a table for people at a given width, without rich (fast, and exact to the character).

Identifiers (names, ids, serials, numbers, times) are never cut: a column of them is as wide as its widest
value. Free text wraps at word boundaries, lists wrap between items, headers wrap between words. When even the
narrowest layout is wider than the terminal, the columns a view marked droppable are shed, highest `drop` first;
if the rest is still too wide, the lines are longer than the terminal rather than an identifier being cut.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

GAP = 2  # spaces between columns
TEXT_MIN = 16  # a free-text column is not squeezed below this (unless its text is shorter)
TEXT_FOLD = 24  # a word of free text longer than this may be folded to fit


@dataclass(frozen=True)
class Spec:
    """A column as the layout sees it."""

    header: str
    right: bool = False
    wrap: bool = False  # free text: wraps between words, long words fold
    drop: int = 0  # 0: always shown; otherwise shed when too narrow, highest first


class Cell(NamedTuple):  # a tuple, not a frozen dataclass: a 30,000-row result makes 300,000 of them
    """One cell: its unbreakable pieces, joined by one space when they share a line."""

    atoms: tuple[str, ...]

    @staticmethod
    def scalar(text: str) -> Cell:
        return Cell((text,) if text else ())

    @staticmethod
    def words(text: str) -> Cell:
        return Cell(tuple(text.split()))

    @staticmethod
    def items(items: Sequence[str]) -> Cell:
        last = len(items) - 1
        return Cell(tuple(item + ("," if i < last else "") for i, item in enumerate(items)))

    @property
    def text(self) -> str:
        return self.atoms[0] if len(self.atoms) == 1 else " ".join(self.atoms)


@dataclass(frozen=True)
class Layout:
    shown: tuple[int, ...]  # indices of the columns drawn, in order
    widths: tuple[int, ...]  # their widths
    shed: int  # droppable columns left out for lack of width

    @property
    def total(self) -> int:
        return sum(self.widths) + GAP * max(len(self.widths) - 1, 0)


def cell_len(text: str) -> int:
    """Terminal cells a text takes: wide East Asian characters count two, combining marks none."""
    if text.isascii():
        return len(text)
    size = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        size += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return size


def _min_width(spec: Spec, cells: Sequence[Cell], natural: int) -> int:
    header = max((cell_len(word) for word in spec.header.split()), default=0)
    longest = max((cell_len(atom) for cell in cells for atom in cell.atoms), default=0)
    if spec.wrap:
        return max(header, min(natural, max(min(longest, TEXT_FOLD), TEXT_MIN)))
    return max(header, longest)


def plan(specs: Sequence[Spec], rows: Sequence[Sequence[Cell]], width: int | None) -> Layout:
    """Which columns to draw and how wide; `width` None means no limit (one line per row)."""
    columns = range(len(specs))
    natural = [
        max(cell_len(specs[j].header), *(cell_len(row[j].text) for row in rows)) if rows else cell_len(specs[j].header)
        for j in columns
    ]
    if width is None or sum(natural) + GAP * (len(specs) - 1) <= width:
        return Layout(tuple(columns), tuple(natural), 0)
    minimum = [_min_width(specs[j], [row[j] for row in rows], natural[j]) for j in columns]
    shown = list(columns)

    def total(indices: Sequence[int], widths: Sequence[int]) -> int:
        return sum(widths[j] for j in indices) + GAP * max(len(indices) - 1, 0)

    shed = 0
    while total(shown, minimum) > width:
        droppable = [j for j in shown if specs[j].drop > 0]
        if not droppable:
            break
        victim = max(droppable, key=lambda j: (specs[j].drop, j))
        shown.remove(victim)
        shed += 1
    widths = {j: minimum[j] for j in shown}
    spare = width - total(shown, minimum)
    for j in shown:  # first headers on one line, left to right (a header is unwrapped whole or not at all)
        grant = cell_len(specs[j].header) - widths[j]
        if 0 < grant <= spare:
            widths[j] += grant
            spare -= grant
    while spare > 0:  # then free text and lists, the most wrapped first
        wanting = [j for j in shown if widths[j] < natural[j]]
        if not wanting:
            break
        neediest = max(wanting, key=lambda j: natural[j] - widths[j])
        widths[neediest] += 1
        spare -= 1
    return Layout(tuple(shown), tuple(widths[j] for j in shown), shed)


def _fold(atom: str, width: int) -> list[str]:
    pieces, current = [], ""
    for char in atom:
        if current and cell_len(current + char) > width:
            pieces.append(current)
            current = ""
        current += char
    return [*pieces, current] if current else pieces


def wrap(cell: Cell, width: int, *, fold: bool = True) -> list[str]:
    """The cell's lines at a width; an atom longer than the width is folded only when `fold` (free text)."""
    if len(cell.atoms) <= 1 and (not fold or not cell.atoms or cell_len(cell.atoms[0]) <= width):
        return [cell.atoms[0] if cell.atoms else ""]
    lines: list[str] = []
    current = ""
    for atom in cell.atoms:
        candidate = f"{current} {atom}" if current else atom
        if cell_len(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        if cell_len(atom) <= width or not fold:
            current = atom
        else:
            *full, current = _fold(atom, width)
            lines.extend(full)
    if current:
        lines.append(current)
    return lines or [""]


def pad(text: str, width: int, right: bool) -> str:
    fill = " " * max(width - cell_len(text), 0)
    return fill + text if right else text + fill


def block(specs: Sequence[Spec], cells: Sequence[Cell], layout: Layout) -> list[list[str]]:
    """One row (or the header) as physical lines, each a list of padded pieces, one per shown column."""
    texts = [cells[j].text for j in layout.shown]
    if all(cell_len(text) <= w for text, w in zip(texts, layout.widths, strict=True)):  # one line: the common case
        return [[pad(text, w, specs[j].right) for text, j, w in zip(texts, layout.shown, layout.widths, strict=True)]]
    wrapped = [wrap(cells[j], w, fold=specs[j].wrap) for j, w in zip(layout.shown, layout.widths, strict=True)]
    height = max(len(lines) for lines in wrapped) if wrapped else 1
    return [
        [
            pad(lines[i] if i < len(lines) else "", w, specs[j].right)
            for lines, j, w in zip(wrapped, layout.shown, layout.widths, strict=True)
        ]
        for i in range(height)
    ]
