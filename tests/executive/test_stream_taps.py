"""The stream's taps (issue #18): a joined tap gets every batch with its
concatenation, called straight from the router when it is the only tap
(the archive writer's bound ``write_batch``), or with the per-packet and
batch taps through ``tap_all``; the same packets, times and hash on the
local path (``stream_delivered``) and the broker's (``commit``)."""

from __future__ import annotations

import hashlib

from fsw.executive.lockstep import SYNC_APIDS
from fsw.executive.router import Router, Stream
from fsw.packets import DICTIONARY

GYRO, BARRIER = DICTIONARY["GYRO"], DICTIONARY["BARRIER"]


def _gyros(n: int) -> list[bytes]:
    return [GYRO.build(t_tai=1.0, seq=i, rate_B=(0, 0, i), valid=1) for i in range(n)]


def test_the_only_joined_tap_is_the_sink_itself() -> None:
    stream = Stream()
    assert stream.sink is None
    got: list[tuple[list[bytes], bytes, float]] = []

    def tap(ps: list[bytes], data: bytes, t: float) -> None:
        got.append((list(ps), bytes(data), t))

    stream.add_tap(tap, joined=True)
    assert stream.sink is tap
    router = Router(SYNC_APIDS, stream)
    g = _gyros(4)
    sync = BARRIER.build(t_tai=1.0, seq=0, node=0, count=1)
    router.stream_delivered([g[0]], 1.0)
    router.stream_delivered([g[1], sync, g[2], g[3]], 1.1, skipped=True)
    router.stream_delivered([sync], 1.2, skipped=True)  # nothing left: no call
    assert got == [([g[0]], g[0], 1.0), (g[1:], b"".join(g[1:]), 1.1)]
    assert stream.packets == router.packets == 4
    assert stream.hexdigest() == hashlib.blake2b(b"".join(g), digest_size=32).hexdigest()


def test_every_kind_of_tap_sees_the_same_stream_on_both_paths() -> None:
    g = _gyros(7)
    seen = {}
    for path in ("local", "broker"):
        stream = Stream()
        per: list[tuple[bytes, float]] = []
        batch: list[tuple[list[bytes], float]] = []
        joined: list[tuple[list[bytes], bytes, float]] = []
        stream.add_tap(lambda p, t, per=per: per.append((p, t)))
        stream.add_tap(lambda ps, t, batch=batch: batch.append((list(ps), t)), batch=True)
        stream.add_tap(lambda ps, d, t, joined=joined: joined.append((list(ps), d, t)),
                       joined=True)
        assert stream.sink == stream.tap_all
        router = Router(SYNC_APIDS, stream)
        inbox: list[bytes] = []
        router.add_inbox(inbox, 0)
        router.subscribe(inbox, GYRO.apid)
        if path == "local":
            router.stream_delivered(g[:3], 2.0)
            router.stream_delivered(g[3:], 2.1)
        else:
            for p in g[:3]:
                router.deliver(p)
            router.commit(2.0)
            for p in g[3:]:
                router.deliver(p)
            router.commit(2.1)
        assert per == [(p, 2.0) for p in g[:3]] + [(p, 2.1) for p in g[3:]]
        assert batch == [(g[:3], 2.0), (g[3:], 2.1)]
        assert joined == [(g[:3], b"".join(g[:3]), 2.0), (g[3:], b"".join(g[3:]), 2.1)]
        seen[path] = stream.hexdigest(), stream.packets
    assert seen["local"] == seen["broker"]
    assert seen["local"] == (hashlib.blake2b(b"".join(g), digest_size=32).hexdigest(), 7)
