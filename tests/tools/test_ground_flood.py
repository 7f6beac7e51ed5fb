"""A flood at the ground port (issue #19, acceptance 5): a local client with
an authorized CurveZMQ key sends, as fast as it can, valid telecommands,
replays, forgeries, the issue's malformed TIME_TAGGED, garbage and
non-telecommands at a mission flying in real time. The flight software's
rate groups stay on time (no deadline overrun in the real-time leg), what
the ground link could not admit is dropped and counted, the valid commands
that were admitted are executed, and the process's memory grows by less
than 50 MiB.

The default suite floods for a few seconds of the real-time leg; the
60-second flood of the issue is marked ``slow``."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
import zmq
from fsw_tools.ground.bridge import GroundBridge
from fsw_tools.ground.curve import new_keys, server_keys
from fsw_tools.ground.link import GroundGateway
from fsw_tools.mission import fly, run_keys

from fsw.packets import DICTIONARY
from fsw.scenario import load_builtin

pytestmark = pytest.mark.skipif(not zmq.has("curve"), reason="libzmq built without CURVE")

_FLOODER = textwrap.dedent("""
    import binascii, json, os, random, signal, sys, time
    import zmq
    from fsw_tools.ground.curve import client_keys
    from fsw_tools.mission import run_keys
    from fsw.packets import DICTIONARY
    from fsw.packets.auth import build_command
    tc, curve_dir, seconds, seed = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    keys = run_keys(seed)
    ck = client_keys(curve_dir)
    push = zmq.Context.instance().socket(zmq.PUSH)
    push.curve_serverkey, push.curve_publickey, push.curve_secretkey = (
        ck.server_public, ck.public, ck.secret)
    push.setsockopt(zmq.SNDHWM, 100_000)
    push.setsockopt(zmq.LINGER, 0)
    push.connect(tc)
    rng = random.Random(1)
    bad = bytes.fromhex("1887c000001e") + bytes(29)
    bad += binascii.crc_hqx(bad, 0xFFFF).to_bytes(2, "big")
    replay = build_command(keys, "NOOP", key_id=3, auth_seq=1, t_tai=2.2e9)
    forged = bytearray(build_command(keys, "ABORT", key_id=2, auth_seq=10**6, t_tai=2.2e9,
                                     reason=1))
    forged[-5] ^= 1
    forged[-2:] = binascii.crc_hqx(bytes(forged[:-2]), 0xFFFF).to_bytes(2, "big")
    hk = DICTIONARY["EVENT"].build(t_tai=2.2e9, severity=1, event_id=1, source="x", text="y")
    fixed = [bad, replay, bytes(forged), hk, b"\\x00" * 3, rng.randbytes(100)]
    n = sent = held = 0
    auth_seq = 1000
    end = time.monotonic() + seconds
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    while time.monotonic() < end and not stop:
        n += 1
        if n % 50 == 0:  # a valid, fresh command now and then
            msg = build_command(keys, "NOOP", key_id=3, auth_seq=auth_seq, t_tai=2.2e9)
            auth_seq += 1
        else:
            msg = fixed[n % len(fixed)]
        try:
            push.send(msg, zmq.NOBLOCK)
            sent += 1
        except zmq.Again:
            held += 1
    print(json.dumps({"sent": sent, "held": held, "valid": auth_seq - 1000}), flush=True)
""")


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def _flood(tmp_path: Path, orbit_s: float) -> None:
    import json

    curve = new_keys(tmp_path / "curve")
    gateway = GroundGateway("127.0.0.1", 0, curve=server_keys(curve))
    bridge = GroundBridge(gateway)
    seed = 1
    sc = load_builtin("short_inspection")
    flooder = subprocess.Popen([sys.executable, "-c", _FLOODER, gateway.endpoints.tc,
                                str(curve), str(orbit_s + 60.0), str(seed)],
                               stdout=subprocess.PIPE, text=True)
    rss: list[int] = []
    orbit = threading.Event()
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.2):
            if orbit.is_set():
                rss.append(_rss_kib())

    def progress(t: float, mode: str) -> None:
        if t >= insertion[0] and not orbit.is_set():
            rss.append(_rss_kib())
            orbit.set()

    insertion = [float("inf")]
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        def prepare(res) -> None:
            insertion[0] = res.insertion_tai

        res = fly(sc, seed=seed, duration_s=orbit_s, keys=run_keys(seed), ground_link=bridge,
                  realtime_speed=1.0, prepare=prepare, progress=progress)
    finally:
        stop.set()
        sampler.join(5)
        flooder.terminate()
        out, _ = flooder.communicate(timeout=30)
        gateway.close()
    orbit_leg = res.legs[-1]
    assert orbit_leg.sim_s >= orbit_s
    late = [e[3] for e in res.monitor.score.events if "late by" in e[3]]
    assert orbit_leg.overruns == 0, late  # the rate groups kept their deadlines
    assert gateway.received > 50 * orbit_s  # the flood reached the gateway ...
    assert bridge.dropped > 0  # ... beyond what the bridge admits: dropped, counted
    assert bridge.dropped + bridge.uplinked + bridge.refused == gateway.received
    assert all(st.faults == 0 and st.state == "nominal"
               for st in orbit_leg.tasks.values()), orbit_leg.tasks
    noop = DICTIONARY["NOOP"].apid
    executed = [a for a in res.ground.acks if a.command_apid == noop and a.stage == 1
                and a.command_auth_seq >= 1000]
    assert executed  # valid commands that were admitted were executed
    events = [e for e in res.monitor.score.events if "ground link:" in e[3]]
    assert any("telecommands dropped" in e[3] for e in events)
    growth_mib = (max(rss) - rss[0]) / 1024
    stats = json.loads(out)
    print(f"flood: {stats['sent']} sent ({stats['held']} held back by the link), "
          f"{gateway.received} read, {bridge.uplinked} admitted, {bridge.dropped} dropped, "
          f"{len(executed)} valid executed, overruns {orbit_leg.overruns}, "
          f"RSS growth {growth_mib:.1f} MiB over {len(rss)} samples")
    assert growth_mib < 50.0, growth_mib


def test_flood_at_the_ground_port(tmp_path: Path) -> None:
    _flood(tmp_path, orbit_s=8.0)


@pytest.mark.slow
def test_flood_at_the_ground_port_60s(tmp_path: Path) -> None:
    _flood(tmp_path, orbit_s=60.0)
