"""Pages of the negotiations app: thin views over selectors and services."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from negotiations import selectors


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    quotes = selectors.quotes_for_user(request.user)
    return render(request, "negotiations/dashboard.html", {"quotes": quotes})
