"""Settlement outputs: the bank file (one line per IBAN with a control total), a statement per
merchant and per funder, each as CSV and as an HTML page (right-to-left: names are Persian)."""

from __future__ import annotations

import csv
import html
import io
import pathlib

SETTLEMENT_FILE = "settlement.csv"
CONTROL_TOTAL_TAG = "TOTAL"
MERCHANT_DIR, FUNDER_DIR = "merchants", "funders"


def _csv(rows: list[list]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _html(title: str, rows: list[list], heading: list[str]) -> str:
    head = "".join(f"<th>{html.escape(str(cell))}</th>" for cell in heading)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_format(cell))}</td>" for cell in row) + "</tr>" for row in rows)
    return (f'<!DOCTYPE html>\n<html lang="fa" dir="rtl">\n<head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            "<style>body{font-family:Vazirmatn,Tahoma,sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border:1px solid #999;padding:.3em .8em}td:last-child{direction:ltr;text-align:left}</style></head>\n"
            f"<body><h1>{html.escape(title)}</h1>\n<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            "</body></html>\n")


def _format(cell) -> str:
    return f"{cell:,}" if isinstance(cell, int) else str(cell)


def settlement_file(batch_id: str, lines: list[tuple[str, str, str, str, int]]) -> str:
    """lines: (merchant_id, merchant name, iban, beneficiary name, amount)."""
    rows = [["batch_id", "merchant_id", "merchant_name", "iban", "beneficiary_name", "amount_rials"]]
    rows += [[batch_id, *line] for line in lines]
    rows.append([CONTROL_TOTAL_TAG, len(lines), "", "", "", sum(line[4] for line in lines)])
    return _csv(rows)


def merchant_statement(batch_id: str, merchant_id: str, name: str, figures: list[tuple[str, int]],
                       payouts: list[tuple[str, str, int]], party_names: dict[str, str]) -> tuple[str, str]:
    """The CSV keeps machine keys (`funded_by:<party>`); the page names each funder."""
    rows = [[label, value] for label, value in figures] + [[f"payout {iban} ({who})", amount]
                                                           for iban, who, amount in payouts]
    csv_text = _csv([["batch_id", batch_id], ["merchant_id", merchant_id], ["merchant_name", name], *rows])
    labels = [[_label(label, party_names), value] for label, value in figures] + \
             [[f"واریز به {iban} — {who}", amount] for iban, who, amount in payouts]
    return csv_text, _html(f"صورتحساب تسویه {name} ({merchant_id}) — {batch_id}", labels, ["شرح", "مبلغ (ریال)"])


def _label(key: str, party_names: dict[str, str]) -> str:
    kind, _, party = key.partition(":")
    return f"سهم {party_names.get(party, party)}" if kind == FUNDED_BY else FA_LABELS.get(key, key)


def funder_statement(batch_id: str, party_id: str, owed: list[tuple[str, str, int]],
                     party_name: str) -> tuple[str, str]:
    """owed: (merchant_id, merchant name, amount) the party funded in this batch."""
    total = sum(amount for _, _, amount in owed)
    rows = [["merchant_id", "merchant_name", "amount_rials"], *[list(item) for item in owed], [CONTROL_TOTAL_TAG, "", total]]
    csv_text = _csv([["batch_id", batch_id], ["party_id", party_id], *rows])
    page = _html(f"سهم تخفیف {party_name} ({party_id}) — {batch_id}", [*[list(item) for item in owed], ["جمع", "", total]],
                 ["پذیرنده", "نام", "مبلغ (ریال)"])
    return csv_text, page


FUNDED_BY = "funded_by"  # figure keys funded_by:<party>
FA_LABELS = {
    "gross_sales": "فروش ناخالص", "discounts": "تخفیف‌ها", "merchant_borne": "سهم پذیرنده از تخفیف",
    "refunds": "استرداد", "reversals": "برگشت", "fees": "کارمزد", "carried_in": "مانده دوره قبل",
    "net_payable": "خالص قابل پرداخت",
}


def write(directory: pathlib.Path, name: str, text: str) -> pathlib.Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)  # readers never see half a file
    return path
