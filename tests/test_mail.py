"""EMAIL_URL's schemes, and mail through Django's SMTP backend to a real local server."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail

from procur.mail_settings import email_settings
from tests.mailbox import body_of


def test_console_smtp_and_anymail_urls():
    assert email_settings("consolemail://")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    smtp = email_settings("smtp+tls://mailer:s%40cret@mail.example.com:587")
    assert smtp["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (smtp["EMAIL_HOST"], smtp["EMAIL_PORT"], smtp["EMAIL_USE_TLS"]) == (
        "mail.example.com",
        587,
        True,
    )
    assert (smtp["EMAIL_HOST_USER"], smtp["EMAIL_HOST_PASSWORD"]) == ("mailer", "s@cret")
    provider = email_settings("anymail://mailgun:key-123@?sender_domain=mg.example.com")
    assert provider == {
        "EMAIL_BACKEND": "anymail.backends.mailgun.EmailBackend",
        "ANYMAIL": {"MAILGUN_API_KEY": "key-123", "MAILGUN_SENDER_DOMAIN": "mg.example.com"},
    }


@pytest.mark.parametrize("url", ["carrierpigeon://x", "anymail://:key@"])
def test_bad_email_url_says_what_to_set(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        email_settings(url)


def test_mail_reaches_the_local_smtp_server(mailbox):
    send_mail("Hello", "The body.", "procur@example.com", ["buyer@example.com"])
    [message] = mailbox.wait_for(to="buyer@example.com", subject="Hello")
    assert body_of(message).strip() == "The body."
