from celery import shared_task

from casework import case_records


# Named as when it lived in governance: beat's schedule (governance migration 0003) sends it by
# this name, and a worker of either version must know it.
@shared_task(name="governance.tasks.retention_purge_task", ignore_result=True)
def retention_purge_task() -> int:
    """Nightly: erase the closed cases past SENDFLOW_RETENTION_DAYS."""
    return len(case_records.retention_purge())
