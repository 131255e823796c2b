"""Persian names of the transactions' machine values, shown the same to a member and a merchant:
each state with the badge class it is drawn in."""

from __future__ import annotations

from services.gen.club.switch.v1 import authorization_pb2

TRANSACTION_STATE = {"approved": ("پذیرفته", "ok"), "declined": ("رد شده", "bad"), "reversed": ("برگشت خورده", "bad"),
                     "partially_reversed": ("بخشی برگشت خورده", ""), "completed": ("انجام شده", "ok")}
TRANSACTION_TYPE = {
    authorization_pb2.TRANSACTION_TYPE_PURCHASE: "خرید",
    authorization_pb2.TRANSACTION_TYPE_REFUND: "بازپرداخت",
    authorization_pb2.TRANSACTION_TYPE_BALANCE_INQUIRY: "مانده‌گیری",
    authorization_pb2.TRANSACTION_TYPE_POINTS_PURCHASE: "خرید با امتیاز",
    authorization_pb2.TRANSACTION_TYPE_PREAUTH: "پیش‌خرید",
    authorization_pb2.TRANSACTION_TYPE_COMPLETION: "تکمیل پیش‌خرید",
    authorization_pb2.TRANSACTION_TYPE_REVERSAL: "برگشت",
}
