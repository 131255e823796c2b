"""python -m services.portal: the portal's HTTP server (uvicorn)."""

from __future__ import annotations

import logging

import uvicorn

from services.shared import logs

from . import settings
from .app import create_app, validate


def _without_colour(record: logging.LogRecord) -> bool:
    record.__dict__.pop("color_message", None)  # uvicorn's terminal-coloured copy of the message
    return True


def main() -> None:
    cfg = settings.load()
    validate(cfg)
    logs.setup("portal", cfg.log_level, cfg.log_format)
    logging.getLogger("uvicorn.error").addFilter(_without_colour)
    uvicorn.run(create_app(cfg), host=cfg.portal_host, port=cfg.portal_port, proxy_headers=True,
                forwarded_allow_ips=cfg.portal_forwarded_allow_ips, log_config=None, access_log=False,
                server_header=False, timeout_graceful_shutdown=10)


if __name__ == "__main__":
    main()
