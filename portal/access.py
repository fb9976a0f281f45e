"""Who may open the portal: a link's token, within the portal's rate limits.

The pages and the socket count every request here (per link and per client address, an unknown
link included, before it is looked up), then ask ``invitation_for_token`` which invitation the
token opens (``InvitationNotFound``: 404, ``InvitationGone``: 410).
"""

from procur import ratelimit


def limited(token: str, address: str) -> ratelimit.Limited | None:
    """Count one request for ``token`` from ``address``; the refusal if either is over."""
    by_token = ratelimit.hit_key("portal-token", token)
    by_address = ratelimit.hit_key("portal-address", address or "unknown")
    return by_token or by_address
