"""The award summary as a PDF (fpdf2, pure Python): the request, the outcomes side by side, the
recommendation and its reasons, who decided and when, and the room's price chart.

Text is set in the vendored Liberation Sans (``records/fonts``), so any Latin, Greek or Cyrillic
name prints and nothing is needed from the operating system.
"""

import io
from pathlib import Path

from django.utils import timezone
from fpdf import FPDF
from fpdf.fonts import FontFace

from negotiations import charts, selectors
from negotiations.models import Quote, QuoteStatus
from negotiations.templatetags.room import label
from records import audit

FONTS = Path(__file__).resolve().parent.parent / "fonts"
FAMILY = "Sans"
GREY = (93, 107, 122)
OUTCOME_ROWS = (
    ("Status", lambda row, terms: label(row["status"])),
    ("Unit price", lambda row, terms: terms.get("unit_price")),
    ("Lead time (days)", lambda row, terms: terms.get("lead_time_days")),
    ("Payment terms (days)", lambda row, terms: terms.get("payment_terms_days")),
    ("Warranty (months)", lambda row, terms: terms.get("warranty_months")),
    ("Total cost", lambda row, terms: row.get("total_cost")),
    ("Savings vs target", lambda row, terms: row.get("savings_vs_target")),
    ("Savings vs opening offer", lambda row, terms: row.get("savings_vs_opening")),
    ("Score", lambda row, terms: row.get("score")),
)


class _Summary(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        self.add_font(FAMILY, fname=str(FONTS / "LiberationSans-Regular.ttf"))
        self.add_font(FAMILY, style="B", fname=str(FONTS / "LiberationSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=15)
        self.add_page()

    def heading(self, text: str, size: int = 13) -> None:
        self.ln(3)
        self.set_font(FAMILY, "B", size)
        self.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")

    def para(self, text: str, *, muted: bool = False) -> None:
        self.set_font(FAMILY, "", 10)
        if muted:
            self.set_text_color(*GREY)
        self.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")


def _request(pdf: _Summary, quote: Quote) -> None:
    pdf.heading("Request")
    pdf.para(
        f"{quote.quantity:,} {quote.unit} of {quote.product}"
        + (f" ({quote.category})" if quote.category else "")
    )
    pdf.para(
        f"Target {quote.target_price} {quote.currency}/unit, maximum {quote.max_price} "
        f"{quote.currency}/unit; needed by {quote.needed_by:%Y-%m-%d}."
    )
    pdf.para(
        f"Priorities: price {quote.weight_price}%, lead time {quote.weight_lead_time}%, "
        f"payment terms {quote.weight_payment_terms}%."
    )
    if quote.requirements:
        pdf.para(f"Requirements: {quote.requirements}")
    who = quote.created_by.get_username() if quote.created_by else "unknown"
    pdf.para(f"Requested by {who} on {_when(quote.created_at)}.", muted=True)


def _outcomes(pdf: _Summary, quote: Quote, recommendation: dict) -> None:
    pdf.heading("Outcomes")
    ranking = recommendation.get("ranking", [])
    recommended = recommendation.get("recommended_negotiation_id")
    pdf.set_font(FAMILY, "", 9)
    bold = FontFace(emphasis="BOLD")
    with pdf.table(first_row_as_headings=True, line_height=5.5, headings_style=bold) as table:
        header = table.row()
        header.cell("")
        for row in ranking:
            mark = " (recommended)" if row["negotiation_id"] == recommended else ""
            header.cell(f"{row['supplier']}{mark}")
        for name, value in OUTCOME_ROWS:
            line = table.row()
            line.cell(name)
            for row in ranking:
                shown = value(row, row.get("terms") or {})
                line.cell("—" if shown is None else str(shown))
    pdf.para(
        f"Amounts in {quote.currency}; savings over the quantity of {quote.quantity:,}.",
        muted=True,
    )


def _chart(pdf: _Summary, quote: Quote) -> None:
    negotiations = list(selectors.negotiations_for_quote(quote))
    offers = selectors.offer_prices_for_quotes([quote.pk])
    series = charts.series_from_offers(negotiations, offers)
    svg = charts.price_chart_svg(
        series,
        max_round=quote.max_rounds,
        target=quote.target_price,
        ceiling=quote.max_price,
        currency=quote.currency,
    )
    if not svg.startswith("<svg"):
        return
    pdf.heading("Unit price per round")
    # The chart names no font; the PDF's own carries every name.
    svg_for_pdf = svg.replace("<svg ", f'<svg font-family="{FAMILY}" ', 1)
    pdf.image(io.BytesIO(svg_for_pdf.encode()), w=pdf.epw)


def award_summary_pdf(quote: Quote) -> bytes:
    pdf = _Summary()
    pdf.set_title(f"Award summary: {quote.product}")
    pdf.heading(f"Award summary: {quote.product}", size=16)
    pdf.para(f"Quote #{quote.pk} · {quote.get_status_display()}", muted=True)
    _request(pdf, quote)
    recommendation = quote.recommendation
    if recommendation:
        _outcomes(pdf, quote, recommendation)
        pdf.heading("Recommendation")
        pdf.para(recommendation.get("summary", ""))
        for reason in recommendation.get("reasons", []):
            pdf.para(f"• {reason}")
    else:
        pdf.heading("Outcomes")
        pdf.para("The negotiations have not all ended yet: there is no outcome to compare.")
    pdf.heading("Decision")
    decided = audit.decision(quote)
    if decided is None:
        pdf.para("Not decided yet: the quote is " + quote.get_status_display().lower() + ".")
    else:
        verb = "approved" if quote.status == QuoteStatus.AWARDED else "decided"
        pdf.para(f"{decided.action}: {verb} by {decided.who} on {_when(decided.at)}.")
    _chart(pdf, quote)
    return bytes(pdf.output())
