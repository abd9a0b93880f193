"""Celery tasks of the R21 reports: large ranking PDFs (``assessment.ranking_files``)."""

from celery import shared_task

from common.background import ClaimHeld

# A live worker holds the row: retry a few times, each once its lease may have expired.
HELD_RETRIES = 5


@shared_task(name="assessment.build_ranking_file", bind=True, ignore_result=True, max_retries=HELD_RETRIES)
def build_ranking_file(self, file_id: int) -> str:
    """Build one queued ranking PDF. Safe to deliver twice: the service claims the row under a
    lock and returns quietly when there is nothing to build. A message redelivered after its
    worker was killed (acks_late) retries until the dead worker's lease has expired and then
    takes the build over."""
    from . import ranking_files

    try:
        ranking_file = ranking_files.ranking_file_build(file_id=file_id)
    except ClaimHeld as held:
        if self.request.called_directly or self.request.retries >= HELD_RETRIES:
            return "skipped"  # a live worker builds it; the watchdog takes it back if that worker dies
        raise self.retry(countdown=held.retry_in + 1) from None
    return ranking_file.status if ranking_file is not None else "skipped"


@shared_task(name="assessment.ranking_files_watchdog", ignore_result=True)
def ranking_files_watchdog() -> int:
    """Every minute (beat): publish again the ranking files whose lease expired."""
    from . import ranking_files

    return ranking_files.ranking_files_watchdog()
