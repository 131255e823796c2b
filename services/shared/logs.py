"""JSON (or plain text) logs with a filter that keeps card secrets out.

Full PANs become BIN + last 4; long hex runs (PIN blocks, keys, MACs) are replaced;
extra fields whose names say they hold a secret are dropped. The filter runs on every
record, so a careless log line cannot leak what it was given.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import Any

PAN_RE = re.compile(r"(?<![0-9])([0-9]{6})[0-9]{3,9}([0-9]{4})(?![0-9])")
HEX_SECRET_RE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Fa-f]{16,}(?![0-9A-Za-z])")
SECRET_FIELD_RE = re.compile(r"(pin|cvv|key|track|password|secret|mac$|totp_code|provisioning_uri)", re.IGNORECASE)
STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def mask_text(value: str) -> str:
    value = PAN_RE.sub(lambda m: f"{m.group(1)}******{m.group(2)}", value)
    return HEX_SECRET_RE.sub("[redacted]", value)


def _clean(name: str, value: Any) -> Any:
    if SECRET_FIELD_RE.search(name) and name not in ("pin_tries", "key_version", "pin_set"):
        return None
    if isinstance(value, (bytes, bytearray, memoryview)):
        return None
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: _clean(k, v) for k, v in value.items() if _clean(k, v) is not None}
    if isinstance(value, (list, tuple)):
        return [_clean(name, v) for v in value]
    return value


class SecretFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_text(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        for key in [k for k in vars(record) if k not in STANDARD_ATTRS]:
            cleaned = _clean(key, vars(record)[key])
            if cleaned is None:
                delattr(record, key)
            else:
                setattr(record, key, cleaned)
        return True


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in STANDARD_ATTRS:
                entry[key] = value
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(f"{k}={v}" for k, v in vars(record).items() if k not in STANDARD_ATTRS)
        line = f"{time.strftime('%H:%M:%S', time.localtime(record.created))} {record.levelname:<7} {self.service:<8} {record.getMessage()}"
        line = f"{line} {extras}" if extras else line
        return f"{line}\n{record.exc_text}" if record.exc_text else line


def setup(service: str, level: str = "INFO", fmt: str = "json") -> logging.Logger:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(SecretFilter())
    handler.setFormatter(JsonFormatter(service) if fmt == "json" else TextFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("grpc", "asyncio", "psycopg.pool"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    return logging.getLogger(service)
