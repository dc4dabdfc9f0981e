import uuid
from dataclasses import dataclass
from datetime import datetime

from notifications.backends.base import Backend


@dataclass(frozen=True)
class SentSMS:
    to: str
    body: str
    reference: str
    provider_id: str


outbox: list[SentSMS] = []  # like django.core.mail.outbox, for tests


class LocmemSMSBackend(Backend):
    channel = "sms"

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
        provider_id = f"locmem-{uuid.uuid4()}"
        outbox.append(SentSMS(to, body, reference, provider_id))
        return provider_id

    def lookup(self, *, to: str, body: str, reference: str, since: datetime) -> str | None:
        return next((m.provider_id for m in outbox if m.reference == reference), None)
