"""Parents read what their statement, a payment and a refund come to, in their own language, in yuan."""

from __future__ import annotations

import re
import uuid

from services.notify.domain import message
from shared.contracts.subsidy import PaymentReceived, RefundIssued, StatementIssued

MONEY = {"booking_id": uuid.uuid4(), "child_id": uuid.uuid4()}
STATEMENT = StatementIssued(
    **MONEY,
    revision=3,
    cause="child.absent",
    fee_fen=15_000,
    subsidy_fen=2249,
    family_fen=12_751,
    paid_fen=10_000,
    balance_fen=2751,
)
PAYMENT = PaymentReceived(**MONEY, payment_id=uuid.uuid4(), amount_fen=10_000, source="gateway", balance_fen=2751)
REFUND = RefundIssued(**MONEY, refund_id=uuid.uuid4(), amount_fen=4250, reason="given up in time")


def test_a_statement_in_english_gives_each_total_in_yuan() -> None:
    assert message(STATEMENT, "Xiaohong", "en") == (
        "Xiaohong's childcare statement (revision 3): fee ¥150.00, subsidy ¥22.49, you pay ¥127.51; "
        "¥27.51 still to pay."
    )


def test_a_payment_and_a_refund_in_english() -> None:
    assert message(PAYMENT, "Xiaohong", "en") == "We received ¥100.00 for Xiaohong's childcare; ¥27.51 still to pay."
    assert message(REFUND, "Xiaohong", "en") == "A refund of ¥42.50 for Xiaohong's childcare is on its way to you."


def test_money_messages_in_chinese_have_no_english_or_codes_in_them() -> None:
    for event in (STATEMENT, PAYMENT, REFUND):
        text = message(event, "小红", "zh-CN")
        assert text is not None and not re.search(r"[A-Za-z_]", text), text
