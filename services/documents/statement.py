"""A merchant's settlement statement as one document: HTML (right to left), CSV and PDF.

Built only from tasheem's gRPC answers (GetMerchant, GetBatch and ListBatchTransactions, each for
the one merchant), so `clubctl settlement statement` with an operator's token and the merchant
portal with a merchant's token get the same document from the same function (`gather`, then
`render_*` or `write`).

People read the HTML and the PDF: Persian, the period and the PAYA payout in Jalali dates in the
club's time zone, Persian digits, amounts in rials grouped, funders by name, and under each figure
the transactions behind it. Machines read the CSV: ISO 8601 instants, ASCII digits, UTF-8, one
record per line (`statement` facts, `figure` totals, `transaction` items, `payout` lines); per
figure its transactions add up to its total (a difference, which only a take-back of a partial
release before this batch can make, is given as its own `not_itemized` line, never hidden).
The PDF is the same HTML laid out by WeasyPrint (Pango and HarfBuzz shape the Persian) with the
vendored Vazirmatn font, so the two never differ.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import pathlib
from dataclasses import dataclass

import jinja2
import markupsafe

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.shared import persian

HERE = pathlib.Path(__file__).resolve().parent
FONTS_DIR = HERE / "fonts"  # Vazirmatn (SIL OFL 1.1, OFL.txt); the portal serves the same files
FONT_FILES = ("Vazirmatn-Regular.ttf", "Vazirmatn-Bold.ttf")
NOT_ITEMIZED = "not_itemized"
# The figures transactions stand behind, in the order the statement lists them.
ITEMIZED = ("sales", "discount_funding", "merchant_borne", "refunds", "reversals", "fees")
LABELS = {
    "sales": "پرداخت اعضا", "discount_funding": "سهم تأمین‌کنندگان تخفیف", "merchant_borne": "سهم پذیرنده از تخفیف",
    "refunds": "استرداد", "reversals": "برگشت", "fees": "کارمزد", "gross_sales": "فروش ناخالص",
    "discounts": "تخفیف‌ها", "carried_in": "مانده دوره قبل", "net_payable": "خالص قابل پرداخت",
}
DEDUCTED = ("refunds", "reversals", "fees")  # shown with a minus: they lower the net payable

_templates = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                                autoescape=True, undefined=jinja2.StrictUndefined)
_templates.filters.update(rials=lambda amount: markupsafe.Markup('<span class="number">{}</span> {}').format(
    persian.number(amount), persian.RIAL))  # the number held left to right, its minus sign with it


@dataclass(frozen=True)
class Figure:
    key: str  # machine name: sales, discount_funding, ...
    party_id: str  # discount_funding only
    label: str  # what a person reads
    amount: int  # rials
    transactions: tuple[pb.BatchTransaction, ...]

    @property
    def not_itemized(self) -> int:
        return self.amount - sum(item.amount for item in self.transactions)


@dataclass(frozen=True)
class Statement:
    batch: pb.SettlementBatch  # as the merchant sees it (GetBatch with its merchant_id)
    merchant: pb.Merchant
    settlement: pb.MerchantSettlement
    transactions: tuple[pb.BatchTransaction, ...]
    party_names: dict[str, str]
    time_zone: str

    @property
    def sales(self) -> int:
        return self.settlement.gross_sales - self.settlement.discounts

    @property
    def funders_total(self) -> int:
        return self.settlement.discounts - self.settlement.merchant_borne

    @property
    def carried_in(self) -> int:
        """What the previous batch could not pay, as the close added it (not in the batch message)."""
        s = self.settlement
        return s.net_payable - (self.sales + self.funders_total - s.refunds - s.reversals - s.fees)

    def _items(self, figure: str, party_id: str = "") -> tuple[pb.BatchTransaction, ...]:
        return tuple(t for t in self.transactions if t.figure == figure and (not party_id or t.party_id == party_id))

    def figures(self) -> list[Figure]:
        s = self.settlement
        result = [Figure("sales", "", LABELS["sales"], self.sales, self._items("sales"))]
        for party, amount in sorted(s.funded_by_party.items()):
            if party != "merchant" and amount:
                result.append(Figure("discount_funding", party, f"سهم {self.party_names.get(party, party)}",
                                     amount, self._items("discount_funding", party)))
        result.append(Figure("merchant_borne", "", LABELS["merchant_borne"], s.merchant_borne,
                             self._items("merchant_borne")))
        for key in DEDUCTED:
            result.append(Figure(key, "", LABELS[key], getattr(s, key), self._items(key)))
        return result

    def period(self) -> tuple[dt.datetime | None, dt.datetime]:
        start = self.batch.period_start.ToDatetime(dt.UTC) if self.batch.HasField("period_start") else None
        return start, self.batch.cutoff.ToDatetime(dt.UTC)

    def payout_at(self) -> dt.datetime:
        return self.batch.payout_at.ToDatetime(dt.UTC)


def gather(tasheem, batch_id: str, merchant_id: str, time_zone: str = persian.DEFAULT_TIME_ZONE) -> Statement:
    """The statement's facts from tasheem (a TasheemServiceStub; any token that may read this
    merchant's batch: the operator's, or the merchant's own)."""
    return assemble(tasheem.GetBatch(pb.GetBatchRequest(batch_id=batch_id, merchant_id=merchant_id)),
                    tasheem.GetMerchant(pb.GetMerchantRequest(merchant_id=merchant_id)),
                    tasheem.ListBatchTransactions(pb.ListBatchTransactionsRequest(batch_id=batch_id,
                                                                                  merchant_id=merchant_id)),
                    time_zone)


def assemble(batch: pb.SettlementBatch, merchant: pb.Merchant, listed: pb.ListBatchTransactionsResponse,
             time_zone: str = persian.DEFAULT_TIME_ZONE) -> Statement:
    """The statement from the three answers `gather` asks for; a caller with an asyncio channel
    (the portal) asks them itself and builds the same statement here."""
    merchant_id = merchant.merchant_id
    (settlement,) = [m for m in batch.merchants if m.merchant_id == merchant_id]
    return Statement(batch=batch, merchant=merchant, settlement=settlement, transactions=tuple(listed.transactions),
                     party_names=dict(listed.party_names), time_zone=time_zone)


def _iso(stamp) -> str:
    return stamp.ToDatetime(dt.UTC).isoformat().replace("+00:00", "Z")


def render_csv(statement: Statement) -> str:
    s, start_end = statement.settlement, statement.period()
    out = io.StringIO()
    rows = csv.writer(out, lineterminator="\n")
    rows.writerow(["record", "key", "party_id", "transaction_id", "at", "amount_rials", "text"])
    facts = [("batch_id", statement.batch.batch_id), ("merchant_id", s.merchant_id),
             ("merchant_name", statement.merchant.name),
             ("period_start", start_end[0].isoformat().replace("+00:00", "Z") if start_end[0] else ""),
             ("period_end", _iso(statement.batch.cutoff)), ("payout_at", _iso(statement.batch.payout_at))]
    for key, value in facts:
        rows.writerow(["statement", key, "", "", "", "", value])
    figures = statement.figures()
    for figure in figures:
        rows.writerow(["figure", figure.key, figure.party_id, "", "", figure.amount,
                       statement.party_names.get(figure.party_id, "") if figure.party_id else ""])
    for key, amount in (("gross_sales", s.gross_sales), ("discounts", s.discounts), ("carried_in", statement.carried_in),
                        ("net_payable", s.net_payable)):
        rows.writerow(["figure", key, "", "", "", amount, ""])
    for figure in figures:
        for item in figure.transactions:
            rows.writerow(["transaction", figure.key, item.party_id if figure.party_id else "", item.transaction_id,
                           _iso(item.at), item.amount, ""])
        if figure.not_itemized:
            rows.writerow(["transaction", figure.key, figure.party_id, NOT_ITEMIZED, "", figure.not_itemized, ""])
    for payout in s.payouts:
        rows.writerow(["payout", payout.iban, "", "", "", payout.amount, payout.name])
    return out.getvalue()


def render_html(statement: Statement, font_url: str = "") -> str:
    """The page; `font_url` is where the browser finds the fonts directory (the portal's URL for
    it); empty = the vendored files on disk (the PDF, a file opened locally)."""
    s, zone = statement.settlement, statement.time_zone
    start, end = statement.period()
    return _templates.get_template("statement.html.j2").render(
        statement=statement, merchant=statement.merchant, settlement=s, labels=LABELS,
        figures=statement.figures(), deducted=DEDUCTED, sales=statement.sales, carried_in=statement.carried_in,
        period_start=persian.date_time(start, zone) if start else "",
        period_end=persian.date_time(end, zone), payout_at=persian.date_time(statement.payout_at(), zone),
        when=lambda stamp: persian.date_time(stamp.ToDatetime(dt.UTC), zone),
        font_url=font_url or FONTS_DIR.as_uri(), font_files=FONT_FILES)


def render_pdf(statement: Statement) -> bytes:
    import weasyprint  # loads Pango: only where a PDF is made

    return weasyprint.HTML(string=render_html(statement), base_url=str(HERE)).write_pdf()


def write(statement: Statement, directory: pathlib.Path, formats: tuple[str, ...] = ("html", "csv", "pdf")
          ) -> dict[str, pathlib.Path]:
    """The statement's files, `<batch>-<merchant>.<format>`, each written whole (temp file + rename)."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"{statement.batch.batch_id}-{statement.settlement.merchant_id}"
    makers = {"html": lambda: render_html(statement).encode(), "csv": lambda: render_csv(statement).encode(),
              "pdf": lambda: render_pdf(statement)}
    written = {}
    for kind in formats:
        path = directory / f"{stem}.{kind}"
        temporary = path.with_suffix(path.suffix + ".tmp")
        temporary.write_bytes(makers[kind]())
        temporary.replace(path)
        written[kind] = path
    return written
