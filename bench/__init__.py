"""Orchestration benchmarks: real Celery workers, PostgreSQL, Redis and daphne on loopback.

``python -m bench [--quick]`` (``make bench``) prints the figures recorded in
docs/benchmarks.md ("Orchestration performance"). Nothing here is imported by the app.
"""
