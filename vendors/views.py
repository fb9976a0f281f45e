"""Supplier directory pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from procur.accounts.tenancy import scope_to_user
from vendors.models import Supplier


@login_required
def supplier_list(request: HttpRequest) -> HttpResponse:
    suppliers = scope_to_user(Supplier.objects.all(), request.user)
    return render(request, "vendors/supplier_list.html", {"suppliers": suppliers})
