"""Charts drawn on the server as inline SVG: no script, no third-party files, nothing for the
content security policy to block (colours and sizes are presentation attributes, which CSP does
not govern, not ``style`` attributes).

Each function is pure: it takes the numbers and the texts already translated and formatted for
the page's language, and returns markup. Every text is escaped (``format_html``). Each chart is
``role="img"`` named by its own ``<title>`` and ``<desc>`` (ids derived from ``chart_id``, which
must be unique on the page), so a screen reader announces one image with a summary; the page
puts a data table next to it with every number.

Sizes: the viewBox is 320 units wide and the text 13 units, so on a 360 px phone (about 328 px
of content) the chart is drawn nearly 1:1 and the text stays about 13 px; wider screens scale
it up to the stylesheet's max-width. Labels wrap instead of shrinking. Print: the bars are
dark, the funnel's stages differ by pattern as well as by label, and every bar carries its
number as text, so a black-and-white copy loses nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 320
FONT = 13
LINE = 17  # line height of wrapped labels
INK = "#1b1f24"
MUTED = "#4a5360"
BAR = "#0b4f9c"  # the site's link blue: 8.2:1 on white, prints as dark grey
GRID = "#c9d0d9"
PAPER = "#ffffff"

_CHART_ID = re.compile(r"^[a-z][a-z0-9-]*$")
# A line should not begin with these (Chinese punctuation that closes or separates).
_NO_LINE_START = set("，、。；：！？）》」』】")


@dataclass(frozen=True)
class Bar:
    """One bar (or funnel stage): its label, its value and the value as shown."""

    label: str
    value: int
    value_text: str


@dataclass(frozen=True)
class Point:
    """One point of a time series: the period it counts (as shown) and its value."""

    label: str
    value: int


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def text_width(text: str, size: float = FONT) -> float:
    """A safe estimate of the rendered width: wide (CJK) characters take one em, the others
    about 0.6 em (system sans-serif fonts average less)."""
    return sum(size if _is_wide(ch) else size * 0.6 for ch in text)


def _tokens(text: str) -> Iterator[str]:
    """Where a line may break: after a space, and around every wide character."""
    token = ""
    for ch in text:
        if _is_wide(ch):
            if token:
                yield token
                token = ""
            yield ch
        elif ch.isspace():
            yield token + " "
            token = ""
        else:
            token += ch
    if token:
        yield token


def wrap(text: str, width: float, size: float = FONT) -> list[str]:
    """``text`` in lines no wider than ``width`` (by ``text_width``). Words longer than a line
    are cut; Chinese text breaks between characters, never before closing punctuation."""
    lines: list[str] = []
    line = ""
    for token in _tokens(" ".join(text.split())):
        if line and token not in _NO_LINE_START and text_width(line + token.rstrip(), size) > width:
            lines.append(line.rstrip())
            line = ""
        if not line:
            token = token.lstrip()
            # A word wider than a whole line: cut it where it overflows.
            while text_width(token.rstrip(), size) > width and len(token.rstrip()) > 1:
                cut = len(token)
                while cut > 1 and text_width(token[:cut], size) > width:
                    cut -= 1
                lines.append(token[:cut])
                token = token[cut:]
        line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _n(value: float) -> str:
    """A coordinate with at most one decimal."""
    return f"{value:.1f}".removesuffix(".0")


def _join(parts: Sequence[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def _svg(
    *, chart_id: str, title: str, desc: str, height: float, body: Sequence[SafeString]
) -> SafeString:
    if not _CHART_ID.match(chart_id):
        raise ValueError(f"chart_id must be a lowercase slug, not {chart_id!r}")
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" id="{id}" role="img" '
        'aria-labelledby="{id}-title" aria-describedby="{id}-desc" '
        'viewBox="0 0 {w} {h}" width="100%" preserveAspectRatio="xMinYMin meet" '
        'font-size="{font}" fill="{ink}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        id=chart_id,
        w=WIDTH,
        h=_n(height),
        font=FONT,
        ink=INK,
        title=title,
        desc=desc,
        body=_join(body),
    )


def _lines(lines: Sequence[str], *, x: float, top: float, weight: str = "normal") -> SafeString:
    """Lines of text, the first one's box starting at ``top``."""
    return _join(
        [
            format_html(
                '<text x="{}" y="{}" font-weight="{}">{}</text>',
                _n(x),
                _n(top + LINE * (i + 1) - 4),
                weight,
                line,
            )
            for i, line in enumerate(lines)
        ]
    )


def _empty(chart_id: str, title: str, desc: str, empty_text: str) -> SafeString:
    lines = wrap(empty_text, WIDTH - FONT)
    return _svg(
        chart_id=chart_id,
        title=title,
        desc=desc,
        height=LINE * len(lines) + 8,
        body=[_lines(lines, x=0, top=2)],
    )


# --- Horizontal bars ----------------------------------------------------------------------


BAR_HEIGHT = 16


def bar_chart(
    bars: Sequence[Bar], *, chart_id: str, title: str, desc: str, empty_text: str
) -> SafeString:
    """Horizontal bars, one per row in the given order: the label on its own line(s) above the
    bar (so long names wrap instead of squeezing the bars), the value as text after the bar.
    Bars are proportional to the largest value."""
    if not bars:
        return _empty(chart_id, title, desc, empty_text)
    value_room = max(text_width(bar.value_text) for bar in bars) + 6
    track = max(WIDTH - value_room, WIDTH / 3)
    peak = max(bar.value for bar in bars) or 1
    body: list[SafeString] = []
    top = 0.0
    for bar in bars:
        lines = wrap(bar.label, WIDTH - FONT)  # room for closing punctuation hanging over
        body.append(_lines(lines, x=0, top=top))
        top += LINE * len(lines) + 1
        length = track * bar.value / peak
        if bar.value and length < 2:
            length = 2  # a value that is not zero never looks like zero
        body.append(
            format_html(
                '<rect x="0" y="{}" width="{}" height="{}" fill="{}"/>',
                _n(top),
                _n(length),
                BAR_HEIGHT,
                BAR,
            )
        )
        body.append(
            format_html(
                '<text x="{}" y="{}" font-weight="bold">{}</text>',
                _n(length + 4),
                _n(top + BAR_HEIGHT - 3),
                bar.value_text,
            )
        )
        top += BAR_HEIGHT + 10
    return _svg(chart_id=chart_id, title=title, desc=desc, height=top, body=body)


# --- A line over time ---------------------------------------------------------------------


LINE_CHART_HEIGHT = 200
MARKERS_UP_TO = 60  # points; beyond, dots would merge into a thick line


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, … that is at least ``value`` (at least 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def line_chart(
    points: Sequence[Point],
    *,
    chart_id: str,
    title: str,
    desc: str,
    empty_text: str,
    number_text: Callable[[int], str] = str,
) -> SafeString:
    """Values over time as a line with a dot per point (up to 60 points), a y axis from zero
    with three gridlines, and the first and last periods named under the x axis.
    ``number_text`` formats the axis numbers for the page's language."""
    if not points:
        return _empty(chart_id, title, desc, empty_text)
    peak = nice_ceiling(max(point.value for point in points))
    ticks = [0, peak // 2, peak] if peak % 2 == 0 else [0, peak]
    left = max(text_width(number_text(tick)) for tick in ticks) + 8
    right = 8.0
    top = 10.0
    base = LINE_CHART_HEIGHT - 40.0  # the x axis; its labels go below
    plot_width = WIDTH - left - right

    def x_of(i: int) -> float:
        if len(points) == 1:
            return left + plot_width / 2
        return left + plot_width * i / (len(points) - 1)

    def y_of(value: float) -> float:
        return base - (base - top) * value / peak

    body: list[SafeString] = []
    for tick in ticks:
        y = y_of(tick)
        body.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>',
                _n(left),
                _n(y),
                WIDTH - right,
                _n(y),
                INK if tick == 0 else GRID,
                _n(left - 5),
                _n(y + 4),
                MUTED,
                number_text(tick),
            )
        )
    coordinates = " ".join(f"{_n(x_of(i))},{_n(y_of(p.value))}" for i, p in enumerate(points))
    body.append(
        format_html(
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5" '
            'stroke-linejoin="round" stroke-linecap="round"/>',
            coordinates,
            BAR,
        )
    )
    if len(points) <= MARKERS_UP_TO:
        body.extend(
            format_html(
                '<circle cx="{}" cy="{}" r="3" fill="{}" stroke="{}" stroke-width="1.5"/>',
                _n(x_of(i)),
                _n(y_of(point.value)),
                PAPER,
                BAR,
            )
            for i, point in enumerate(points)
        )
    label_y = base + 18
    if len(points) == 1:
        body.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle">{}</text>',
                _n(x_of(0)),
                _n(label_y),
                points[0].label,
            )
        )
    else:
        body.append(
            format_html(
                '<text x="{}" y="{}">{}</text><text x="{}" y="{}" text-anchor="end">{}</text>',
                _n(left),
                _n(label_y),
                points[0].label,
                WIDTH - right,
                _n(label_y),
                points[-1].label,
            )
        )
    return _svg(chart_id=chart_id, title=title, desc=desc, height=LINE_CHART_HEIGHT, body=body)


# --- A funnel -------------------------------------------------------------------------------


STAGE_HEIGHT = 26


def _patterns(chart_id: str) -> list[tuple[str, SafeString]]:
    """Fills that stay distinct in black and white: solid, hatched, dotted, cross-hatched.
    Returns (fill attribute, definition) pairs."""
    tile = '<rect width="6" height="6" fill="{paper}"/>'
    shapes = [
        None,
        '<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" stroke="{bar}" stroke-width="1.6"/>',
        '<circle cx="3" cy="3" r="1.6" fill="{bar}"/>',
        '<path d="M0,0 L6,6 M6,0 L0,6" stroke="{bar}" stroke-width="1.2"/>',
    ]
    fills: list[tuple[str, SafeString]] = []
    for i, shape in enumerate(shapes):
        if shape is None:
            fills.append((BAR, SafeString()))
            continue
        pattern_id = f"{chart_id}-fill-{i}"
        fills.append(
            (
                f"url(#{pattern_id})",
                format_html(
                    '<pattern id="{}" width="6" height="6" patternUnits="userSpaceOnUse">'
                    + tile
                    + shape
                    + "</pattern>",
                    pattern_id,
                    paper=PAPER,
                    bar=BAR,
                ),
            )
        )
    return fills


def funnel_chart(
    stages: Sequence[Bar], *, chart_id: str, title: str, desc: str, empty_text: str
) -> SafeString:
    """Stages as centred bars, widest for the largest value, each filled with its own pattern
    and headed by its label and value."""
    if not stages:
        return _empty(chart_id, title, desc, empty_text)
    fills = _patterns(chart_id)
    peak = max(stage.value for stage in stages) or 1
    body: list[SafeString] = [
        format_html("<defs>{}</defs>", _join([definition for _, definition in fills]))
    ]
    top = 0.0
    for i, stage in enumerate(stages):
        value_width = text_width(stage.value_text)
        lines = wrap(stage.label, WIDTH - value_width - 12 - FONT)
        body.append(_lines(lines, x=0, top=top))
        body.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" font-weight="bold">{}</text>',
                WIDTH,
                _n(top + LINE - 4),
                stage.value_text,
            )
        )
        top += LINE * len(lines) + 2
        length = (WIDTH - 2) * stage.value / peak
        if stage.value and length < 2:
            length = 2
        fill = fills[i % len(fills)][0]
        body.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}" '
                'stroke-width="1"/>',
                _n((WIDTH - length) / 2),
                _n(top),
                _n(length),
                STAGE_HEIGHT,
                fill,
                INK if stage.value else GRID,
            )
        )
        top += STAGE_HEIGHT + 10
    return _svg(chart_id=chart_id, title=title, desc=desc, height=top, body=body)
