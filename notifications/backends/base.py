from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar


class SendError(Exception):
    """A send that did not go through, classified so the caller knows what to do next."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        ambiguous: bool = False,
        unsubscribed: bool = False,
        config: bool = False,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent  # bad number or address: retrying cannot help
        self.ambiguous = ambiguous  # the request may have gone out: reconcile before resending
        self.unsubscribed = unsubscribed  # the provider holds an opt-out for this address
        # our credentials or sender are wrong: no family's fault (kept pending, unless permanent)
        self.config = config


@dataclass(frozen=True)
class Receipt:
    """A provider's delivery report in the outbox's words."""

    provider_status: str  # the provider's own word, kept on the row as it came
    status: str | None  # "sent", "delivered" or "failed"; None: nothing to act on
    failed_because: str = ""  # for a failure, the adviser's words
    unsubscribed: bool = False  # the provider now holds an opt-out for this address


class LookupUnavailable(Exception):
    """The provider cannot say whether a message went out."""


class Backend(ABC):
    channel: ClassVar[str]  # "sms" | "email"
    # The provider can say whether a message went: an unknown send waits for its answer rather
    # than going again.
    looks_up: ClassVar[bool] = False

    @abstractmethod
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
        """Send one message; return the provider's id for it. Raise SendError.

        Email only: `html` is the HTML alternative of `body`; `unsubscribe_url` the recipient's
        one-click stop URL (List-Unsubscribe). Text backends ignore both.
        """

    def lookup(self, *, to: str, body: str, reference: str, since: datetime) -> str | None:
        """Return the provider's id if it has this message, None if it has no record."""
        raise LookupUnavailable(f"{type(self).__name__} cannot look messages up")

    @classmethod
    def read_receipt(cls, *, provider_status: str, error_code: str = "") -> Receipt:
        """Put a delivery report from this provider's status webhook in the outbox's words."""
        return Receipt(provider_status=provider_status, status=None)
