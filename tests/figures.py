"""Looking for a figure in text a supplier can read (the brand's limits must never be there)."""

import re
from decimal import Decimal


def shows_figure(text: str, figure: Decimal | str) -> bool:
    """Whether ``text`` has ``figure`` as a number of its own, not inside a longer one (a
    time's "13:49:21.871623" holds "1.87")."""
    return re.search(rf"(?<![\d.]){re.escape(str(figure))}(?!\d)", text) is not None
