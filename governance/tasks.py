from celery import shared_task

from governance import services


@shared_task(ignore_result=True)
def retention_purge_task() -> int:
    """Nightly: erase the closed cases past SENDFLOW_RETENTION_DAYS."""
    return len(services.retention_purge())
