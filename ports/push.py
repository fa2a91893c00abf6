"""Sending a push notification to one device: ringing a callee's phone or glasses.

The device is named by the token its app registered with the push service. A send either
returns the provider's message id or raises PushDeliveryError, whose ``code`` tells the
core what to do next: retry later, give up, or forget a device token that will never
work again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Protocol


class PushPriority(StrEnum):
    """``high`` wakes a sleeping device at once (an incoming call); ``normal`` may wait."""

    HIGH = "high"
    NORMAL = "normal"


@dataclass(frozen=True, slots=True)
class PushNotification:
    """One notification for one device.

    ``time_to_live`` bounds how long the provider keeps trying to reach an offline device
    (a ring is pointless after the call ended; zero means now or never; None is the
    provider's default). Pushes sharing a ``collapse_key`` replace each other while they
    wait, so a device that comes back online sees only the latest.
    """

    device_token: str
    title: str
    body: str
    data: dict[str, str] = field(default_factory=dict)
    priority: PushPriority = PushPriority.NORMAL
    time_to_live: timedelta | None = None
    collapse_key: str | None = None

    def __post_init__(self) -> None:
        if not self.device_token:
            raise ValueError("a push needs a device token")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in self.data.items()):
            raise ValueError("push data maps strings to strings")
        if self.time_to_live is not None and self.time_to_live < timedelta(0):
            raise ValueError("a push's time to live cannot be negative")


class PushFailure(StrEnum):
    """Why a push was refused, as the core can act on it."""

    UNREGISTERED = "unregistered"
    """The app was uninstalled or its token expired: forget the device token."""
    INVALID_TOKEN = "invalid_token"  # noqa: S105 - a failure code, not a secret
    """The token is not one the push service ever issued: forget the device token."""
    INVALID_MESSAGE = "invalid_message"
    """The notification itself was refused (too large, a reserved data key...)."""
    SENDER_MISMATCH = "sender_mismatch"
    """The token belongs to another project than the one the platform sends as."""
    CREDENTIALS_REFUSED = "credentials_refused"
    """The platform's own credentials were refused or lack the permission to send."""
    THIRD_PARTY_AUTH = "third_party_auth"
    """The push service could not authenticate to the device platform (APNs, web push)."""
    QUOTA_EXCEEDED = "quota_exceeded"
    """Too many pushes, for the project or for this device: slow down and retry."""
    UNAVAILABLE = "unavailable"
    """The push service (or its credentials endpoint) failed or is overloaded."""
    UNREACHABLE = "unreachable"
    """No connection to the push service could be made."""
    TIMEOUT = "timeout"
    """The push service did not answer in time; the push may or may not have left."""
    REJECTED = "rejected"
    """Refused for a reason this list has no name for; the reason text says more."""


_DEAD_TOKEN = frozenset({PushFailure.UNREGISTERED, PushFailure.INVALID_TOKEN})


class PushDeliveryError(Exception):
    """The push was not accepted.

    ``retryable`` says whether trying again may help; ``retry_after`` (seconds), when the
    provider asked for a pause, is the least wait before that retry.
    """

    def __init__(
        self, reason: str, *, retryable: bool, code: str, retry_after: float | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.code = code
        self.retry_after = retry_after

    @property
    def forget_device_token(self) -> bool:
        """True when the device token will never work again and should be deleted."""
        return self.code in _DEAD_TOKEN

    def __repr__(self) -> str:
        return (
            f"PushDeliveryError({self.reason!r}, retryable={self.retryable}, "
            f"code={self.code!r}, retry_after={self.retry_after})"
        )


class PushSender(Protocol):
    async def send(self, push: PushNotification) -> str:
        """Hand the push to the provider; returns its message id.

        Raises PushDeliveryError when the push was not accepted.
        """
        ...
