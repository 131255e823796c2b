"""Email over SMTP (smtplib in a thread: one message per connection, at the worker's pace)."""

from __future__ import annotations

import asyncio
import email.message
import email.utils
import smtplib

from .sms import ProviderError

SMTP_TIMEOUT_SECONDS = 15.0


class Smtp:
    def __init__(self, host: str, port: int, sender: str, username: str = "", password: str = "",
                 starttls: bool = False, timeout: float = SMTP_TIMEOUT_SECONDS):
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.starttls, self.timeout = username, password, starttls, timeout

    def _send(self, message: email.message.EmailMessage) -> None:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as client:
                if self.starttls:
                    client.starttls()
                if self.username:
                    client.login(self.username, self.password)
                client.send_message(message)
        except smtplib.SMTPResponseException as exc:
            raise ProviderError(f"SMTP {exc.smtp_code}", retryable=exc.smtp_code >= 400 and exc.smtp_code < 500) \
                from None
        except smtplib.SMTPRecipientsRefused:
            raise ProviderError("SMTP refused the recipient", retryable=False) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise ProviderError(f"SMTP unreachable: {type(exc).__name__}", retryable=True) from None

    async def send(self, message_id: int, to: str, subject: str, body: str) -> str:
        """The Message-ID header: an operator finds the message by it when its outcome is unknown."""
        message = email.message.EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        domain = self.sender.rpartition("@")[2] or "club.local"
        message["Message-ID"] = f"<outbox-{message_id}@{domain}>"
        message["Date"] = email.utils.formatdate(localtime=False)
        message.set_content(body)
        await asyncio.to_thread(self._send, message)
        return message["Message-ID"]
