"""Benchmark of the software bus against raw pyzmq, measured in the same run.

Throughput (messages/s) with 64 B and 1 KiB space packets:

- inproc: the lockstep pattern, one thread: publish a batch, then drain it.
  Bus: ``Bus.local`` (PUB->SUB, size/version check, per-APID counters).
  Anchor: a raw PUSH->PULL inproc pair doing the same.
- ipc, tcp: a sending process and a receiver here (these transports are
  for several processes). Bus: a ``Bus.bind`` publisher and a ``Bus.tap``
  subscriber (the anchor's topology: straight from sender to receiver), with
  packet check, APID subscription, per-APID counters and sequence-gap check
  on receipt. Anchor: raw PUSH->PULL. Also printed: the bus through a broker
  (an XSUB/XPUB proxy thread here: one more hop than the anchor, the
  multi-process topology), with its ratio to the same anchor.

Round trip (tcp, through the broker): node A publishes, node B answers with
another APID, A receives; median and 99th percentile in microseconds, beside
a raw PUSH/PULL ping-pong.

Raw and bus runs alternate (the machine's background load hits both alike);
a figure is the median of the runs, a ratio the median of the per-pair
ratios bus / raw for the same transport and topology; a transport's key is
the smaller of its two packet sizes' ratios. The last line is JSON with the
keys ``bus_vs_zmq_inproc``, ``bus_vs_zmq_ipc``, ``bus_vs_zmq_tcp``,
``tcp_rtt_p50_us``, ``tcp_rtt_p99_us``.

    python tools/bench/bus.py [--quick]
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import zmq

from fsw.bus import Broker, Bus
from fsw.packets.codec import crc16

HWM = 2_000_000


def make_packet(apid: int, size: int, seq: int = 0) -> bytes:
    """A valid space packet of ``size`` octets (header, filler, CRC)."""
    hdr = (((1 << 11) | apid).to_bytes(2, "big") + (0xC000 | seq).to_bytes(2, "big")
           + (size - 7).to_bytes(2, "big"))
    raw = hdr + bytes(size - 8)
    return raw + crc16(raw).to_bytes(2, "big")


def paired(raw_fn, bus_fn, repeats: int) -> tuple[float, float, float]:
    """Run raw and bus alternately ``repeats`` times (swapping which goes
    first), so both see the same background load; returns the median raw
    rate, the median bus rate and the median of the per-pair ratios."""
    raws, buses, ratios = [], [], []
    for i in range(repeats):
        if i % 2:
            b = bus_fn()
            r = raw_fn()
        else:
            r = raw_fn()
            b = bus_fn()
        raws.append(r)
        buses.append(b)
        ratios.append(b / r)
    return statistics.median(raws), statistics.median(buses), statistics.median(ratios)


# -- inproc: one thread, publish a batch then drain -----------------------------------------


def raw_inproc(n: int, size: int, batch: int = 1000) -> float:
    ctx = zmq.Context.instance()
    push, pull = ctx.socket(zmq.PUSH), ctx.socket(zmq.PULL)
    for s in (push, pull):
        s.sndhwm = s.rcvhwm = HWM
    addr = f"inproc://raw-{time.monotonic_ns()}"
    pull.bind(addr)
    push.connect(addr)
    p = make_packet(0x20, size)
    send, recv = push.send, pull.recv
    t0 = time.perf_counter()
    for _ in range(n // batch):
        for _ in range(batch):
            send(p, zmq.NOBLOCK)
        for _ in range(batch):
            recv(zmq.NOBLOCK)
    dt = time.perf_counter() - t0
    push.close(0)
    pull.close(0)
    return (n // batch) * batch / dt


def bus_inproc(n: int, size: int, batch: int = 1000) -> float:
    bus = Bus.local(hwm=HWM)
    p = make_packet(0x20, size)
    publish = bus.publish
    sink = collections.deque(maxlen=1).append  # C-level, keeps nothing
    t0 = time.perf_counter()
    for _ in range(n // batch):
        for _ in range(batch):
            publish(p)
        bus.drain(sink)
    dt = time.perf_counter() - t0
    assert bus.counters.get(0x20).received == (n // batch) * batch
    bus.close(0)
    return (n // batch) * batch / dt


# -- ipc / tcp: sender thread, receiver ----------------------------------------------------------


def _addr(transport: str, tmp: str, name: str) -> str:
    return f"ipc://{tmp}/{name}.sock" if transport == "ipc" else "tcp://127.0.0.1:*"


PROBE, FLOOD = 0x21, 0x22


def sender_main(kind: str, addr: str, n: int, size: int) -> int:
    """The sending process: ``raw`` (PUSH connected to ``addr``), ``bind`` (a
    ``Bus.bind`` publisher at ``addr``, which it prints) or ``broker``
    (``addr`` = ``frontend|backend``). Waits for a line on stdin, then sends
    ``n`` packets; bus senders publish probes until then."""
    import select
    import sys

    from fsw.bus import BrokerEndpoints

    flood = [make_packet(FLOOD, size, s) for s in range(16384)]
    if kind == "raw":
        ctx = zmq.Context()
        push = ctx.socket(zmq.PUSH)
        push.sndhwm = HWM
        push.connect(addr)
        sys.stdin.readline()
        send = push.send
        for i in range(n):
            send(flood[(i + 1) & 0x3FFF])
        push.close(20_000)
        ctx.term()
        return 0
    if kind == "bind":
        bus = Bus.bind(addr, hwm=HWM, name="bench-pub")
        print(bus.endpoint, flush=True)
    else:
        front, back = addr.split("|")
        bus = Bus.connect(BrokerEndpoints(front, back), hwm=HWM, name="bench-pub")
    probe = make_packet(PROBE, size)
    while not select.select([sys.stdin], [], [], 0.01)[0]:
        bus.publish(probe)
    sys.stdin.readline()
    publish = bus.publish
    for i in range(n):
        publish(flood[(i + 1) & 0x3FFF])
    bus.close(20_000)
    zmq.Context.instance().term()  # waits for the linger: every packet leaves
    return 0


def _spawn(kind: str, addr: str, n: int, size: int) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, __file__, "--sender", kind, addr, str(n), str(size)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def _go(proc: subprocess.Popen[str]) -> float:
    assert proc.stdin is not None
    proc.stdin.write("go\n")
    proc.stdin.flush()
    return time.perf_counter()


def raw_stream(transport: str, n: int, size: int, tmp: str) -> float:
    """Raw PUSH (another process) -> PULL (here)."""
    ctx = zmq.Context()
    pull = ctx.socket(zmq.PULL)
    pull.rcvhwm = HWM
    pull.bind(_addr(transport, tmp, "raw"))
    proc = _spawn("raw", pull.getsockopt_string(zmq.LAST_ENDPOINT), n, size)
    try:
        time.sleep(0.3)  # the sender's start-up is not part of the figure
        t0 = _go(proc)
        pull.rcvtimeo = 10_000  # a stall raises zmq.Again instead of hanging
        recv = pull.recv
        for _ in range(n):
            recv()
        dt = time.perf_counter() - t0
    finally:
        proc.wait(30)
        pull.close(0)
        ctx.term()
    return n / dt


def bus_stream(endpoints, n: int, size: int, transport: str = "", tmp: str = "") -> float:
    """Bus publisher (another process) -> bus subscriber (here): straight from
    a ``Bus.bind`` publisher to a ``Bus.tap`` (``endpoints`` None), or
    through the broker at ``endpoints``."""
    if endpoints is None:
        proc = _spawn("bind", _addr(transport, tmp, "bus"), n, size)
        assert proc.stdout is not None
        sub = Bus.tap(proc.stdout.readline().strip(), hwm=HWM, name="bench-sub")
    else:
        proc = _spawn("broker", f"{endpoints.frontend}|{endpoints.backend}", n, size)
        sub = Bus.connect(endpoints, hwm=HWM, name="bench-sub")
    try:
        sub.subscribe([PROBE, FLOOD])
        while sub.recv(10.0) is None:
            raise RuntimeError("the sender's probes never arrived")
        t0 = _go(proc)
        sink = collections.deque(maxlen=1).append
        sock = sub.socket_in
        counts = sub.counters
        while counts.received[FLOOD] < n:
            if not sock.poll(10_000):
                raise RuntimeError(f"bus stream stalled at {counts.received[FLOOD]}/{n}")
            sub.drain(sink)
        dt = time.perf_counter() - t0
        assert counts.dropped[FLOOD] == 0, counts.get(FLOOD)
    finally:
        proc.wait(30)
        sub.close(0)
    return n / dt


def _wait_joined(pub: Bus, sub: Bus, probe: bytes) -> None:
    """Publish ``probe`` until ``sub`` hears it, then empty ``sub``."""
    deadline = time.monotonic() + 10
    while sub.recv(0.02) is None:
        if time.monotonic() > deadline:
            raise RuntimeError("subscription never reached the publisher")
        pub.publish(probe)
    while sub.recv(0.05) is not None:
        pass


# -- round trip over tcp ---------------------------------------------------------------------------


def bus_rtt(endpoints, n: int) -> list[float]:
    a = Bus.connect(endpoints, name="ping")
    b = Bus.connect(endpoints, name="pong")
    a.subscribe(0x21)
    b.subscribe(0x20)
    ping, pong = make_packet(0x20, 64), make_packet(0x21, 64)
    _wait_joined(a, b, ping)
    _wait_joined(b, a, pong)
    stop = threading.Event()

    def echo() -> None:
        while not stop.is_set():
            if b.recv(0.05) is not None:
                b.publish(pong)

    th = threading.Thread(target=echo)
    th.start()
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        a.publish(ping)
        if a.recv(5.0) is None:
            raise RuntimeError("no echo")
        out.append((time.perf_counter() - t0) * 1e6)
    stop.set()
    th.join()
    a.close(0)
    b.close(0)
    return out


def raw_rtt(n: int) -> list[float]:
    ctx = zmq.Context()
    a_in, b_in = ctx.socket(zmq.PULL), ctx.socket(zmq.PULL)
    a_in.bind("tcp://127.0.0.1:*")
    b_in.bind("tcp://127.0.0.1:*")
    a_out, b_out = ctx.socket(zmq.PUSH), ctx.socket(zmq.PUSH)
    a_out.connect(b_in.getsockopt_string(zmq.LAST_ENDPOINT))
    b_out.connect(a_in.getsockopt_string(zmq.LAST_ENDPOINT))
    p = make_packet(0x20, 64)
    stop = threading.Event()

    def echo() -> None:
        while not stop.is_set():
            if b_in.poll(50):
                b_in.recv()
                b_out.send(p)

    th = threading.Thread(target=echo)
    th.start()
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        a_out.send(p)
        a_in.recv()
        out.append((time.perf_counter() - t0) * 1e6)
    stop.set()
    th.join()
    for s in (a_in, b_in, a_out, b_out):
        s.close(0)
    ctx.term()
    return out


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer messages (a smoke run)")
    parser.add_argument("--sender", nargs=4, metavar=("KIND", "ADDR", "N", "SIZE"),
                        help=argparse.SUPPRESS)  # internal: the sending process
    args = parser.parse_args()
    if args.sender:
        kind, addr, n_s, size_s = args.sender
        return sender_main(kind, addr, int(n_s), int(size_s))
    n = 20_000 if args.quick else 100_000
    n_rtt = 300 if args.quick else 3000
    repeats = 3 if args.quick else 7
    ratios: dict[str, float] = {}
    tmp = tempfile.mkdtemp(prefix="fsw-bench-bus-")
    try:
        print(f"{'transport':9} {'size':>5} {'raw msg/s':>12} {'bus msg/s':>12} {'bus/raw':>8}")
        for transport in ("inproc", "ipc", "tcp"):
            worst = float("inf")
            for size in (64, 1024):
                via = ""
                if transport == "inproc":
                    raw, bus, ratio = paired(lambda s=size: raw_inproc(n, s),
                                             lambda s=size: bus_inproc(n, s), repeats)
                else:
                    raw, bus, ratio = paired(
                        lambda s=size, tr=transport: raw_stream(tr, n, s, tmp),
                        lambda s=size, tr=transport: bus_stream(None, n, s, tr, tmp), repeats)
                    with Broker(transport, hwm=HWM) as broker:
                        _, brokered, bratio = paired(
                            lambda s=size, tr=transport: raw_stream(tr, n, s, tmp),
                            lambda s=size, b=broker: bus_stream(b.endpoints, n, s), repeats)
                    via = f"   via broker {brokered:>10,.0f} ({bratio:.2f})"
                worst = min(worst, ratio)
                print(f"{transport:9} {size:>5} {raw:>12,.0f} {bus:>12,.0f} {ratio:>8.2f}{via}",
                      flush=True)
            ratios[transport] = worst
        with Broker("tcp") as broker:
            rtt = bus_rtt(broker.endpoints, n_rtt)
        rrtt = raw_rtt(n_rtt)
        print(f"tcp round trip, bus via broker: median {statistics.median(rtt):.0f} us, "
              f"p99 {pct(rtt, 0.99):.0f} us; raw PUSH/PULL direct: median "
              f"{statistics.median(rrtt):.0f} us, p99 {pct(rrtt, 0.99):.0f} us")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps({
        "bus_vs_zmq_inproc": round(ratios["inproc"], 3),
        "bus_vs_zmq_ipc": round(ratios["ipc"], 3),
        "bus_vs_zmq_tcp": round(ratios["tcp"], 3),
        "tcp_rtt_p50_us": round(statistics.median(rtt), 1),
        "tcp_rtt_p99_us": round(pct(rtt, 0.99), 1),
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
