"""E-mail over SMTP (aiosmtplib). The notification id is the Message-ID, so a duplicate is recognisable."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from services.notify.channels import UNREACHABLE, Delivery, DeliveryFailed


class Email:
    def __init__(self, *, host: str, port: int, sender: str, timeout_s: float) -> None:
        self.host, self.port, self.sender, self.timeout_s = host, port, sender, timeout_s

    async def send(self, delivery: Delivery) -> str:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = delivery.address
        mail["Subject"] = ("[Alert] " if delivery.safety else "") + (
            "Tuoguan notice" if delivery.language == "en" else "托管班通知"
        )
        mail["Message-ID"] = f"<{delivery.notification_id}@tuoguan>"
        mail.set_content(delivery.body)
        try:
            await aiosmtplib.send(mail, hostname=self.host, port=self.port, timeout=self.timeout_s)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise DeliveryFailed(
                f"recipient refused: {exc}", retry=False, reason="the e-mail address was refused"
            ) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}", reason=UNREACHABLE) from exc
        return "250 queued"
