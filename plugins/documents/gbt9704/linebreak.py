"""Line breaking on the character grid: full-width characters take one cell, half-width (digits,
Latin) half a cell; basic 避头尾 rules (no closing punctuation at a line start, no opening punctuation
at a line end); Latin words and numbers are not split when a nearby break exists."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

# 行首禁则: may not start a line.
NO_START = frozenset("，。、；：？！）】》〉」』〕｝］”’…—·%‰℃,.;:?!)]}>、\u3001\u3002ーゝゞ々")
# 行尾禁则: may not end a line.
NO_END = frozenset("（【《〈「『〔｛［“‘([{<")
MAX_PUSH = 6  # how far a break may move back to satisfy the rules before giving up


def cells(char: str) -> float:
    """Grid cells of one character: 1 for full-width (CJK, Chinese punctuation), 0.5 for half-width."""
    return 0.5 if unicodedata.east_asian_width(char) in ("Na", "H") else 1.0


def text_cells(text: str) -> float:
    return sum(cells(c) for c in text)


def _word_char(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "._-/%")


def _bad_break(text: str, k: int) -> bool:
    """True when a line ending before ``text[k]`` breaks a rule."""
    return text[k] in NO_START or text[k - 1] in NO_END or (_word_char(text[k - 1]) and _word_char(text[k]))


@dataclass(frozen=True)
class Line:
    """Characters ``text[start:end]`` placed from ``indent`` cells; ``justify``: spread to full width."""

    start: int
    end: int
    indent: float
    justify: bool


def break_lines(
    text: str,
    width: float,
    first_indent: float = 0.0,
    rest_indent: float = 0.0,
    prefer: frozenset[int] = frozenset(),
) -> list[Line]:
    """Greedy breaking into lines of at most ``width`` cells (indent included); a line ends at the last
    ``prefer``-red position (e.g. between names) that fits, when there is one."""
    lines: list[Line] = []
    i, n = 0, len(text)
    while i < n:
        indent = first_indent if not lines else rest_indent
        cap = width - indent
        j, used = i, 0.0
        while j < n and used + cells(text[j]) <= cap + 1e-9:
            used += cells(text[j])
            j += 1
        if j == i:  # a single character wider than the room: place it anyway
            j = i + 1
        fitting = [k for k in prefer if i < k <= j]
        justify = j < n and not fitting  # a line ended between names stays ragged
        if j < n and fitting:
            j = max(fitting)
        elif j < n:
            k = j
            while k > i + 1 and j - k < MAX_PUSH and _bad_break(text, k):
                k -= 1
            if not _bad_break(text, k):
                j = k  # else no good break nearby: keep the full line
        lines.append(Line(i, j, indent, justify))
        i = j
    return lines


def positions(text: str, line: Line, width: float) -> list[float]:
    """Cell offset of each character of ``line``; a justified line fills the width exactly (撑满版心)."""
    chars = text[line.start : line.end]
    used = text_cells(chars)
    gap = 0.0
    if line.justify and len(chars) > 1:
        gap = max(0.0, width - line.indent - used) / (len(chars) - 1)
    out, x = [], line.indent
    for c in chars:
        out.append(x)
        x += cells(c) + gap
    return out


def split_title(title: str, width: float, boundaries: set[int]) -> list[str]:
    """Balanced title lines (梯形/菱形 shape) breaking at word ``boundaries`` (词意完整) when possible."""
    total = text_cells(title)
    count = max(1, math.ceil(total / width - 1e-9))
    if count == 1:
        return [title]
    target = total / count
    out: list[str] = []
    start = 0
    for _ in range(count - 1):
        best, best_cost, acc = None, math.inf, 0.0
        for k in range(start + 1, len(title)):
            acc += cells(title[k - 1])
            if acc > width + 1e-9:
                break
            if total - text_cells(title[:k]) > width * (count - len(out) - 1) + 1e-9:
                continue  # the rest would not fit the remaining lines
            cost = abs(acc - target) + (0 if k in boundaries else 3) + (50 if _bad_break(title, k) else 0)
            if cost < best_cost:
                best, best_cost = k, cost
        if best is None:
            break
        out.append(title[start:best])
        start = best
    out.append(title[start:])
    return [line for line in out if line]
