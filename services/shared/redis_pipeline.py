"""A lean asyncio Redis connection that pipelines implicitly.

redis-py's asyncio client costs ~120-190 µs of client CPU per sequential command and ~30-50 µs per
command even inside an explicit pipeline, and it has no auto-pipelining (redis/redis-py#3767). Here
every command issued in one event-loop iteration goes out in one socket write on one connection, and
replies are matched to callers in FIFO order; hiredis packs commands and parses replies.

A write that must survive its primary's death (a budget or a limit counted, a card blocked) is
sent `replicated`: its batch ends with one WAIT, and the caller's reply waits for it, so a
failover promotes a replica that has the write. One WAIT per batch, not per command: WAIT blocks
the connection until the replica acknowledges, and one acknowledgement covers the whole batch.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import urllib.parse
from collections.abc import Sequence

import hiredis
from prometheus_client import Counter
from redis import exceptions as redis_errors
from redis.crc import key_slot

SOCKET_TIMEOUT_SECONDS = 2.0  # as services/shared/redis_scripts.py: a reply later than this drops the connection
CONNECT_TIMEOUT_SECONDS = 2.0
MAX_PENDING_COMMANDS = 100_000  # per connection; past this, callers wait for replies instead of queueing more...
RESUME_PENDING_COMMANDS = MAX_PENDING_COMMANDS // 2  # ...until the backlog is down to this
FLUSH_THRESHOLD_BYTES = 1 << 20  # a batch this big is written at once rather than at the end of the iteration
READ_CHUNK_BYTES = 256 * 1024  # one socket read at most; hiredis copies it, so one buffer is reused
DEFAULT_PORT = 6379
WAIT_MS = 100  # how long a replicated write waits for its replicas before it is answered anyway
assert WAIT_MS < SOCKET_TIMEOUT_SECONDS * 1000, "a WAIT must end before the connection is timed out"

UNREPLICATED_WRITES = Counter(
    "club_redis_unreplicated_writes_total",
    "replicated writes answered before enough replicas had them (a replica down or lagging): "
    "they are lost if their primary dies before the replica catches up")

_INCOMPLETE = object()  # hiredis: no complete reply buffered yet
_Arg = bytes | str | int | float


class _Connection(asyncio.BufferedProtocol):
    """One socket: a write buffer flushed once per loop iteration, and the futures of sent
    commands in the order their replies will arrive."""

    def __init__(self, loop: asyncio.AbstractEventLoop, socket_timeout: float, address: str):
        self.loop = loop
        self.socket_timeout = socket_timeout
        self.address = address  # host:port, for messages (never the URL: it may hold a password)
        self.transport: asyncio.Transport | None = None
        self.reader = hiredis.Reader(replyError=redis_errors.ResponseError, notEnoughData=_INCOMPLETE)
        self.read_buffer = bytearray(READ_CHUNK_BYTES)
        self.pending: collections.deque[asyncio.Future] = collections.deque()
        self.out: list[bytes] = []  # packed commands not yet written
        self.out_bytes = 0
        # Timeouts without a timer per command: each write is stamped (commands written so far, time),
        # and one watchdog checks the oldest unanswered write.
        self.writes: collections.deque[tuple[int, float]] = collections.deque()
        self.written = 0
        self.answered = 0
        self.watchdog: asyncio.TimerHandle | None = None
        self.drained: asyncio.Future | None = None  # callers waiting for the backlog to shrink
        self.error: redis_errors.RedisError | None = None  # set once: the connection is no longer usable
        self.lost = loop.create_future()
        self.batch_wait: asyncio.Future | None = None  # the WAIT that ends the batch being gathered
        self.wait_command = b""  # WAIT <replicas> <ms>, packed

    def request_replicated(self, packed: bytes, wait_command: bytes) -> tuple[asyncio.Future, asyncio.Future]:
        """`packed`, and the WAIT that will end its batch: (its reply, the number of replicas that
        acknowledged the batch)."""
        if self.error is not None:
            reply = self.request(packed)  # failed at once
            return reply, reply
        if self.batch_wait is None:  # before the request: a flush it causes carries the WAIT too
            self.batch_wait = self.loop.create_future()
            self.wait_command = wait_command
        wait = self.batch_wait
        return self.request(packed), wait

    # -- sending

    def request(self, packed: bytes) -> asyncio.Future:
        future = self.loop.create_future()
        if self.error is not None:
            # Dropped after the caller got it (the connect that handed it out finished, then the
            # peer closed before the caller resumed): nothing would ever answer or fail this one.
            future.set_exception(type(self.error)(*self.error.args))
            return future
        self.pending.append(future)
        if not self.out:
            self.loop.call_soon(self.flush)
        self.out.append(packed)
        self.out_bytes += len(packed)
        if self.out_bytes >= FLUSH_THRESHOLD_BYTES:
            self.flush()
        if self.watchdog is None:
            self.watchdog = self.loop.call_later(self.socket_timeout, self._check_timeout)
        return future

    def flush(self) -> None:
        if not self.out or self.error is not None:
            return
        if self.batch_wait is not None:  # last in the batch: it covers every write before it
            self.pending.append(self.batch_wait)
            self.out.append(self.wait_command)
            self.batch_wait = None
        data = b"".join(self.out) if len(self.out) > 1 else self.out[0]
        self.written += len(self.out)
        self.writes.append((self.written, self.loop.time()))
        self.out.clear()
        self.out_bytes = 0
        self.transport.write(data)

    async def wait_drained(self) -> None:
        if self.drained is None:
            self.drained = self.loop.create_future()
        await asyncio.shield(self.drained)

    # -- receiving

    def connection_made(self, transport: asyncio.Transport) -> None:
        self.transport = transport

    def get_buffer(self, sizehint: int) -> bytearray:
        return self.read_buffer

    def buffer_updated(self, nbytes: int) -> None:
        reader = self.reader
        reader.feed(self.read_buffer, 0, nbytes)
        pending = self.pending
        answered = 0
        try:
            while (reply := reader.gets()) is not _INCOMPLETE:
                future = pending.popleft()
                answered += 1
                if future.done():  # its caller was cancelled; the reply is still consumed in order
                    continue
                if type(reply) is redis_errors.ResponseError:
                    future.set_exception(_error_reply(reply))
                else:
                    future.set_result(reply)
        except (hiredis.ProtocolError, IndexError) as exc:  # garbage, or a reply nobody asked for
            self.drop(redis_errors.ConnectionError(f"Redis at {self.address} sent an invalid reply: {exc}"))
            return
        self.answered += answered
        writes = self.writes
        while writes and writes[0][0] <= self.answered:
            writes.popleft()
        if self.drained is not None and len(pending) <= RESUME_PENDING_COMMANDS:
            self._wake_drained()

    def eof_received(self) -> bool:
        return False  # let the transport close; connection_lost fails what is pending

    def connection_lost(self, exc: Exception | None) -> None:
        reason = f": {exc}" if exc else ""
        self.drop(redis_errors.ConnectionError(f"Connection to Redis at {self.address} lost{reason}"))
        if not self.lost.done():
            self.lost.set_result(None)

    # -- failing

    def _check_timeout(self) -> None:
        self.watchdog = None
        if not self.pending or self.error is not None:
            return
        if not self.writes:  # commands queued but not yet written: look again a timeout from now
            self.watchdog = self.loop.call_later(self.socket_timeout, self._check_timeout)
            return
        due = self.writes[0][1] + self.socket_timeout
        if self.loop.time() < due:
            self.watchdog = self.loop.call_at(due, self._check_timeout)
            return
        self.drop(redis_errors.TimeoutError(f"Redis at {self.address} did not reply within {self.socket_timeout}s"))

    def drop(self, error: redis_errors.RedisError) -> None:
        """Fail every pending command with `error` and close; idempotent."""
        if self.error is not None:
            return
        self.error = error
        if self.watchdog is not None:
            self.watchdog.cancel()
            self.watchdog = None
        self.out.clear()
        pending, self.pending = self.pending, collections.deque()
        if self.batch_wait is not None:  # a batch never written: its WAIT would never be answered
            pending.append(self.batch_wait)
            self.batch_wait = None
        for future in pending:
            if not future.done():
                future.set_exception(type(error)(*error.args))  # one instance per caller: tracebacks stay apart
        self._wake_drained()
        if self.transport is not None:
            self.transport.abort()

    def _wake_drained(self) -> None:
        if self.drained is not None:
            self.drained.set_result(None)
            self.drained = None

    async def close(self, timeout: float) -> None:
        """Let the commands already issued be answered (for up to `timeout`), then close."""
        self.flush()
        if self.pending:
            await asyncio.wait([self.pending[-1]], timeout=timeout)  # FIFO: the last answered means all are
        self.drop(redis_errors.ConnectionError("Redis connection closed by the client"))
        await asyncio.wait([self.lost], timeout=timeout)


def _error_reply(reply: redis_errors.ResponseError) -> redis_errors.ResponseError:
    if str(reply).startswith("NOSCRIPT"):
        return redis_errors.NoScriptError(*reply.args)
    return reply


def _parse_url(url: str) -> tuple[str, int, str | None, str | None, int]:
    """redis://[[user]:password@]host[:port][/db] -> host, port, username, password, db."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "redis":
        raise ValueError("only redis:// URLs are supported")  # not the URL itself: it may hold a password
    username = urllib.parse.unquote(parts.username) if parts.username else None
    password = urllib.parse.unquote(parts.password) if parts.password else None
    db = parts.path.strip("/")
    return parts.hostname or "127.0.0.1", parts.port or DEFAULT_PORT, username, password, int(db) if db else 0


class AutoPipeline:
    """One lazily opened connection shared by every caller, on one event loop. A broken connection
    fails its pending commands; the next command opens a new one (so a Redis restart costs only the
    commands in flight; nothing is retried, since a command may have run before the break).

    Every caller shares the connection's state, so commands that change it are not for this client:
    MULTI/EXEC and WATCH (other callers' commands would land inside), SELECT, SUBSCRIBE, CLIENT
    TRACKING; nor are blocking commands (BLPOP, ...) longer than socket_timeout: they hold up
    everything behind them, then time out."""

    def __init__(self, url: str, *, socket_timeout: float = SOCKET_TIMEOUT_SECONDS,
                 connect_timeout: float = CONNECT_TIMEOUT_SECONDS, retries: int = 0,
                 wait_replicas: int = 0, wait_ms: int = WAIT_MS):
        """`retries` > 0: a command that meets a broken connection (Redis restarted) is sent again
        on a fresh one, that many times, as redis_scripts.client(retries=...) does: for commands
        that are safe to repeat (reads, and scripts idempotent by their markers).
        `wait_replicas` > 0: a `replicated` write is answered once that many replicas have it, or
        after `wait_ms` (counted in club_redis_unreplicated_writes_total); 0: as any write."""
        assert retries >= 0 and wait_replicas >= 0 and 0 < wait_ms < socket_timeout * 1000
        self._retries = retries
        self._wait_replicas = wait_replicas
        self._wait_command = hiredis.pack_command(("WAIT", wait_replicas, wait_ms))
        self._host, self._port, self._username, self._password, self._db = _parse_url(url)
        self.address = f"{self._host}:{self._port}"
        self._socket_timeout = socket_timeout
        self._connect_timeout = connect_timeout
        self._conn: _Connection | None = None
        self._connecting: asyncio.Task | None = None

    async def execute(self, *args: _Arg, replicated: bool = False):
        """Send one command; its reply as hiredis parses it (bytes, int, list, None)."""
        packed = hiredis.pack_command(args)  # before queueing: a bad argument fails only here
        for attempt in range(self._retries + 1):
            try:
                return await self._send(packed, replicated)
            except redis_errors.ConnectionError:
                if attempt == self._retries:
                    raise
        raise AssertionError("not reached")

    async def execute_keyed(self, key: _Arg | None, *args: _Arg, replicated: bool = False):
        """As `execute`; `key` is the command's key, which only a cluster needs to route it."""
        return await self.execute(*args, replicated=replicated)

    async def asking(self, packed: bytes):
        """`packed` right after ASKING, on one connection (a slot in migration is served by its
        new primary only to a client that asked)."""
        conn = self._conn
        if conn is None or conn.error is not None:
            conn = await self._connected()
        asking = conn.request(hiredis.pack_command(("ASKING",)))
        reply = conn.request(packed)
        return (await asyncio.gather(asking, reply))[1]

    async def _send(self, packed: bytes, replicated: bool = False):
        conn = self._conn
        if conn is None or conn.error is not None:
            conn = await self._connected()
        if len(conn.pending) >= MAX_PENDING_COMMANDS:
            conn = await self._room(conn)
        if not (replicated and self._wait_replicas):
            return await conn.request(packed)
        reply, acknowledged = conn.request_replicated(packed, self._wait_command)
        acknowledged.add_done_callback(_consume_result)  # unread when the write itself failed
        result = await reply
        # Shielded: the batch's callers share this one WAIT; a caller that gives up must not cancel it.
        if await asyncio.shield(acknowledged) < self._wait_replicas:
            UNREPLICATED_WRITES.inc()
        return result

    async def _room(self, conn: _Connection) -> _Connection:
        while len(conn.pending) >= MAX_PENDING_COMMANDS:
            await conn.wait_drained()
            if conn.error is not None:
                conn = await self._connected()
        return conn

    async def _connected(self) -> _Connection:
        # Callers arriving while a connect is under way share it, so a Redis outage costs one
        # attempt per wave of commands, not one per command.
        if self._connecting is None:
            self._connecting = asyncio.ensure_future(self._open())
            self._connecting.add_done_callback(_consume_result)
        return await asyncio.shield(self._connecting)

    async def _open(self) -> _Connection:
        try:
            conn = await self._dial()
            try:
                if self._password is not None:
                    credentials = (self._username, self._password) if self._username else (self._password,)
                    try:
                        await conn.request(hiredis.pack_command(("AUTH", *credentials)))
                    except redis_errors.ResponseError as exc:
                        raise redis_errors.AuthenticationError(f"Redis at {conn.address} refused AUTH") from exc
                if self._db:
                    await conn.request(hiredis.pack_command(("SELECT", self._db)))
            except BaseException:
                conn.drop(redis_errors.ConnectionError("Redis connection setup failed"))
                raise
            self._conn = conn
            return conn
        finally:
            self._connecting = None

    async def _dial(self) -> _Connection:
        loop = asyncio.get_running_loop()
        address = self.address
        try:
            async with asyncio.timeout(self._connect_timeout):
                _, conn = await loop.create_connection(lambda: _Connection(loop, self._socket_timeout, address),
                                                       self._host, self._port)
        except TimeoutError as exc:
            raise redis_errors.TimeoutError(f"Timeout connecting to Redis at {address}") from exc
        except OSError as exc:
            raise redis_errors.ConnectionError(f"Error connecting to Redis at {address}: {exc}") from exc
        return conn

    async def close(self) -> None:
        """Wait for the commands already issued, then close. A later command opens a new connection."""
        if self._connecting is not None:
            await asyncio.wait([self._connecting])
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close(self._socket_timeout)

    # -- the commands hot paths use

    async def get(self, key: _Arg) -> bytes | None:
        return await self.execute("GET", key)

    async def set(self, key: _Arg, value: _Arg, *, nx: bool = False, ex: int | None = None,
                  get: bool = False) -> bytes | bool | None:
        """With get: the previous value (None if there was none). Otherwise, like redis-py: True
        when the value was set, None when nx kept an existing one."""
        args: list[_Arg] = ["SET", key, value]
        if nx:
            args.append("NX")
        if ex is not None:
            args += ("EX", ex)
        if get:
            args.append("GET")
        reply = await self.execute(*args)
        if get:
            return reply
        return True if reply is not None else None

    async def hgetall(self, key: _Arg) -> dict[bytes, bytes]:
        flat = iter(await self.execute("HGETALL", key))
        return dict(zip(flat, flat, strict=True))

    async def mget(self, keys: Sequence[_Arg]) -> list[bytes | None]:
        if not keys:
            return []  # MGET with no keys is an error reply
        return await self.execute("MGET", *keys)

    async def delete(self, *keys: _Arg) -> int:
        if not keys:
            return 0
        return await self.execute("DEL", *keys)

    def script(self, source: str, replicated: bool = False) -> Script:
        return Script(self, source, replicated)


def _consume_result(task: asyncio.Task) -> None:
    # Every waiter may have been cancelled; don't let asyncio log the connect error as never retrieved.
    if not task.cancelled():
        task.exception()


class Script:
    """A Lua script run by EVALSHA; if Redis lost it (restart, SCRIPT FLUSH) it is loaded and run again."""

    def __init__(self, pipeline: AutoPipeline | ClusterAutoPipeline, source: str, replicated: bool = False):
        self.pipeline = pipeline
        self.source = source
        self.replicated = replicated  # a reply means the write is on a replica too (see the module's doc)
        self.sha = hashlib.sha1(source.encode()).hexdigest()

    async def __call__(self, keys: Sequence[_Arg] = (), args: Sequence[_Arg] = ()):
        # The first key routes both commands: in a cluster the script runs, and must be loaded, on
        # the primary that owns its keys' slot.
        key = keys[0] if keys else None
        try:
            return await self.pipeline.execute_keyed(key, "EVALSHA", self.sha, len(keys), *keys, *args,
                                                     replicated=self.replicated)
        except redis_errors.NoScriptError:
            await self.pipeline.execute_keyed(key, "SCRIPT", "LOAD", self.source)
            return await self.pipeline.execute_keyed(key, "EVALSHA", self.sha, len(keys), *keys, *args,
                                                     replicated=self.replicated)


def slot_of(key: _Arg) -> int:
    """The Redis Cluster slot of a key (CRC16 of its hash tag, or of the whole key without one)."""
    return key_slot(key if isinstance(key, bytes) else str(key).encode())


MAX_REDIRECTS = 5  # MOVED/ASK hops one command may take while slots move between primaries
SLOTS = 16384


class ClusterAutoPipeline:
    """The same commands over Redis Cluster: one AutoPipeline per primary, each command sent to the
    primary that owns its key's slot, so every command of a loop iteration for one primary still
    goes out in one write.

    The slot map comes from CLUSTER SLOTS on any reachable node, read on first use and again after
    a MOVED reply or a broken connection (a failover: the replica that took over owns the slots
    now). MOVED and ASK are followed (the command did not run, so sending it on is safe); a
    primary that cannot serve (CLUSTERDOWN, TRYAGAIN, gone) fails the command with a
    ConnectionError, as a standalone Redis that is down does, retried like one (`retries`)."""

    def __init__(self, nodes: Sequence[tuple[str, int]], *, username: str | None = None,
                 password: str | None = None, socket_timeout: float = SOCKET_TIMEOUT_SECONDS,
                 connect_timeout: float = CONNECT_TIMEOUT_SECONDS, retries: int = 0,
                 wait_replicas: int = 0, wait_ms: int = WAIT_MS):
        assert nodes and retries >= 0
        self._startup = [f"{host}:{port}" for host, port in nodes]
        self._credentials = ""
        if password is not None:
            user = urllib.parse.quote(username or "", safe="")
            self._credentials = f"{user}:{urllib.parse.quote(password, safe='')}@"
        self._socket_timeout = socket_timeout
        self._connect_timeout = connect_timeout
        self._retries = retries
        self._wait = {"wait_replicas": wait_replicas, "wait_ms": wait_ms}
        self._nodes: dict[str, AutoPipeline] = {}
        self._slots: list[str] | None = None  # slot -> "host:port" of its primary
        self._refreshing: asyncio.Task | None = None
        self._unreachable: set[str] = set()  # nodes whose connection broke: asked for the map last

    def _node(self, address: str) -> AutoPipeline:
        node = self._nodes.get(address)
        if node is None:
            node = self._nodes[address] = AutoPipeline(f"redis://{self._credentials}{address}/0",
                                                       socket_timeout=self._socket_timeout,
                                                       connect_timeout=self._connect_timeout, **self._wait)
        return node

    async def _slot_map(self) -> list[str]:
        if self._slots is not None:
            return self._slots
        if self._refreshing is None:  # callers arriving meanwhile share one CLUSTER SLOTS
            self._refreshing = asyncio.ensure_future(self._refresh())
            self._refreshing.add_done_callback(_consume_result)
        return await asyncio.shield(self._refreshing)

    async def _refresh(self) -> list[str]:
        try:
            error: Exception | None = None
            known = list(dict.fromkeys([*self._nodes, *self._startup]))
            known.sort(key=self._unreachable.__contains__)  # a dead primary may take a timeout to say so
            for address in known:
                try:
                    reply = await self._node(address).execute("CLUSTER", "SLOTS")
                except redis_errors.RedisError as exc:
                    error = exc
                    continue
                slots = [""] * SLOTS
                for start, end, primary, *_replicas in reply:
                    host = primary[0].decode() or address.rsplit(":", 1)[0]
                    slots[start:end + 1] = [f"{host}:{primary[1]}"] * (end + 1 - start)
                if "" in slots:  # a slot nobody serves: ask another node, whose view may be newer
                    error = redis_errors.ConnectionError(f"Redis Cluster at {address} does not cover every slot")
                    continue
                self._slots = slots
                self._unreachable.discard(address)
                return slots
            raise redis_errors.ConnectionError(f"no Redis Cluster node answered CLUSTER SLOTS: {error}")
        finally:
            self._refreshing = None

    async def execute_keyed(self, key: _Arg | None, *args: _Arg, replicated: bool = False):
        if key is None:
            raise ValueError(f"{args[0]} needs a key to be routed in Redis Cluster")
        slot = slot_of(key)
        packed = hiredis.pack_command(args)
        failures = redirects = 0
        redirect: tuple[str, str] | None = None  # (MOVED or ASK, the node the reply named)
        while True:
            if redirect is None:
                node = self._node((self._slots or await self._slot_map())[slot])
            else:
                node = self._node(redirect[1])
            try:
                if redirect is not None and redirect[0] == "ASK":
                    # Mid-migration: not waited for (a slot moving while its primary dies is
                    # beyond what one replica protects).
                    return await node.asking(packed)
                return await node._send(packed, replicated)
            except redis_errors.ResponseError as exc:
                kind, _, rest = str(exc).partition(" ")
                if kind in ("MOVED", "ASK") and redirects < MAX_REDIRECTS:
                    redirects += 1
                    redirect = (kind, rest.rsplit(" ", 1)[-1])
                    if kind == "MOVED":
                        self._slots = None  # slots moved: read the map again for the next command
                    continue
                if kind not in ("CLUSTERDOWN", "TRYAGAIN", "MOVED", "ASK"):
                    raise
                self._slots = None
                error: redis_errors.RedisError = redis_errors.ConnectionError(
                    f"Redis Cluster cannot serve slot {slot} now ({kind})")
            except redis_errors.TimeoutError:
                self._slots = None
                raise
            except redis_errors.ConnectionError as exc:
                self._slots = None  # the primary may be gone: its replica takes its slots over
                self._unreachable.add(node.address)
                error = exc
            if failures == self._retries:
                raise error
            failures += 1
            redirect = None

    async def execute(self, *args: _Arg):
        """A command whose key is its first argument (GET, SET, HGETALL, ...)."""
        return await self.execute_keyed(args[1] if len(args) > 1 else None, *args)

    async def close(self) -> None:
        nodes, self._nodes = list(self._nodes.values()), {}
        await asyncio.gather(*(node.close() for node in nodes))

    async def get(self, key: _Arg) -> bytes | None:
        return await self.execute_keyed(key, "GET", key)

    set = AutoPipeline.set
    hgetall = AutoPipeline.hgetall

    async def mget(self, keys: Sequence[_Arg]) -> list[bytes | None]:
        """One MGET per slot (a cluster refuses one across slots), in the keys' order; not atomic
        across slots."""
        by_slot: dict[int, list[int]] = {}
        for index, key in enumerate(keys):
            by_slot.setdefault(slot_of(key), []).append(index)
        replies = await asyncio.gather(*(self.execute_keyed(keys[indexes[0]], "MGET", *(keys[i] for i in indexes))
                                         for indexes in by_slot.values()))
        values: list[bytes | None] = [None] * len(keys)
        for indexes, reply in zip(by_slot.values(), replies, strict=True):
            for index, value in zip(indexes, reply, strict=True):
                values[index] = value
        return values

    async def delete(self, *keys: _Arg) -> int:
        by_slot: dict[int, list[_Arg]] = {}
        for key in keys:
            by_slot.setdefault(slot_of(key), []).append(key)
        return sum(await asyncio.gather(*(self.execute_keyed(group[0], "DEL", *group) for group in by_slot.values())))

    def script(self, source: str, replicated: bool = False) -> Script:
        return Script(self, source, replicated)
