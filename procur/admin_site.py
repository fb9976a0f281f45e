"""The admin site: Django's, with login attempts rate-limited like the app's login page."""

from django.contrib.admin import AdminSite
from django.http import HttpRequest, HttpResponse

from procur.accounts.login import RateLimitedAdminAuthenticationForm, with_limit_status


class ProcurAdminSite(AdminSite):
    login_form = RateLimitedAdminAuthenticationForm

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        return with_limit_status(super().login(request, extra_context))
