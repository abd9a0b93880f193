"""Run service calls at the same moment from several threads (race tests on PostgreSQL)."""

import threading

from django.db import connection


def together(*calls) -> list[Exception]:
    """Start every call at once (a barrier), wait for all; return the exceptions raised."""
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait()
            call()
        except Exception as exc:  # noqa: BLE001 - collected for the test to assert
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors
