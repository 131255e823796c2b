"""A TCP proxy that can fail on command: the network faults of `make chaos`.

Services are configured with the proxy's port as their Postgres, Redis or peer address;
the proxy forwards bytes both ways and, when told, is "down" (cuts every connection and
refuses new ones), cuts the connections it has once, or delays every chunk. It runs its
own asyncio loop in a daemon thread so a synchronous driver can flip faults freely.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

CHUNK_BYTES = 64 * 1024
START_TIMEOUT_SECONDS = 5


class FaultProxy:
    def __init__(self, target_host: str, target_port: int, name: str = ""):
        self.name = name or f"{target_host}:{target_port}"
        self.target = (target_host, target_port)
        self.port = 0
        self.down = False
        self.latency_seconds = 0.0
        self.connections_total = 0
        self._writers: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task] = set()  # one per proxied connection, ended by close()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.AbstractServer | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name=f"proxy-{self.name}", daemon=True)

    # ---- control (any thread) ----

    def start(self) -> FaultProxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(START_TIMEOUT_SECONDS)
        return self

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def set_down(self, down: bool) -> None:
        """Down: every open connection is cut and new ones are closed on accept."""
        self.down = down
        if down:
            self.cut()

    def set_latency(self, seconds: float) -> None:
        self.latency_seconds = seconds

    def cut(self) -> None:
        """Close every connection open now (clients see a reset mid-conversation)."""
        self._call(self._cut_all)

    def close(self) -> None:
        async def stop():
            self._cut_all()
            if self._server:
                self._server.close()
            if self._handlers:  # cut connections end their handlers; none is left pending
                await asyncio.wait(list(self._handlers), timeout=START_TIMEOUT_SECONDS)

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(stop(), self._loop).result(START_TIMEOUT_SECONDS)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(START_TIMEOUT_SECONDS)

    # ---- inside the loop ----

    def _call(self, function) -> None:
        async def run():
            function()

        asyncio.run_coroutine_threadsafe(run(), self._loop).result(START_TIMEOUT_SECONDS)

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def _cut_all(self) -> None:
        for writer in list(self._writers):
            transport = writer.transport
            with contextlib.suppress(Exception):
                transport.abort()
        self._writers.clear()

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        handler = asyncio.current_task()
        self._handlers.add(handler)
        handler.add_done_callback(self._handlers.discard)
        if self.down:
            client_writer.transport.abort()
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        self.connections_total += 1
        self._writers |= {client_writer, upstream_writer}
        try:
            await asyncio.gather(self._pump(client_reader, upstream_writer), self._pump(upstream_reader, client_writer))
        finally:
            for writer in (client_writer, upstream_writer):
                self._writers.discard(writer)
                with contextlib.suppress(Exception):
                    writer.transport.abort()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while not self.down:
                data = await reader.read(CHUNK_BYTES)
                if not data:
                    break
                if self.latency_seconds:
                    await asyncio.sleep(self.latency_seconds)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.transport.abort()
