"""The server-side SVG price chart."""

from collections import namedtuple
from decimal import Decimal

from negotiations.charts import PriceSeries, price_chart_svg, series_from_offers
from negotiations.models import Negotiation, Sender
from vendors.models import Supplier

OfferRow = namedtuple("OfferRow", "negotiation_id sender round unit_price")


def test_it_draws_offer_and_counter_lines_per_supplier_with_guides():
    series = [
        PriceSeries(
            "Acme <Glass>",
            "#111",
            [(1, Decimal("2.50")), (2, Decimal("2.30"))],
            [(1, Decimal("1.90"))],
        ),
        PriceSeries("Beta", "#222", [(1, Decimal("2.40"))], []),
    ]
    svg = price_chart_svg(series, max_round=8, target=Decimal("1.95"), ceiling=Decimal("2.40"))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count('class="series-offer"') == 2
    assert svg.count('class="series-brand"') == 1
    assert "target 1.95" in svg and "max 2.40" in svg
    assert "Acme &lt;Glass&gt;" in svg and "<Glass>" not in svg


def test_a_lower_price_is_drawn_lower():
    series = [PriceSeries("A", "#111", [(1, Decimal("3.00")), (2, Decimal("1.00"))], [])]
    svg = price_chart_svg(series, max_round=2)
    points = svg.split('points="')[1].split('"')[0].split()
    (_, y_high), (_, y_low) = (map(float, p.split(",")) for p in points)
    assert y_low > y_high  # SVG y grows downwards


def test_without_offers_it_says_so():
    assert "No offers yet" in price_chart_svg([PriceSeries("A", "#111")], max_round=8)


def test_series_take_the_last_offer_of_each_round_per_side():
    supplier = Supplier(name="Acme")
    negotiation = Negotiation(pk=7, slot=2, supplier=supplier)

    offers = [
        OfferRow(7, Sender.SUPPLIER, 1, "2.50"),
        OfferRow(7, Sender.BRAND, 1, "1.90"),
        OfferRow(7, Sender.SUPPLIER, 2, "2.40"),
        OfferRow(7, Sender.SUPPLIER, 2, "2.35"),
        OfferRow(7, Sender.STAFF, 2, "9.99"),
    ]
    [series] = series_from_offers([negotiation], offers)
    assert series.label == "Acme"
    assert series.supplier == [(1, Decimal("2.50")), (2, Decimal("2.35"))]
    assert series.brand == [(1, Decimal("1.90"))]
