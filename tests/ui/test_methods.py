"""Pages answer only the methods they serve: anything else is 405, never a 200."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/suppliers/", "/quotes/new/", "/suppliers/new/"])
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_pages_refuse_methods_they_do_not_serve(staff_client, path, method):
    assert getattr(staff_client, method)(path).status_code == 405
