"""Text tables that fit the terminal: ``rules list`` and the other listings at any width.

A table is as wide as its widest cells. On a terminal (or when ``COLUMNS`` is set) it is fitted to the
width: the columns marked as wrapping (a title, a condition) wrap at word boundaries, and when even that
leaves them too narrow to read they move, one by one from the right, to indented lines under their row.
The other columns (ids, codes, dates) are never cut, so an id can always be copied. A pipe or a file
gets full-width lines (``grep`` sees one row per rule), as does ``--wide``.
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Sequence

MIN_WRAP = 24  # narrower than this, a wrapping column moves under its row
INDENT = "    "


def output_width(wide: bool = False) -> int | None:
    """The width to fit: None (no limit) with ``wide`` or when standard output is not a terminal and
    ``COLUMNS`` is not set; else ``COLUMNS``, or the terminal's width."""
    if wide:
        return None
    env = os.environ.get("COLUMNS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    stream = sys.stdout
    if stream is not None and stream.isatty():
        import shutil

        return shutil.get_terminal_size().columns
    return None


def _wrap(lines: list[str], width: int) -> list[str]:
    out: list[str] = []
    for line in lines:
        out.extend(textwrap.wrap(line, width=width, subsequent_indent="  ", break_on_hyphens=False,
                                 break_long_words=True) or [""])
    return out


def fit(
    labels: Sequence[str], cells: list[list[list[str]]], widths: list[int], width: int, wrapping: Sequence[int]
) -> tuple[list[int], list[list[list[str]]], list[int]]:
    """Fit a table to ``width``: new column widths, the cells (wrapped), and the columns moved under their rows.

    ``cells[row][column]`` is a list of lines; ``wrapping`` the indexes of the columns that may wrap or move.
    A moved column keeps its index in ``cells`` and gets width 0; the caller prints it under the row, where
    it is named by its ``labels`` entry (the last column, a title, needs no name).
    """
    widths = list(widths)
    moved: list[int] = []
    candidates = [i for i in wrapping if i < len(widths)]
    while True:
        shown = [i for i in range(len(widths)) if i not in moved]
        fixed = sum(widths[i] for i in shown if i not in candidates) + len(shown) - 1
        flexible = [i for i in candidates if i not in moved]
        room = width - fixed
        if not flexible or sum(widths[i] for i in flexible) <= room:
            break
        if room >= MIN_WRAP * len(flexible):
            # Share the room: each wrapping column gets what it needs up to an equal share, the rest to the last.
            share = room // len(flexible)
            for i in flexible[:-1]:
                widths[i] = max(MIN_WRAP, min(widths[i], share))
            widths[flexible[-1]] = room - sum(widths[i] for i in flexible[:-1])
            break
        moved.append(flexible[-1])  # too narrow: the rightmost wrapping column goes under its row
    out_cells = []
    for row in cells:
        new_row = []
        for i, lines in enumerate(row):
            if i in moved:
                named = "" if i == len(row) - 1 else f"{labels[i].lower()}: "
                new_row.append(_wrap([named + " ".join(x.strip() for x in lines)], max(20, width - len(INDENT))))
            elif i in candidates and any(len(x) > widths[i] for x in lines):
                new_row.append(_wrap(lines, widths[i]))
            else:
                new_row.append(lines)
        out_cells.append(new_row)
    for i in moved:
        widths[i] = 0
    return widths, out_cells, moved
