"""Small display filters of the negotiation pages."""

from django import template

register = template.Library()


@register.filter
def label(code: str) -> str:
    """A stored code as words: ``walk_away`` -> ``Walk away``."""
    return str(code).replace("_", " ").capitalize()
