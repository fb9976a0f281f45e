"""Logging in, rate-limited per client address and per username.

Both login pages (the app's and the admin's) use these forms: each attempt is counted against
the caller's address (one address trying many usernames) and against the username (many
addresses trying one account) before any password is checked. Over either limit the page shows
the form again with the message, as a 429 with ``Retry-After``.
"""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from procur import ratelimit


def login_attempt_limited(request: HttpRequest, username: str) -> ratelimit.Limited | None:
    """Count one login attempt from ``request``'s address for ``username``; the refusal if
    either is over its limit. Usernames are counted case-blind, so case changes do not help."""
    by_address = ratelimit.hit_key("login-address", request.META.get("REMOTE_ADDR") or "unknown")
    by_username = ratelimit.hit_key("login-username", username.strip().lower())
    return by_address or by_username


class RateLimitedAuthenticationForm(AuthenticationForm):
    limited: ratelimit.Limited | None = None

    def clean(self) -> dict:
        if self.request is not None:
            self.limited = login_attempt_limited(
                self.request, self.cleaned_data.get("username", "")
            )
            if self.limited:
                raise ValidationError(self.limited.message, code="rate_limited")
        return super().clean()


class RateLimitedAdminAuthenticationForm(RateLimitedAuthenticationForm, AdminAuthenticationForm):
    pass


def with_limit_status(response: HttpResponse) -> HttpResponse:
    """A login page that refused the attempt over a limit answers 429 with ``Retry-After``."""
    form = (getattr(response, "context_data", None) or {}).get("form")
    limited = getattr(form, "limited", None)
    return ratelimit.too_many_requests(limited, response) if limited else response


class LoginView(auth_views.LoginView):
    authentication_form = RateLimitedAuthenticationForm

    def form_invalid(self, form) -> HttpResponse:
        return with_limit_status(super().form_invalid(form))
