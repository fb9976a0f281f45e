import pytest

from tests.faults.harness import Worker, flush_broker


@pytest.fixture
def workers(transactional_db):
    """Worker processes a test starts (append them); all killed before the database is flushed.

    Depends on ``transactional_db`` so this teardown runs first: the workers write to the test
    database until they die.
    """
    flush_broker()
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()
    flush_broker()
