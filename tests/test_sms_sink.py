"""The development SMS sink answers as the gateway does and keeps each message once."""

from __future__ import annotations

import json
import sys
import urllib.parse
import urllib.request

from tests import harness

sys.path.insert(0, str(harness.ROOT / "scripts"))
from sms_sink import DEV_API_KEY, SmsSink  # noqa: E402


def call(url: str, form: dict | None = None) -> dict:
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=5) as answer:
        return json.loads(answer.read())


def test_a_message_is_written_once_and_found_by_its_local_id(tmp_path):
    output = tmp_path / "sink.jsonl"
    sink = SmsSink(harness.free_port(), output).start()
    try:
        send = f"{sink.url}/v1/{DEV_API_KEY}/sms/send.json"
        form = {"receptor": "09120000000", "message": "سلام، خرید ۱۰٬۰۰۰ ریال تأیید شد", "localid": "m-1"}
        first, again = call(send, form), call(send, form)  # the same localid again: the same message
        assert first["return"]["status"] == 200 and first["entries"][0]["messageid"] == again["entries"][0]["messageid"]
        lines = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
        assert [(line["receptor"], line["message"]) for line in lines] == [(form["receptor"], form["message"])]
        status = call(f"{sink.url}/v1/{DEV_API_KEY}/sms/statuslocalmessageid.json?localid=m-1")
        assert status["entries"][0]["messageid"] == first["entries"][0]["messageid"]
        unknown = call(f"{sink.url}/v1/{DEV_API_KEY}/sms/statuslocalmessageid.json?localid=m-2")
        assert unknown["entries"][0]["status"] == 100
        try:
            call(f"{sink.url}/v1/another-key/sms/send.json", form)
            raise AssertionError("a wrong key was accepted")
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
    finally:
        sink.close()
