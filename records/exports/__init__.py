"""Per-quote exports: the transcript as CSV, the whole record as JSON, the award summary as PDF."""
