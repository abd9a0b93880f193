from celery import shared_task
from django.utils import timezone

from .services import audit_prune


@shared_task(name="audit.prune")
def prune() -> int:
    """Daily (beat): drop audit records older than the retention period, nothing newer."""
    return audit_prune(now=timezone.now())
