"""``EMAIL_URL``: where Procur's mail goes (supplier invitations, staff notifications).

One variable, read by django-environ, plus one scheme of ours for email providers through
django-anymail:

- ``consolemail://`` prints each mail in the log (the default: `make run` shows invitations there);
- ``smtp://user:password@host:587`` (``smtp+tls://``, ``smtps://``) sends through an SMTP server;
- ``anymail://<esp>:<api key>@`` sends through a provider's API, e.g.
  ``anymail://mailgun:key-123@?sender_domain=mg.example.com``; query options become the
  provider's settings (``ANYMAIL = {"MAILGUN_API_KEY": ..., "MAILGUN_SENDER_DOMAIN": ...}``).
"""

from urllib.parse import parse_qsl, unquote, urlparse

import environ
from django.core.exceptions import ImproperlyConfigured

ANYMAIL_SCHEME = "anymail"


def email_settings(url: str) -> dict:
    """The Django settings ``url`` stands for: ``EMAIL_BACKEND`` and what it reads."""
    parsed = urlparse(url)
    if parsed.scheme == ANYMAIL_SCHEME:
        esp = (parsed.username or "").lower()
        if not esp.isidentifier():
            raise ImproperlyConfigured(
                f"EMAIL_URL={parsed.scheme}://…: name the provider as the user part, e.g. "
                "anymail://mailgun:<api key>@ (see django-anymail's list of providers)."
            )
        options = {f"{esp.upper()}_{k.upper()}": v for k, v in parse_qsl(parsed.query)}
        if parsed.password:
            options[f"{esp.upper()}_API_KEY"] = unquote(parsed.password)
        return {"EMAIL_BACKEND": f"anymail.backends.{esp}.EmailBackend", "ANYMAIL": options}
    if parsed.scheme not in environ.Env.EMAIL_SCHEMES:
        schemes = ", ".join(sorted({*environ.Env.EMAIL_SCHEMES, ANYMAIL_SCHEME}))
        raise ImproperlyConfigured(
            f"EMAIL_URL has the unknown scheme {parsed.scheme!r}: use one of {schemes}."
        )
    config = environ.Env.email_url_config(url)
    return {name: value for name, value in config.items() if value not in (None, "")}
