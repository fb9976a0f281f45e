"""The negotiation room's price chart, drawn on the server as inline SVG (no JavaScript, no CDN).

Per supplier: its offered unit price per round (solid) and the brand's counter to it (dashed), with
the quote's target and maximum as horizontal guides. Pure functions over already loaded rows.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from negotiations.models import Negotiation, Sender

PALETTE = ("#2456c7", "#c2410c", "#0f766e")
WIDTH, HEIGHT = 720, 230
LEFT, RIGHT, TOP, BOTTOM = 52, 190, 14, 30


@dataclass(frozen=True)
class PriceSeries:
    """One supplier's line pair: (round, unit price) points, in round order."""

    label: str
    colour: str
    supplier: list[tuple[int, Decimal]] = field(default_factory=list)
    brand: list[tuple[int, Decimal]] = field(default_factory=list)


class OfferPrice(Protocol):
    """A row of ``selectors.offer_prices_for_quotes``."""

    negotiation_id: int
    sender: str
    round: int
    unit_price: str


def series_from_offers(
    negotiations: Sequence[Negotiation], offers: Iterable[OfferPrice]
) -> list[PriceSeries]:
    """Series per negotiation (by slot); a later offer in the same round replaces an earlier one."""
    by_negotiation: dict[int, dict[str, dict[int, Decimal]]] = {
        n.pk: {Sender.SUPPLIER: {}, Sender.BRAND: {}} for n in negotiations
    }
    for offer in offers:
        points = by_negotiation.get(offer.negotiation_id, {}).get(offer.sender)
        if points is not None:
            points[offer.round] = Decimal(str(offer.unit_price))
    return [
        PriceSeries(
            label=n.supplier.name,
            colour=PALETTE[(n.slot - 1) % len(PALETTE)],
            supplier=sorted(by_negotiation[n.pk][Sender.SUPPLIER].items()),
            brand=sorted(by_negotiation[n.pk][Sender.BRAND].items()),
        )
        for n in negotiations
    ]


def price_chart_svg(
    series: Sequence[PriceSeries],
    *,
    max_round: int,
    target: Decimal | None = None,
    ceiling: Decimal | None = None,
    currency: str = "",
) -> SafeString:
    """The chart as an ``<svg>`` element; a placeholder text while no offer exists."""
    prices = [p for s in series for _, p in (*s.supplier, *s.brand)]
    if not prices:
        return mark_safe('<p class="muted chart-empty">No offers yet.</p>')
    guides = [g for g in (target, ceiling) if g is not None]
    low, high = min(prices + guides), max(prices + guides)
    pad = (high - low) * Decimal("0.1") or Decimal("0.1")
    low, high = max(low - pad, Decimal(0)), high + pad
    rounds = max(max_round, *(r for s in series for r, _ in (*s.supplier, *s.brand)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(round_: int) -> float:
        return LEFT + plot_w * (round_ - 1) / max(rounds - 1, 1)

    def y(price: Decimal) -> float:
        return TOP + plot_h * float((high - price) / (high - low))

    parts = [
        f'<svg class="price-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="Unit price per round" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i in range(5):  # horizontal grid with price labels
        price = low + (high - low) * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(price):.1f}" y2="{y(price):.1f}" '
            f'stroke="#e5e9ef"/><text x="{LEFT - 6}" y="{y(price) + 4:.1f}" text-anchor="end" '
            f'font-size="11" fill="#5d6b7a">{price:.2f}</text>'
        )
    step = max(1, rounds // 12)
    for r in range(1, rounds + 1, step):
        parts.append(
            f'<text x="{x(r):.1f}" y="{HEIGHT - 10}" text-anchor="middle" font-size="11" '
            f'fill="#5d6b7a">{r}</text>'
        )
    for value, name in ((target, "target"), (ceiling, "max")):
        if value is not None:
            parts.append(
                f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                f'stroke="#8a96a3" stroke-dasharray="2 3"/><text x="{LEFT + plot_w + 4}" '
                f'y="{y(value) + 4:.1f}" font-size="11" fill="#5d6b7a">{name} {value}</text>'
            )
    for index, s in enumerate(series):
        lines = ((s.supplier, "", "offer"), (s.brand, ' stroke-dasharray="5 4"', "brand"))
        for points, dash, side in lines:
            if not points:
                continue
            coords = " ".join(f"{x(r):.1f},{y(p):.1f}" for r, p in points)
            parts.append(
                f'<polyline class="series-{side}" points="{coords}" fill="none" '
                f'stroke="{s.colour}" stroke-width="2"{dash}/>'
            )
            parts.extend(
                f'<circle cx="{x(r):.1f}" cy="{y(p):.1f}" r="3" fill="{s.colour}">'
                f"<title>{escape(s.label)} {side}, round {r}: {p} {escape(currency)}</title>"
                "</circle>"
                for r, p in points
            )
        legend_y = TOP + 14 + index * 34
        parts.append(
            f'<text x="{WIDTH - RIGHT + 82}" y="{legend_y}" font-size="11" fill="{s.colour}">'
            f"{escape(s.label[:20])}</text>"
            f'<text x="{WIDTH - RIGHT + 82}" y="{legend_y + 14}" font-size="10" fill="#5d6b7a">'
            "offer — brand - -</text>"
        )
    parts.append("</svg>")
    # Safe: numbers are formatted by us and every name is escaped above.
    return mark_safe("".join(parts))
