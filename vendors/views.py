"""Supplier directory pages: list, detail with past negotiations, create and edit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from negotiations.models import Negotiation
from procur.accounts.tenancy import get_for_user, scope_to_user
from vendors.forms import SupplierForm
from vendors.models import Supplier


def _get_supplier_for_user(request: HttpRequest, pk: int) -> Supplier:
    return get_for_user(Supplier.objects.all(), request.user, pk)


@login_required
@require_safe
def supplier_list(request: HttpRequest) -> HttpResponse:
    suppliers = scope_to_user(Supplier.objects.all(), request.user)
    return render(request, "vendors/supplier_list.html", {"suppliers": suppliers})


@login_required
@require_safe
def supplier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = _get_supplier_for_user(request, pk)
    negotiations = (
        Negotiation.objects.filter(supplier=supplier)
        .select_related("quote")
        .order_by("-created_at")
    )
    context = {"supplier": supplier, "negotiations": negotiations}
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
