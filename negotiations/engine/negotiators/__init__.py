"""The two negotiators: one move per call, no hidden state (see ``base``)."""

from negotiations.engine.negotiators.brand import BrandNegotiator
from negotiations.engine.negotiators.supplier import PARTIAL_SHIPMENTS_QUESTION, SupplierNegotiator

__all__ = ["PARTIAL_SHIPMENTS_QUESTION", "BrandNegotiator", "SupplierNegotiator"]
