"""Pages and downloads of the records: exports of a quote, its playback, and the analytics."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from negotiations.models import Negotiation, Quote
from negotiations.room import load_room
from procur.accounts.tenancy import get_for_user
from records.analytics.charts import analytics_charts
from records.analytics.export import analytics_csv
from records.analytics.figures import BASELINES, Analytics, analytics_for
from records.analytics.period import PeriodForm
from records.exports.award_pdf import award_summary_pdf
from records.exports.record import quote_record_json
from records.exports.transcript import negotiation_transcript_csv, quote_transcript_csv
from records.playback import ENDED_QUOTE_STATUSES


def _get_quote_for_user(request: HttpRequest, pk: int) -> Quote:
    return get_for_user(
        Quote.objects.select_related("created_by", "awarded_by", "closed_by"), request.user, pk
    )


def _get_negotiation_for_user(request: HttpRequest, pk: int) -> Negotiation:
    queryset = Negotiation.objects.select_related("quote", "supplier")
    return get_for_user(queryset, request.user, pk, field="quote__organisation")


def _download_name(quote: Quote, what: str, extension: str) -> str:
    return f"quote-{quote.pk}-{slugify(quote.product)[:40]}-{what}.{extension}"


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_safe
def quote_transcript_csv_view(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    quote = _get_quote_for_user(request, pk)
    response = StreamingHttpResponse(
        quote_transcript_csv(quote), content_type="text/csv; charset=utf-8"
    )
    return _attachment(response, _download_name(quote, "transcript", "csv"))


@login_required
@require_safe
def negotiation_transcript_csv_view(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The supplier-facing transcript of one negotiation: shared messages only."""
    negotiation = _get_negotiation_for_user(request, pk)
    response = StreamingHttpResponse(
        negotiation_transcript_csv(negotiation), content_type="text/csv; charset=utf-8"
    )
    what = f"{slugify(negotiation.supplier.name)[:30]}-shared-transcript"
    return _attachment(response, _download_name(negotiation.quote, what, "csv"))


@login_required
@require_safe
def quote_record_json_view(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    quote = _get_quote_for_user(request, pk)
    response = StreamingHttpResponse(quote_record_json(quote), content_type="application/json")
    return _attachment(response, _download_name(quote, "record", "json"))


@login_required
@require_safe
def quote_award_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _get_quote_for_user(request, pk)
    response = HttpResponse(award_summary_pdf(quote), content_type="application/pdf")
    return _attachment(response, _download_name(quote, "award-summary", "pdf"))


# --- Analytics -----------------------------------------------------------------------------------


def _organisation_figures(request: HttpRequest) -> tuple[PeriodForm, Analytics]:
    if request.user.organisation_id is None:
        raise Http404("Analytics belong to an organisation; platform users work in the admin.")
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    if not form.is_bound:  # show the default period in the date fields
        form = PeriodForm(initial={"start": start, "end": end})
    return form, analytics_for(request.user.organisation, start, end)


@login_required
@require_safe
def analytics(request: HttpRequest) -> HttpResponse:
    form, figures = _organisation_figures(request)
    context = {
        "form": form,
        "figures": figures,
        "baselines": BASELINES,
        "charts": analytics_charts(figures),
        "query": request.GET.urlencode(),
    }
    return render(request, "records/analytics.html", context)


@login_required
@require_safe
def analytics_csv_view(request: HttpRequest) -> HttpResponse:
    _, figures = _organisation_figures(request)
    response = HttpResponse(analytics_csv(figures), content_type="text/csv; charset=utf-8")
    return _attachment(response, f"procur-analytics-{figures.start}-to-{figures.end}.csv")


# --- Playback ------------------------------------------------------------------------------------


@login_required
@require_safe
def quote_playback(request: HttpRequest, pk: int) -> HttpResponse:
    """An ended quote's room, replayed in the browser message by message: the page holds every
    message rendered by the room's own partials, and ``static/js/playback.js`` reveals them in
    the order they were stored."""
    quote = _get_quote_for_user(request, pk)
    ended = quote.status in ENDED_QUOTE_STATUSES
    room = load_room(quote, with_transcripts=True) if ended else None
    return render(request, "records/playback.html", {"quote": quote, "room": room})
