"""Supplier directory pages: list, detail with past negotiations, create and edit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from negotiations.models import Negotiation
from procur.accounts.tenancy import get_for_user, scope_to_user
from procur.paging import query_without_page
from vendors.filters import SupplierFilter
from vendors.forms import SupplierForm
from vendors.models import Supplier
from vendors.selectors import with_totals

PER_PAGE = 25


def _get_supplier_for_user(request: HttpRequest, pk: int) -> Supplier:
    return get_for_user(Supplier.objects.all(), request.user, pk)


@login_required
@require_safe
def supplier_list(request: HttpRequest) -> HttpResponse:
    suppliers = with_totals(scope_to_user(Supplier.objects.all(), request.user))
    filters = SupplierFilter(request.GET or None, queryset=suppliers)
    page = Paginator(filters.qs, PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "filters": filters, "query": query_without_page(request)}
    return render(request, "vendors/supplier_list.html", context)


@login_required
@require_safe
def supplier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = _get_supplier_for_user(request, pk)
    negotiations = (
        Negotiation.objects.filter(supplier=supplier)
        .select_related("quote")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(negotiations, PER_PAGE).get_page(request.GET.get("page"))
    context = {"supplier": supplier, "negotiations": page.object_list, "page": page}
    return render(request, "vendors/supplier_detail.html", context)


def _edit(request: HttpRequest, supplier: Supplier | None) -> HttpResponse:
    if request.user.organisation_id is None:
        raise Http404("Suppliers belong to an organisation; platform users work in the admin.")
    form = SupplierForm(
        request.POST or None, instance=supplier, organisation=request.user.organisation
    )
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, f"Saved {saved.name}.")
        return redirect("supplier_detail", saved.pk)
    return render(request, "vendors/supplier_form.html", {"form": form, "supplier": supplier})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def supplier_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def supplier_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, _get_supplier_for_user(request, pk))
