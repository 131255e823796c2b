"""`make demo`'s last step: the SMS receipts crm sent for the demo club's purchases, as the
development SMS sink wrote them (receipts go out a few seconds after the purchase, off the
authorization's path, so this waits for them a little)."""

from __future__ import annotations

import json
import pathlib
import sys
import time

WAIT_SECONDS = 45  # crm reads the journal from a cursor that passes rows once they are 10 s old
POLL_SECONDS = 1.0


def receipts(sink: pathlib.Path, phones: set[str]) -> list[dict]:
    if not sink.exists():
        return []
    lines = [json.loads(line) for line in sink.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [entry for entry in lines if entry.get("receptor") in phones]


def main() -> int:
    demo, sink = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    phones = {card["phone"] for card in json.loads(demo.read_text(encoding="utf-8"))["cards"]}
    deadline = time.monotonic() + WAIT_SECONDS
    found = receipts(sink, phones)
    while not found and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        found = receipts(sink, phones)
    if not found:
        print(f"no receipt in {sink} yet (is `make run` using the development SMS sink?)")
        return 0
    time.sleep(2 * POLL_SECONDS)  # the rest of the batch
    for entry in receipts(sink, phones):
        print(f"to {entry['receptor']}: {entry['message']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
