"""SMS through Kavenegar's REST API (https://kavenegar.com/rest.html).

    POST {base}/v1/{API-KEY}/sms/send.json            receptor, sender, message, localid
    GET  {base}/v1/{API-KEY}/sms/statuslocalmessageid.json?localid=...

Answers are JSON: {"return": {"status": 200, "message": ...}, "entries": [{"messageid": ...}]}.
`localid` is our outbox message id: after a crash mid-send, statuslocalmessageid tells whether
the gateway took that message, so it is never sent blindly a second time (docs/crm.md).

The API key is part of the URL: it is never logged, and error texts have it masked.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.parse
import urllib.request

REQUEST_TIMEOUT_SECONDS = 10.0
NOT_FOUND_STATUSES = (100,)  # statuslocalmessageid: no message with this localid


class ProviderError(Exception):
    """A provider refused or failed; `retryable` for 5xx, timeouts and unreachable."""

    def __init__(self, message: str, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


class Kavenegar:
    def __init__(self, base_url: str, api_key: str, sender: str, timeout: float = REQUEST_TIMEOUT_SECONDS):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.sender = sender
        self.timeout = timeout

    def _url(self, method: str) -> str:
        return f"{self.base_url}/v1/{urllib.parse.quote(self.api_key, safe='')}/sms/{method}.json"

    def _mask(self, text: str) -> str:
        return text.replace(self.api_key, "***") if self.api_key else text

    def _call(self, method: str, params: dict[str, str], post: bool) -> dict:
        data = urllib.parse.urlencode(params).encode()
        url = self._url(method)
        request = (urllib.request.Request(url, data=data, method="POST",
                                          headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
                   if post else urllib.request.Request(f"{url}?{data.decode()}"))
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - a setting's URL
                body = response.read()
        except urllib.error.HTTPError as exc:
            detail = ""
            try:
                detail = json.loads(exc.read() or b"{}").get("return", {}).get("message", "")
            except (ValueError, AttributeError):
                pass
            raise ProviderError(self._mask(f"gateway answered HTTP {exc.code} {detail}".strip()),
                                retryable=exc.code >= 500 or exc.code == 429) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ProviderError(self._mask(f"gateway unreachable: {type(exc).__name__} {reason}"),
                                retryable=True) from None
        try:
            answer = json.loads(body)
        except ValueError:
            raise ProviderError("gateway answered something not JSON", retryable=True) from None
        status = answer.get("return", {}).get("status")
        if status != 200:
            raise ProviderError(self._mask(f"gateway status {status}: {answer.get('return', {}).get('message', '')}"),
                                retryable=False)
        return answer

    async def send(self, localid: int, receptor: str, message: str) -> str:
        """The gateway's message id."""
        params = {"receptor": receptor, "message": message, "localid": str(localid)}
        if self.sender:
            params["sender"] = self.sender
        answer = await asyncio.to_thread(self._call, "send", params, True)
        entries = answer.get("entries") or [{}]
        return str(entries[0].get("messageid", ""))

    async def find(self, localid: int) -> str | None:
        """The gateway's message id for our localid, or None when it has no such message."""
        answer = await asyncio.to_thread(self._call, "statuslocalmessageid", {"localid": str(localid)}, False)
        for entry in answer.get("entries") or []:
            if str(entry.get("localid")) == str(localid) and entry.get("messageid") \
                    and entry.get("status") not in NOT_FOUND_STATUSES:
                return str(entry["messageid"])
        return None
