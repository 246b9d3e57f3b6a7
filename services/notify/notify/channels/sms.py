"""SMS through an HTTP provider adapter.

Protocol (documented in the README): ``POST {NOTIFY_SMS_PROVIDER_URL}`` with
``Authorization: Bearer {NOTIFY_SMS_API_KEY}`` and the JSON body
``{"to": "+33612345678", "text": "...", "sender": "FranceServ", "reference": "<delivery id>"}``.
2xx: accepted. 408, 429 and 5xx: try again later. Any other 4xx: permanent failure.
The ``reference`` is the same on every attempt, so that a provider may deduplicate.
"""

import httpx

from notify.channels import PermanentFailure, TemporaryFailure


def classify(response: httpx.Response, what: str) -> None:
    """Raise the failure matching a non-2xx answer."""
    if response.is_success:
        return
    reason = f"{what} : HTTP {response.status_code}"
    if response.status_code in (408, 425, 429) or response.status_code >= 500:
        raise TemporaryFailure(reason)
    raise PermanentFailure(reason)


class SmsProvider:
    def __init__(self, http: httpx.AsyncClient, *, url: str, api_key: str, sender: str) -> None:
        self._http = http
        self._url = url
        self._api_key = api_key
        self._sender = sender

    async def send(self, *, to: str, text: str, reference: str) -> None:
        try:
            response = await self._http.post(
                self._url,
                json={"to": to, "text": text, "sender": self._sender, "reference": reference},
                headers={"Authorization": f"Bearer {self._api_key}"},
            )
        except httpx.HTTPError as exc:
            raise TemporaryFailure(f"fournisseur SMS injoignable : {type(exc).__name__}") from exc
        classify(response, "fournisseur SMS")
