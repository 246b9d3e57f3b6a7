"""Transports to the outside: SMTP, the SMS provider, partner webhooks.

Each one raises ``TemporaryFailure`` (try again later) or ``PermanentFailure`` (dead-letter at once);
the reason is kept in the delivery log and shown to support agents, so addresses are scrubbed from it.
"""

import re

_EMAIL = re.compile(r"<?[\w.+-]+@[\w-]+(\.[\w-]+)+>?")
_PHONE = re.compile(r"(?:\+|\b0)\d(?:[ .-]?\d){7,}")


def scrub(text: str) -> str:
    return _PHONE.sub("<numéro>", _EMAIL.sub("<adresse>", text))


class DeliveryFailure(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = scrub(reason)[:500]


class TemporaryFailure(DeliveryFailure):
    pass


class PermanentFailure(DeliveryFailure):
    pass
