"""Replace one generated section of docs/benchmarks.md, leaving the rest as written."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def write_section(mark: str, end: str, block: str, heading: str, intro: str) -> None:
    """`block` starts with `mark` and ends with `end`; a missing section is appended under
    `heading` and `intro`."""
    current = DOC.read_text("utf-8") if DOC.exists() else "# Benchmarks\n"
    if mark in current and end in current:
        head, rest = current.split(mark, 1)
        DOC.write_text(head + block + rest.split(end, 1)[1], "utf-8")
    else:
        DOC.write_text(current.rstrip("\n") + f"\n\n{heading}\n\n{intro}\n\n{block}\n", "utf-8")
