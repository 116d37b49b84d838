"""Hand-made inline SVG charts for the PDF: no JavaScript and no network, so they are on the page the
moment Chromium lays it out, and their Chinese labels are real text (selectable, extractable)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

FONT = "'Noto Sans CJK SC', 'Noto Sans SC', sans-serif"
BLUE, LIGHT, ORANGE, GREEN, GREY, RED = "#2f6db5", "#a9c4e6", "#e07b39", "#3f9b6e", "#9aa0a8", "#c8453b"
Format = Callable[[float], str]


def _text(x: float, y: float, text: str, size: int = 11, anchor: str = "start", fill: str = "#333",
          weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
            f'font-weight="{weight}">{escape(str(text))}</text>')


def _svg(width: int, height: int, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
            f'style="font-family:{FONT};max-width:{width}px" role="img">{"".join(body)}</svg>')


def _legend(series: Sequence[tuple[str, str]], x: float, y: float) -> list[str]:
    out = []
    for name, color in series:
        out.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{color}"/>')
        out.append(_text(x + 14, y, name, 11))
        x += 24 + 12 * len(name)
    return out


# The tallest chart (CSS px) that fits on an A4 page under a section heading and its own title: the page's
# content box is 265 mm ≈ 1000 px high, the two headings take about 100 px. A taller chart would be pushed
# off its title's page and then cut anyway.
PAGE_CHART_HEIGHT = 880
BAR_SIZES = ((13, 9), (12, 7), (11, 6), (10, 5), (9, 4))  # (bar height, gap between groups), thickest first


def hbars(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None], str]], fmt: Format,
          width: int = 640, max_value: float | None = None, target: float | None = None,
          target_label: str = "", label_width: int = 130, max_height: int = PAGE_CHART_HEIGHT) -> list[str]:
    """Horizontal bars, one group per label and one bar per series; None is drawn as no bar and '无数据'.
    Bars get thinner when the groups would not fit in `max_height`; when even the thinnest do not, the
    labels are split over several SVGs of at most `max_height` each (the list holds one SVG per piece)."""
    top = 26 if len(series) > 1 or target is not None else 6
    room = max_height - top - 8
    bar_h, gap = next(((b, g) for b, g in BAR_SIZES if (b * len(series) + g) * len(labels) <= room), BAR_SIZES[-1])
    per_chart = max(1, room // (bar_h * len(series) + gap))
    values = [v for _, vs, _ in series for v in vs if v is not None]
    scale_max = max_value or (max(values) if values else 1) or 1
    return [
        _hbars_piece(labels[i:i + per_chart], [(n, vs[i:i + per_chart], c) for n, vs, c in series], fmt, width,
                     scale_max, target, target_label, label_width, top, bar_h, gap)
        for i in range(0, max(len(labels), 1), per_chart)]


def _hbars_piece(labels, series, fmt: Format, width: int, scale_max: float, target: float | None,
                 target_label: str, label_width: int, top: int, bar_h: int, gap: int) -> str:
    group_h = bar_h * len(series) + gap
    height = top + group_h * len(labels) + 8
    size = min(10, bar_h - 2)  # value labels no taller than their bar's slot
    plot_w = width - label_width - 70
    body = _legend([(n, c) for n, _, c in series], label_width, 14) if len(series) > 1 else []
    for i, label in enumerate(labels):
        y0 = top + i * group_h
        body.append(_text(label_width - 8, y0 + group_h / 2 + 2, label, 11, "end"))
        for j, (_, vs, color) in enumerate(series):
            y = y0 + j * bar_h
            value = vs[i]
            if value is None:
                body.append(_text(label_width + 4, y + bar_h - 3, "无数据", size, fill=GREY))
                continue
            w = max(plot_w * min(value / scale_max, 1.0), 0.5)
            body.append(f'<rect x="{label_width}" y="{y:.1f}" width="{w:.1f}" height="{bar_h - 2}" fill="{color}"/>')
            body.append(_text(label_width + w + 4, y + bar_h - 3, fmt(value), size))
    if target is not None:
        x = label_width + plot_w * min(target / scale_max, 1.0)
        body.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 4}" stroke="{RED}" '
                    f'stroke-dasharray="4 3"/>')
        body.append(_text(x, top - 8, target_label, 10, "middle", RED))
    return _svg(width, height, body)


def vbars(categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | None], str]], fmt: Format,
          width: int = 640, height: int = 210, highlight: Sequence[bool] | None = None) -> str:
    """Grouped vertical bars (e.g. months × accepted/closed), value on top of each bar."""
    left, top, bottom = 16, 28, 26
    plot_h = height - top - bottom
    values = [v for _, vs, _ in series for v in vs if v is not None]
    scale_max = (max(values) if values else 1) * 1.12 or 1
    slot = (width - 2 * left) / max(len(categories), 1)
    bar_w = min(34, slot * 0.8 / max(len(series), 1))
    body = _legend([(n, c) for n, _, c in series], left, 14) if len(series) > 1 else []
    base = top + plot_h
    body.append(f'<line x1="{left}" y1="{base}" x2="{width - left}" y2="{base}" stroke="#bbb"/>')
    for i, category in enumerate(categories):
        cx = left + slot * (i + 0.5)
        if highlight and highlight[i]:
            body.append(f'<rect x="{cx - slot / 2 + 2:.1f}" y="{top - 6}" width="{slot - 4:.1f}" '
                        f'height="{plot_h + 6}" fill="#f1f5fb"/>')
        x = cx - bar_w * len(series) / 2
        for j, (_, vs, color) in enumerate(series):
            value = vs[i]
            if value is not None:
                h = plot_h * value / scale_max
                body.append(f'<rect x="{x + j * bar_w:.1f}" y="{base - h:.1f}" width="{bar_w - 2:.1f}" '
                            f'height="{h:.1f}" fill="{color}"/>')
                body.append(_text(x + j * bar_w + bar_w / 2 - 1, base - h - 3, fmt(value), 9, "middle"))
        body.append(_text(cx, base + 16, category, 11, "middle"))
    return _svg(width, height, body)
