"""The load generator's shortcuts agree with the real codec: answer_fields reads the same 11 and
39 as a full decode, pre-rendered frames are valid and never repeat a transaction id, and a
short run against a canned answerer reports what it sent."""

from __future__ import annotations

import asyncio
import datetime as dt
import string

import iso8583
from hypothesis import given
from hypothesis import strategies as st

from bench import loadgen
from services.switch.iso import codec, fields, mac, spec

KEY = bytes(range(16))
ALPHABETS = {"n": string.digits, "an": string.ascii_letters + string.digits,
             "ans": "".join(chr(c) for c in range(0x20, 0x7F))}
# What a switch answer can carry (iso_front._reply): 39, the echoed fields, 37, 38 and 54.
ANSWER_FIELDS = ("37", "38", "54", *spec.ECHOED_FIELDS)


def field_value(number: str) -> st.SearchStrategy[str]:
    field_spec = spec.SPEC[number]
    fixed = field_spec["len_type"] == 0
    return st.text(ALPHABETS[spec.FIELD_CONTENT[number]], min_size=field_spec["max_len"] if fixed else 0,
                   max_size=field_spec["max_len"])


@st.composite
def answers(draw) -> dict:
    message = {"t": draw(st.sampled_from(["0110", "0210", "0230", "0410", "0430", "0510", "0810"]))}
    for number in draw(st.sets(st.sampled_from(ANSWER_FIELDS + ("39",)))):
        message[number] = draw(field_value(number))
    return message


@given(answers(), st.sampled_from([None, KEY]))
def test_answer_fields_match_a_full_decode(message, mac_key):
    body = codec.encode(message, mac_key)  # iso8583.encode with SPEC, plus the MAC as the last field
    decoded = iso8583.decode(body, spec.SPEC)[0]
    assert loadgen.answer_fields(body) == (decoded.get("11", "").encode(), decoded.get("39", "").encode())


@given(st.lists(st.binary(max_size=300), max_size=8), st.integers(0, 40))
def test_frames_split_a_stream_at_any_boundary(payloads, cut):
    stream = b"".join(len(p).to_bytes(2, "big") + p for p in payloads)
    buffer = bytearray(stream[:cut])
    taken = list(loadgen._frames(buffer))
    buffer += stream[cut:]
    taken += list(loadgen._frames(buffer))
    assert taken == payloads and not buffer


def test_prerendered_frames_are_valid_and_unique():
    template = loadgen.Template.purchase("6037991234567893", "2912", 1_000, "TERM0001", "MERCHANT01", KEY)
    frames = template.render_many(50, loadgen.STANS) + [template.render(next(loadgen.STANS) % 10**6,
                                                                        loadgen.transmission_time())]
    ids = set()
    for framed in frames:
        body = framed[2:]
        assert int.from_bytes(framed[:2], "big") == len(body) and mac.verify(KEY, body)
        decoded = iso8583.decode(body, spec.SPEC)[0]
        fields.check(decoded)
        fields.transmission_time(decoded["7"], dt.datetime.now(dt.UTC))
        ids.add((decoded["41"], decoded["7"], decoded["11"]))
    assert len(ids) == len(frames)


async def _canned_answerer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """0210 approved, echoing 11 (and the other fields a switch echoes)."""
    try:
        while True:
            body = await reader.readexactly(int.from_bytes(await reader.readexactly(2), "big"))
            request = iso8583.decode(body, spec.SPEC)[0]
            answer = {"t": "0210", "39": "00", **{f: request[f] for f in spec.ECHOED_FIELDS if f in request}}
            payload = codec.encode(answer, KEY)
            writer.write(len(payload).to_bytes(2, "big") + payload)
    except asyncio.IncompleteReadError:
        writer.close()


async def test_drive_and_drive_rate_count_every_answer():
    server = await asyncio.start_server(_canned_answerer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    templates = [loadgen.Template.purchase("6037991234567893", "2912", 1_000, f"TERM000{i}", "MERCHANT01", KEY)
                 for i in range(2)]
    try:
        closed = await loadgen.drive(port, templates, 2, 0.5)
        opened = await loadgen.drive_rate(port, templates, 40, 0.5)
    finally:
        server.close()
    for summary in (closed, opened):
        assert summary["approved"] > 0 and summary["codes"]["no answer"] == 0
        assert summary["requests"] == summary["approved"]
        assert {"approved_per_second", "p50_ms", "p95_ms", "p99_ms", "mean_ms", "loadgen_cpu_ms_per_request"} <= set(summary)
    assert opened["requests"] <= 40 * 0.5 + len(templates)
