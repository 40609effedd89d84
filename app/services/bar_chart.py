"""Horizontal bar charts drawn as inline SVG: the same drawing in the PDFs (WeasyPrint) and
the pages (CSS scales it to the screen), so what a certifier sees is what the report prints.
Names are measured with a generous width estimate and wrapped, so nothing runs off the
label column whatever the script."""

from __future__ import annotations

from html import escape


def bar_chart(items: list[tuple[str, float]], width: int = 170, title: str = "") -> str:
    """A horizontal bar chart as inline SVG (mm units), largest first. The same drawing goes
    into the PDFs and the pages (where CSS scales it to the screen). Names are wrapped onto
    at most two lines that fit the label column, so nothing runs off the left edge."""
    items = sorted(((k, v) for k, v in items if v), key=lambda kv: -abs(kv[1]))[:12]
    if not items:
        return "<p class='muted'>—</p>"
    top = max(abs(v) for _, v in items)
    label_w, bar_w, font = 70, width - 70 - 25, 3.0
    rows = [(_fit_lines(name, label_w - 3, font), value) for name, value in items]
    height = sum(_row_height(lines) for lines, _ in rows) + 2
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'aria-label="{escape(title)}" width="{width}mm" '
             f'height="{height:g}mm" viewBox="0 0 {width} {height:g}">']
    y = 1.0
    for lines, value in rows:
        row = _row_height(lines)
        bar_y = y + (row - 6) / 2
        length = bar_w * abs(value) / top
        text = "".join(f'<tspan x="{label_w - 2}" y="{y + 4 + 3.5 * n:.2f}">{escape(line)}'
                       f'</tspan>' for n, line in enumerate(lines))
        parts.append(f'<text class="bar-label" text-anchor="end" font-size="{font:g}">{text}'
                     f'</text><rect fill="#1f6b4f" x="{label_w}" y="{bar_y:.2f}" '
                     f'width="{length:.2f}" height="4"/>'
                     f'<text class="bar-label" x="{label_w + length + 1.5:.2f}" '
                     f'y="{bar_y + 3.6:.2f}" font-size="{font:g}">{value:,.4g}</text>')
        y += row
    parts.append("</svg>")
    return "".join(parts)


def _row_height(lines: list[str]) -> float:
    return 6.0 + 3.5 * (len(lines) - 1)


def _text_width(text: str, font: float) -> float:
    """A generous estimate of drawn width: CJK and other wide characters a full em, the
    rest 0.6 em (Noto Sans averages about 0.55)."""
    return sum(font if ord(ch) > 0x2E7F else 0.6 * font for ch in text)


def _fit_lines(name: str, width: float, font: float, most: int = 2) -> list[str]:
    """`name` broken into lines no wider than `width`: at spaces where possible, inside a
    long word otherwise; the last line ends in … when the name is longer still."""
    lines: list[str] = []
    current = ""
    for ch in name:
        if _text_width(current + ch, font) <= width:
            current += ch
            continue
        cut = current.rfind(" ")
        if cut > len(current) // 2:
            lines.append(current[:cut])
            current = current[cut + 1:] + ch
        else:
            lines.append(current)
            current = ch
        if len(lines) == most:
            last = lines[-1]
            while last and _text_width(last + "…", font) > width:
                last = last[:-1]
            lines[-1] = last + "…"
            return lines
    return [*lines, current] if current else lines
