"""What paginated lists share: their pager links keep the page's filters."""

from django.http import HttpRequest


def query_without_page(request: HttpRequest) -> str:
    """The request's query string minus ``page``, for the pager's links to keep the filters."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
