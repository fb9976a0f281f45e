"""Savings and performance analytics of an organisation over a period (``/analytics/``)."""
