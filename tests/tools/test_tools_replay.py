"""``fsw replay`` and the player: packets onto the bus, filtered, paced."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fsw_tools.archive import ArchiveWriter, read_archive
from fsw_tools.cli import main
from fsw_tools.replay import play

from fsw.bus.broker import Broker
from fsw.bus.bus import Bus


def _archive(tmp_path: Path, stream) -> Path:
    path = tmp_path / "a.fswarc"
    with ArchiveWriter(path) as w:
        for pkt, t in stream:
            w.write(pkt, t)
    return path


class FakeClock:
    """A clock that only advances when slept on (deterministic pacing)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.slept.append(s)
        self.now += s


@pytest.mark.parametrize("speed", [1.0, 4.0])
def test_pacing_follows_recorded_times(tmp_path: Path, stream, speed: float) -> None:
    arc = read_archive(_archive(tmp_path, stream))
    fake = FakeClock()
    sent_at: list[float] = []
    stats = play(arc, lambda p: sent_at.append(fake.now), speed=speed, sleep=fake.sleep,
                 clock=fake.clock)
    assert stats.packets == len(stream)
    t0_ns = round(stream[0][1] * 1e9)  # receive times are stored in integer ns
    want = [(round(t * 1e9) - t0_ns) / 1e9 / speed for _, t in stream]
    assert [s - 100.0 for s in sent_at] == pytest.approx(want, abs=1e-9)


def test_filter_by_apid_and_window(tmp_path: Path, stream) -> None:
    arc = read_archive(_archive(tmp_path, stream))
    got: list[bytes] = []
    t0, t1 = stream[50][1], stream[400][1]
    play(arc, got.append, speed=None, apids=[0x101, 0x401], start=t0, stop=t1)
    assert got == [p for p, t in stream
                   if ((p[0] & 7) << 8 | p[1]) in (0x101, 0x401) and t0 <= t < t1]


def test_fsw_replay_publishes_onto_a_broker(tmp_path: Path, stream) -> None:
    path = _archive(tmp_path, stream)
    with Broker("tcp") as broker:
        sub = Bus.connect(broker.endpoints, name="listener")
        sub.subscribe([0x010, 0x400])
        got: list[bytes] = []
        done = threading.Event()

        def listen() -> None:
            while not done.is_set():
                p = sub.recv(timeout_s=0.05)
                if p is not None:
                    got.append(p)

        th = threading.Thread(target=listen)
        th.start()
        try:
            rc = main(["replay", str(path), "--fast", "--frontend", broker.endpoints.frontend,
                       "--settle", "1.0", "--apid", "0x010", "--apid", "0x400,0x101",
                       "--start", "0.5"])
            want = [p for p, t in stream if ((p[0] & 7) << 8 | p[1]) in (0x010, 0x400)
                    and t >= stream[0][1] + 0.5]
            for _ in range(100):
                if len(got) >= len(want):
                    break
                done.wait(0.05)
        finally:
            done.set()
            th.join(5)
            sub.close()
    assert rc == 0
    assert got == want


def test_replay_user_errors(tmp_path: Path, stream, capsys) -> None:
    path = _archive(tmp_path, stream)
    assert main(["replay", str(path), "--speed", "0"]) == 2
    assert main(["replay", str(path), "--apid", "0x7FE", "--settle", "0"]) == 2
    assert "no packet" in capsys.readouterr().err


def test_replay_own_broker_on_given_ports(tmp_path: Path, stream, capsys) -> None:
    path = _archive(tmp_path, stream[:5])
    import socket

    ports = []
    for _ in range(2):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
    assert main(["replay", str(path), "--fast", "--settle", "0",
                 "--ports", f"{ports[0]},{ports[1]}"]) == 0
    out = capsys.readouterr().out
    assert f"frontend tcp://127.0.0.1:{ports[0]} backend tcp://127.0.0.1:{ports[1]}" in out
    assert "replayed 5 packets" in out
    assert main(["replay", str(path), "--ports", "1"]) == 2
