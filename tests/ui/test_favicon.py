"""The icon: linked from every page, and found at the conventional path (no 404 in a browser's
console)."""

import pytest

pytestmark = pytest.mark.django_db


def test_pages_link_the_icon_and_it_is_served(client):
    page = client.get("/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(icon.streaming_content)


def test_the_conventional_path_leads_to_the_icon(client):
    # Pages that are not ours (the admin's) link none: browsers then ask for /favicon.ico.
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.svg"
