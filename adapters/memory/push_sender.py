"""Records pushes instead of sending them; can be told to refuse the next ones."""

from __future__ import annotations

from ports.push import PushDeliveryError, PushNotification


class RecordingPushSender:
    def __init__(self, project: str = "recorded") -> None:
        self.sent: list[PushNotification] = []
        self.failures: list[PushDeliveryError] = []
        self._project = project

    async def send(self, push: PushNotification) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(push)
        return f"projects/{self._project}/messages/{len(self.sent)}"
