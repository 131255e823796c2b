"""clubctl settlement close|list|get|statement

`statement` writes a merchant's statement of a batch as one document (services/documents: the
period and PAYA payout in Jalali, funders by name, the transactions behind each figure): a
readable HTML page or PDF, or CSV for spreadsheets and accounting, chosen by the output file's
extension, or all three into --output-dir. With --party it writes a funder's statement (CSV or
HTML, as tasheem keeps it).
"""

from __future__ import annotations

import datetime as dt
import pathlib

from google.protobuf.timestamp_pb2 import Timestamp

from services.documents import statement as documents
from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.shared import persian

from .core import CliError, add_paging, emit_list, print_record, print_table, to_dict

LIST_COLUMNS = ["batch_id", "cutoff", "status", "total_net_payable", "payout_lines", "closed_at"]
MERCHANT_COLUMNS = ["merchant_id", "gross_sales", "discounts", "merchant_borne", "refunds", "reversals", "net_payable"]
FORMATS = {".csv": "csv", ".html": "html", ".htm": "html", ".pdf": "pdf"}
FUNDER_FORMATS = ("csv", "html")


def parse_cutoff(text: str) -> Timestamp:
    if text == "now":
        value = dt.datetime.now(dt.UTC)
    else:
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise CliError(f"--cutoff: expected 'now' or an ISO 8601 date-time with offset, got {text!r}") from None
        if value.tzinfo is None:
            raise CliError("--cutoff: give the time zone offset, e.g. 2025-03-21T00:00+03:30")
    stamp = Timestamp()
    stamp.FromDatetime(value.astimezone(dt.UTC))
    return stamp


def register(groups, common) -> None:
    group = groups.add_parser("settlement", help="settlement batches and statements")
    commands = group.add_subparsers(dest="command", metavar="<command>", required=True)

    p = commands.add_parser("close", parents=[common], help="close the batch of a cut-off (idempotent)")
    p.add_argument("--cutoff", help="'now' or an ISO 8601 instant (default: the latest scheduled cut-off)")
    p.set_defaults(func=run_close)

    p = commands.add_parser("list", parents=[common], help="list closed batches")
    add_paging(p)
    p.set_defaults(func=run_list)

    p = commands.add_parser("get", parents=[common], help="show a batch with its merchants")
    p.add_argument("batch_id")
    p.set_defaults(func=run_get)

    p = commands.add_parser("statement", parents=[common], help="write a merchant's (or funder's) statement")
    owner = p.add_mutually_exclusive_group(required=True)
    owner.add_argument("--merchant", help="merchant id")
    owner.add_argument("--party", help="funding party id (funder statement)")
    p.add_argument("--batch", default="", help="batch id (default: the latest closed batch)")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--output", metavar="FILE.html|FILE.pdf|FILE.csv", help="one file, its format from the extension")
    where.add_argument("--output-dir", metavar="DIR", help="the merchant's statement in all three formats")
    p.add_argument("--time-zone", default=persian.DEFAULT_TIME_ZONE,
                   help="the zone of the dates people read (default Asia/Tehran)")
    p.set_defaults(func=run_statement)


def _batch_text(batch: dict) -> None:
    print_record({key: value for key, value in batch.items() if key != "merchants"})
    if batch.get("merchants"):
        print()
        print_table(batch["merchants"], MERCHANT_COLUMNS)


def run_close(ctx, args) -> None:
    request = pb.CloseBatchRequest()
    if args.cutoff:
        request.cutoff.CopyFrom(parse_cutoff(args.cutoff))
    batch = to_dict(ctx.tasheem.CloseBatch(request, timeout=max(ctx.timeout, 120)))
    ctx.emit(batch, lambda: _batch_text(batch))


def run_list(ctx, args) -> None:
    request = pb.ListBatchesRequest(page_size=args.page_size, page_token=args.page_token)
    found = []
    while True:
        reply = ctx.tasheem.ListBatches(request)
        found += list(reply.batches)
        if not args.all or not reply.next_page_token:
            break
        request.page_token = reply.next_page_token
    emit_list(ctx, "batches", found, LIST_COLUMNS, reply.next_page_token)


def run_get(ctx, args) -> None:
    batch = to_dict(ctx.tasheem.GetBatch(pb.GetBatchRequest(batch_id=args.batch_id)))
    ctx.emit(batch, lambda: _batch_text(batch))


def latest_batch(ctx) -> str:
    request = pb.ListBatchesRequest(page_size=100)
    latest, latest_cutoff = "", None
    while True:
        reply = ctx.tasheem.ListBatches(request)
        for batch in reply.batches:
            cutoff = (batch.cutoff.seconds, batch.cutoff.nanos)
            if latest_cutoff is None or cutoff > latest_cutoff:
                latest, latest_cutoff = batch.batch_id, cutoff
        if not reply.next_page_token:
            break
        request.page_token = reply.next_page_token
    if not latest:
        raise CliError("no settlement batch is closed yet (clubctl settlement close)")
    return latest


def run_statement(ctx, args) -> None:
    output = pathlib.Path(args.output) if args.output else None
    kind = FORMATS.get(output.suffix.lower()) if output else None
    if output and (kind is None or (args.party and kind not in FUNDER_FORMATS)):
        allowed = ".csv or .html" if args.party else ".html, .pdf or .csv"
        raise CliError(f"--output: {output.name} must end in {allowed}")
    if args.party and not output:
        raise CliError("--output-dir: only for a merchant's statement; give --output FILE.csv|FILE.html")
    batch_id = args.batch or latest_batch(ctx)
    if args.merchant:
        _write_merchant_statement(ctx, args, batch_id, output, kind)
        return
    statement = ctx.tasheem.GetFunderStatement(pb.GetFunderStatementRequest(batch_id=batch_id, party_id=args.party))
    text = statement.csv if kind == "csv" else statement.html
    if output.parent and not output.parent.exists():
        output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    data = {"batch_id": statement.batch_id, "owner_id": statement.owner_id, "format": kind, "output": str(output),
            "bytes": len(text.encode())}
    ctx.emit(data, lambda: print(f"wrote the {kind.upper()} statement of {statement.owner_id} for batch "
                                 f"{statement.batch_id} to {output}"))


def _write_merchant_statement(ctx, args, batch_id: str, output: pathlib.Path | None, kind: str | None) -> None:
    made = documents.gather(ctx.tasheem, batch_id, args.merchant, args.time_zone)
    if output:
        written = documents.write(made, output.parent, (kind,))
        written[kind].replace(output)  # the name the operator chose
        written = {kind: output}
    else:
        written = documents.write(made, pathlib.Path(args.output_dir))
    data = {"batch_id": batch_id, "merchant_id": args.merchant, "net_payable": made.settlement.net_payable,
            "files": {name: str(path) for name, path in written.items()}}
    ctx.emit(data, lambda: print("\n".join(f"wrote the {name.upper()} statement of {args.merchant} for batch "
                                           f"{batch_id} to {path}" for name, path in written.items())))
