import json
import os
import uuid
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from notifications.backends.base import Backend, SendError


class FileSMSBackend(Backend):
    """One JSON file per text (to, body, reference, sent_at) in SMS_FILE_PATH."""

    channel = "sms"

    @property
    def folder(self) -> Path:
        return Path(settings.SMS_FILE_PATH)  # read each time: the setting may change

    def send(
        self,
        *,
        to: str,
        subject: str,
        body: str,
        reference: str,
        html: str = "",
        unsubscribe_url: str = "",
    ) -> str:
        provider_id = f"file-{uuid.uuid4()}"
        sent_at = timezone.now()
        record = {"to": to, "body": body, "reference": reference, "sent_at": sent_at.isoformat()}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            final = self.folder / f"{sent_at:%Y%m%d-%H%M%S}-{reference}-{provider_id}.json"
            partial = final.with_suffix(".part")
            partial.write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
            os.replace(partial, final)  # readers never see half a file
        except OSError as exc:
            raise SendError(f"Could not write {self.folder}: {exc}") from exc
        return provider_id

    def lookup(self, *, to: str, body: str, reference: str, since: datetime) -> str | None:
        for path in self.folder.glob(f"*-{reference}-file-*.json"):
            return path.stem.split(f"-{reference}-", 1)[1]
        return None
