"""Every HTTP route of the project, from the URL resolver, with its path parameters filled.

New routes are picked up automatically; a route whose parameter this module cannot fill fails
the matrix with a message saying what to teach it, rather than going untested.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver

from negotiations.models import Negotiation, Notification, Quote
from negotiations.views import NEGOTIATION_ACTIONS, QUOTE_ACTIONS
from procur.accounts.models import User
from tests.security.conftest import Tenant
from vendors.models import Supplier

METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# A path segment before an id names the model outside the admin (whose views know their model).
MODEL_OF_SEGMENT: dict[str, type[Model]] = {
    "quotes": Quote,
    "negotiations": Negotiation,
    "suppliers": Supplier,
    "notifications": Notification,
    "user": User,
}
OBJECT_PARAMETERS = {"pk", "id", "object_id", "quote_id"}
# Parameters that do not name an object: every value a view acts on, and one it does not know.
OTHER_PARAMETERS = {
    "action": sorted({*NEGOTIATION_ACTIONS, *QUOTE_ACTIONS, "start", "bogus"}),
    "app_label": ["negotiations", "accounts"],
    "url": ["nothing-here/"],
    # The supplier portal's link (tests/portal covers real links: this one opens nothing).
    "token": ["not-a-portal-link"],
}
_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


@dataclass(frozen=True)
class Route:
    """One URL pattern: its route text and where its object id comes from."""

    route: str
    name: str
    model: type[Model] | None  # the model of its object id, None if it takes none
    admin: bool

    def parameters(self) -> list[str]:
        return _PARAMETER.findall(self.route) or _REGEX_GROUP.findall(self.route)

    def urls(self, owner: Tenant, *, object_id: int | None = None) -> Iterator[str]:
        """The route's URLs with ``owner``'s object, or ``object_id`` (every value of any other
        parameter)."""
        fills: list[dict[str, str]] = [{}]
        for parameter in self.parameters():
            if parameter == "content_type_id":
                values = [str(ContentType.objects.get_for_model(self.model).pk)]
            elif parameter in OBJECT_PARAMETERS:
                values = [str(object_id or owner.object_of(self.model).pk)]
            elif parameter in OTHER_PARAMETERS:
                values = OTHER_PARAMETERS[parameter]
            else:
                raise AssertionError(
                    f"{self.route}: the security matrix cannot fill <{parameter}>: "
                    "teach tests/security/routes.py what it takes"
                )
            fills = [{**fill, parameter: value} for fill in fills for value in values]
        for fill in fills:
            yield "/" + _fill(self.route, fill)


def _fill(route: str, values: dict[str, str]) -> str:
    route = _PARAMETER.sub(lambda m: values[m.group(1)], route)
    route = _REGEX_GROUP.sub(lambda m: values[m.group(1)], route)
    return route.replace("^", "").replace("$", "")


def _model_of(route: str, callback, parameters: list[str]) -> type[Model] | None:
    if not OBJECT_PARAMETERS & set(parameters):
        return None
    model_admin = getattr(callback, "model_admin", None)
    if model_admin is not None:
        return model_admin.model
    before = route[: route.index("<")].rstrip("/").rsplit("/", 1)[-1]
    if before not in MODEL_OF_SEGMENT:
        raise AssertionError(f"{route}: which model does its id name? add {before!r} above")
    return MODEL_OF_SEGMENT[before]


def all_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            text = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, text, pattern.namespace or namespace)
                continue
            assert isinstance(pattern, URLPattern)
            parameters = _PARAMETER.findall(text) or _REGEX_GROUP.findall(text)
            name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
            if text.endswith("/<path:object_id>/") and not pattern.name:
                name = f"{namespace}:object_redirect"
            if "view_on_site" in name:
                # /admin/r/<content type>/<id>/: one route per model an id can name.
                for model in MODEL_OF_SEGMENT.values():
                    routes.append(Route(text, f"{name}[{model.__name__}]", model, True))
                continue
            model = _model_of(text, pattern.callback, parameters)
            routes.append(Route(text, name, model, namespace == "admin"))

    walk(get_resolver().url_patterns, "", None)
    return routes
