"""Celery tasks of the R21 reports: large ranking PDFs (``assessment.ranking_files``)."""

from celery import shared_task


@shared_task(name="assessment.build_ranking_file", ignore_result=True)
def build_ranking_file(file_id: int) -> str:
    """Build one queued ranking PDF. Safe to deliver twice: the service claims the row under a
    lock and returns quietly when it is not queued any more."""
    from . import ranking_files

    ranking_file = ranking_files.ranking_file_build(file_id=file_id)
    return ranking_file.status if ranking_file is not None else "skipped"
