"""The per-quote exports: transcript CSV (staff and supplier-facing), JSON record, PDF summary."""

import csv
import io
import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
from pypdf import PdfReader

from negotiations.engine import Terms
from negotiations.models import AgentCall, Message, Sender
from records.exports.transcript import SHARED_COLUMNS, STAFF_COLUMNS
from tests.factories import NegotiationFactory, QuoteFactory

pytestmark = pytest.mark.django_db


def _body(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def _csv(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(_body(response))))


def test_the_transcript_csv_has_one_row_per_message_matching_the_database(staff_client, ended):
    rows = _csv(staff_client.get(f"/quotes/{ended.quote.pk}/transcript.csv"))
    messages = list(
        Message.objects.filter(negotiation__quote=ended.quote)
        .select_related("negotiation__supplier")
        .order_by("negotiation__slot", "seq")
    )
    assert len(rows) == len(messages) > 12
    assert list(rows[0]) == list(STAFF_COLUMNS)
    for row, message in zip(rows, messages, strict=True):
        assert int(row["seq"]) == message.seq and row["text"] == message.text
        assert row["sender"] == message.sender and row["action"] == message.action
        assert row["unit_price"] == (message.terms or {}).get("unit_price", "")
        assert row["quote"] == str(ended.quote)
    accepted = next(r for r in rows if r["action"] == "accept" and r["unit_price"] == "2.05")
    assert accepted["verdict"] == "fair" and accepted["strategies"] == "anchor; concede slowly"
    assert accepted["lead_time_days"] == "21" and accepted["currency"] == "USD"
    audiences = {(r["sender"], r["action"]): r["audience"] for r in rows}
    assert audiences[("staff", "guidance")] == "internal"
    assert audiences[("brand", "ask_info")] == "internal"
    assert audiences[("supplier", "propose")] == "shared"


@pytest.mark.django_db(databases=[])
def test_the_term_columns_are_the_fields_an_offer_is_stored_with() -> None:
    """No column that is always empty: Terms.price (a float kept for utilities) is no field of
    the stored terms."""
    stored = tuple(Terms(Decimal("2.05"), 500, 21, 30, 12).to_dict())
    for columns, last in ((STAFF_COLUMNS, "verdict"), (SHARED_COLUMNS, "text")):
        assert columns[columns.index("action") + 1 : columns.index(last)] == stored


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_quoted(staff_client, ended):
    rows = _csv(staff_client.get(f"/quotes/{ended.quote.pk}/transcript.csv"))
    assert {r["supplier"] for r in rows} == {"Amber Glass Co", "'=Bottles & Sons", "Vetro Nord"}


def test_the_supplier_facing_transcript_holds_its_shared_messages_only(staff_client, ended):
    negotiation = ended.winner
    rows = _csv(staff_client.get(f"/negotiations/{negotiation.pk}/transcript.csv"))
    shared = negotiation.messages.filter(audience="shared").order_by("seq")
    assert shared.count() < negotiation.messages.count()  # the answer and question stay out
    assert [r["text"] for r in rows] == list(shared.values_list("text", flat=True))
    # Numbered among the shared messages, as the portal numbers them: no gap counts the others.
    assert [int(r["seq"]) for r in rows] == list(range(1, shared.count() + 1))
    assert list(rows[0]) == list(SHARED_COLUMNS)
    assert "verdict" not in rows[0] and "strategies" not in rows[0]
    assert {r["sender"] for r in rows} == {"brand", "supplier"}
    assert {r["supplier"] for r in rows} == {"'=Bottles & Sons"}
    body = _body(staff_client.get(f"/negotiations/{negotiation.pk}/transcript.csv"))
    assert "25-day lead time" not in body and "Yes" not in body.split("\n")[0]


def test_the_json_record_holds_the_whole_quote_without_prompts(staff_client, ended, user):
    response = staff_client.get(f"/quotes/{ended.quote.pk}/record.json")
    assert response["Content-Type"] == "application/json"
    record = json.loads(_body(response))
    assert set(record) == {
        "quote",
        "negotiations",
        "messages",
        "recommendation",
        "award",
        "audit_trail",
        "agent_calls",
    }
    assert record["quote"]["id"] == ended.quote.pk
    assert record["quote"]["target_price"] == "1.95"
    assert record["quote"]["created_by"] == user.username
    assert [n["id"] for n in record["negotiations"]] == [n.pk for n in ended.negotiations]
    assert record["negotiations"][1]["final_terms"]["unit_price"] == "2.05"
    assert record["negotiations"][0]["llm_cost_usd"] == "0.008100"
    stored = Message.objects.filter(negotiation__quote=ended.quote)
    assert len(record["messages"]) == stored.count()
    guidance = next(m for m in record["messages"] if m["action"] == "guidance")
    assert guidance["author"] == user.username and guidance["audience"] == "internal"
    assert record["recommendation"] == ended.quote.recommendation
    assert record["award"]["supplier"] == ended.winner.supplier.name
    assert record["award"]["decided_by"] == user.username
    assert record["award"]["final_terms"]["unit_price"] == "2.05"
    actions = [e["action"] for e in record["audit_trail"]]
    assert f"Awarded to {ended.winner.supplier.name}" in actions and "Guidance" in actions
    calls = record["agent_calls"]
    assert len(calls) == AgentCall.objects.filter(negotiation__quote=ended.quote).count() == 3
    assert calls[0]["input_tokens"] == 1200 and Decimal(calls[0]["cost_usd"]) == Decimal("0.0081")
    assert not {"prompt", "raw_output", "engine_input"} & set(calls[0])


def test_the_json_record_never_carries_a_prompt(staff_client, ended):
    body = _body(staff_client.get(f"/quotes/{ended.quote.pk}/record.json"))
    assert "SECRET PROMPT" not in body


def test_the_pdf_summary_names_the_award_who_approved_it_and_draws_the_chart(
    staff_client, ended, user
):
    response = staff_client.get(f"/quotes/{ended.quote.pk}/award.pdf")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert f"Awarded to {ended.winner.supplier.name}" in text
    assert f"approved by {user.username}" in text
    assert "Amber Glass Co" in text and "Vetro Nord" in text and "2.05" in text
    assert ended.quote.recommendation["summary"] in text
    assert "Unit price per round" in text
    assert "target 1.95" in text and "max 2.40" in text  # the chart's guides, drawn in the PDF


def test_a_quote_still_negotiating_gets_a_summary_that_says_so(staff_client, organisation):
    quote = QuoteFactory(organisation=organisation, status="negotiating")
    NegotiationFactory(quote=quote, slot=1)
    response = staff_client.get(f"/quotes/{quote.pk}/award.pdf")
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "have not all ended" in text and "Not decided yet" in text


def test_the_csv_of_a_5000_message_transcript_streams(staff_client, organisation):
    quote = QuoteFactory(organisation=organisation, status="negotiating")
    negotiation = NegotiationFactory(quote=quote, slot=1)
    Message.objects.bulk_create(
        Message(
            negotiation=negotiation,
            seq=seq,
            round=seq // 2,
            sender=Sender.SUPPLIER if seq % 2 else Sender.BRAND,
            action="counter",
            text=f"Offer number {seq}, with a comma",
            terms={"unit_price": f"{2 + seq / 10000:.4f}", "currency": "USD"},
        )
        for seq in range(1, 5001)
    )
    response = staff_client.get(f"/quotes/{quote.pk}/transcript.csv")
    assert response.streaming
    chunks = response.streaming_content
    assert isinstance(chunks, Iterator)  # a generator, not a rendered body
    header = next(chunks).decode()
    assert header == ",".join(STAFF_COLUMNS) + "\r\n"  # the first piece comes before the rest
    rest = [chunk.decode() if isinstance(chunk, bytes) else chunk for chunk in chunks]
    assert len(rest) == 5000  # one piece per row: nothing buffers the transcript
    rows = list(csv.DictReader(io.StringIO(header + "".join(rest))))
    assert [int(r["seq"]) for r in rows] == list(range(1, 5001))
    assert rows[4999]["text"] == "Offer number 5000, with a comma"
    assert rows[4999]["unit_price"] == "2.5000"


@pytest.mark.parametrize(
    "url", ["/quotes/{q}/transcript.csv", "/quotes/{q}/record.json", "/quotes/{q}/award.pdf"]
)
def test_another_organisations_quote_exports_are_404(client, other_user, ended, url):
    client.force_login(other_user)
    assert client.get(url.format(q=ended.quote.pk)).status_code == 404


def test_another_organisations_supplier_transcript_is_404(client, other_user, ended):
    client.force_login(other_user)
    assert client.get(f"/negotiations/{ended.winner.pk}/transcript.csv").status_code == 404
