"""The portal's settings. It reads no auth secret and no database: only where the services are,
the key that signs its session cookies, and how it is served."""

from __future__ import annotations

import hashlib

from services.shared import config
from services.shared.clients import ADDRESS_SETTINGS
from services.shared.config import Setting, boolean, one_of, port, positive_int, text

DEFAULT_PORT = 7180
AMOUNT_UNITS = ("rials", "tomans")
SESSION_KEY = Setting("CLUB_PORTAL_SESSION_KEY", "", text,
                      "base64 key (32+ bytes) signing the portal's session cookies; required in production",
                      secret=True)
_DEMO_SESSION_KEY = hashlib.sha256(b"club-portal-development-session-key-v1").digest()

OWN_SETTINGS = [
    Setting("CLUB_PORTAL_HOST", "0.0.0.0", text, "address the portal's HTTP server binds"),
    Setting("CLUB_PORTAL_PORT", str(DEFAULT_PORT), port, "the portal's HTTP port"),
    SESSION_KEY,
    Setting("CLUB_PORTAL_SECURE_COOKIES", "false", boolean,
            "mark the session cookie Secure (sent over HTTPS only); true behind TLS"),
    Setting("CLUB_PORTAL_SESSION_MINUTES", "60", positive_int,
            "a session's longest life; it also ends when the person's token expires"),
    Setting("CLUB_PORTAL_AMOUNTS", "rials", one_of(*AMOUNT_UNITS), "amounts shown to people in rials or tomans"),
    Setting("CLUB_PORTAL_FORWARDED_ALLOW_IPS", "127.0.0.1", text,
            "proxies (comma-separated addresses, or *) trusted for X-Forwarded-For/-Proto, e.g. the ingress"),
    Setting("CLUB_PORTAL_CALL_TIMEOUT_SECONDS", "5", positive_int, "deadline of each gRPC call the portal makes"),
    Setting("CLUB_PORTAL_FONT_DIR", "services/documents/fonts", text,
            "directory with the Vazirmatn font files served at /fonts/; missing = a system font"),
]

# Every variable the portal reads: the shared ones it uses and its own.
SETTINGS = [
    *(s for s in config.COMMON if s.name in ("CLUB_ENV", "CLUB_LOG_LEVEL", "CLUB_LOG_FORMAT", "CLUB_TLS_DIR")),
    *ADDRESS_SETTINGS,
    *OWN_SETTINGS,
]


def load(env=None):
    return config.load(SETTINGS, env)


def session_key(cfg) -> bytes:
    return config.signing_key(cfg, SESSION_KEY, _DEMO_SESSION_KEY)
