"""Settings of announcements and notifications, and the delivery worker built from them."""

from __future__ import annotations

import datetime as dt

from services.shared import config as cfg

from .context import Deps
from .delivery import DEFAULT_QUIET_HOURS, Worker, quiet_hours
from .mail import Smtp
from .sms import Kavenegar

SETTINGS = [
    cfg.Setting("CLUB_SMS_BASE_URL", "https://api.kavenegar.com", cfg.text,
                "the SMS gateway's base URL (Kavenegar's REST API: {base}/v1/{key}/sms/send.json)"),
    cfg.Setting("CLUB_SMS_API_KEY", "", cfg.text, "the SMS gateway's API key; empty = SMS messages fail", secret=True),
    cfg.Setting("CLUB_SMS_SENDER", "", cfg.text, "the SMS sender line; empty = the account's default line"),
    cfg.Setting("CLUB_SMTP_HOST", "", cfg.text, "SMTP server for email; empty = email messages fail"),
    cfg.Setting("CLUB_SMTP_PORT", "25", cfg.port, "SMTP port"),
    cfg.Setting("CLUB_SMTP_SENDER", "no-reply@club.local", cfg.text, "the From address of club email"),
    cfg.Setting("CLUB_SMTP_USERNAME", "", cfg.text, "SMTP login; empty = none"),
    cfg.Setting("CLUB_SMTP_PASSWORD", "", cfg.text, "SMTP password", secret=True),
    cfg.Setting("CLUB_SMTP_STARTTLS", "false", cfg.boolean, "STARTTLS before the login"),
    cfg.Setting("CLUB_OUTBOX_LEASE_SECONDS", "60", cfg.positive_int,
                "a message being sent longer than this is taken as interrupted (keep above the providers' timeouts)"),
    cfg.Setting("CLUB_SMS_QUIET_HOURS", DEFAULT_QUIET_HOURS, quiet_hours,
                "no marketing SMS in this window of the club's time zone (held to its end); empty = none"),
    cfg.Setting("CLUB_RECEIPT_SMS", "true", cfg.boolean,
                "SMS receipts of approved purchases for members with the receipt_sms consent (reads the switch's journal)"),
    cfg.Setting("CLUB_MARKETING_DAILY_CAP", "3", cfg.non_negative_int,
                "marketing SMS and email a member gets per day (the club's time zone); more are skipped"),
]


def worker(config, deps: Deps) -> Worker:
    sms = Kavenegar(config.sms_base_url, config.sms_api_key, config.sms_sender) if config.sms_api_key else None
    mail = Smtp(config.smtp_host, config.smtp_port, config.smtp_sender, config.smtp_username, config.smtp_password,
                config.smtp_starttls) if config.smtp_host else None
    return Worker(deps, sms, mail, dt.timedelta(seconds=config.outbox_lease_seconds), config.marketing_daily_cap,
                  config.sms_quiet_hours)
