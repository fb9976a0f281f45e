"""The analytics page's charts, drawn on the server as inline SVG like the room's price chart:
one bar chart shape for savings over time, the outcome mix and the supplier comparison."""

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from records.analytics.figures import Analytics

WIDTH, HEIGHT = 560, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 14, 46
AXIS = "#5d6b7a"
GRID = "#e5e9ef"


def bar_chart_svg(
    bars: Sequence[tuple[str, Decimal | float]],
    *,
    label: str,
    unit: str = "",
    colour: str = "#2456c7",
    negative_colour: str = "#c2410c",
) -> SafeString:
    """Vertical bars with their values, a zero line, and the labels underneath; a placeholder
    while there is nothing to draw."""
    if not bars:
        return mark_safe('<p class="muted chart-empty">Nothing in this period yet.</p>')
    values = [float(value) for _, value in bars]
    low, high = min(0.0, *values), max(0.0, *values)
    span = (high - low) or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(bars)
    width = min(slot * 0.7, 60)

    def y(value: float) -> float:
        return TOP + plot_h * (high - value) / span

    parts = [
        f'<svg class="bar-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    decimals = 0 if span >= 10 else 1  # small counts: 0.5 steps, not 0, 0, 1, 1, 2
    for i in range(5):
        value = low + span * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="{GRID}"/><text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" '
            f'font-size="11" fill="{AXIS}">{value:,.{decimals}f}</text>'
        )
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="{AXIS}"/>'
    )
    for index, ((name, value), number) in enumerate(zip(bars, values, strict=True)):
        centre = LEFT + slot * (index + 0.5)
        top, bottom = sorted((y(number), y(0)))
        fill = colour if number >= 0 else negative_colour
        parts.append(
            f'<rect x="{centre - width / 2:.1f}" y="{top:.1f}" width="{width:.1f}" '
            f'height="{max(bottom - top, 0.5):.1f}" fill="{fill}">'
            f"<title>{escape(name)}: {value}{escape(unit)}</title></rect>"
            f'<text x="{centre:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'font-size="11" fill="{AXIS}">{escape(name[:14])}</text>'
            f'<text x="{centre:.1f}" y="{top - 3:.1f}" text-anchor="middle" font-size="10" '
            f'fill="{AXIS}">{number:,.1f}</text>'
        )
    parts.append("</svg>")
    # Safe: numbers are formatted here and every label is escaped.
    return mark_safe("".join(parts))


def analytics_charts(figures: Analytics) -> dict[str, SafeString]:
    """The page's three charts: savings over time, outcome mix, supplier comparison."""
    return {
        "savings": bar_chart_svg(
            [(f"{month:%b %Y}", saved) for month, saved in figures.savings_by_month],
            label=f"Savings against target per month ({figures.chart_currency})",
            unit=f" {figures.chart_currency}",
        ),
        "outcomes": bar_chart_svg(
            figures.outcome_mix, label="Negotiations by outcome", colour="#0f766e"
        ),
        "suppliers": bar_chart_svg(
            [(s.name, s.mean_discount) for s in figures.suppliers if s.mean_discount is not None],
            label="Mean discount from first offer per supplier (%)",
            unit="%",
            colour="#7c3aed",
        ),
    }
