"""Operations: the ops page, Prometheus metrics, structured logging and the stalled-turn sweep."""
