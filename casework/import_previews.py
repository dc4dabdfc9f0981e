"""Uploaded files waiting between an import's preview and its confirm.

A file holds families' names and numbers, so none outlives its use: the confirm or a new upload
removes it, and the sweeper removes any left behind (a closed tab, a session that expired)
after PREVIEW_LIFETIME, which is also how long a preview can be confirmed.
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path

logger = logging.getLogger(__name__)

PREVIEW_LIFETIME = 60 * 60  # seconds


def folder() -> Path:
    path = Path(tempfile.gettempdir()) / "sendflow-imports"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def path_for(token: str) -> Path:
    return folder() / f"{token}.csv"


def is_fresh(path: Path, *, uploaded_at: float) -> bool:
    """Still there and within its hour of the upload."""
    return path.exists() and time.time() - uploaded_at <= PREVIEW_LIFETIME


def remove_abandoned(*, now: float | None = None) -> int:
    """Remove the previews older than their hour; how many went."""
    removed = 0
    now = time.time() if now is None else now
    for path in folder().glob("*.csv"):
        try:
            abandoned = now - path.stat().st_mtime > PREVIEW_LIFETIME
        except FileNotFoundError:
            continue  # confirmed or replaced meanwhile
        if abandoned:
            path.unlink(missing_ok=True)
            removed += 1
    if removed:
        logger.info("Removed %d abandoned import preview file(s)", removed)
    return removed
