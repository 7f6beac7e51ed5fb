"""The software bus authenticates its peers when it leaves the process
(issue #19, build 2/3): behind ``Broker(..., secure=True)`` (what ``fsw run
--transport ipc|tcp`` uses) a plain ZeroMQ client reads nothing and
publishes nothing, so the issue's attack -- an ARM_THRUSTERS and a FIRE with
an all-zero MAC wrapped in MISSION_CMD, published to the broker -- executes
nothing. The same attack against a broker without authentication does get
through, which shows the test can tell the two apart."""

from __future__ import annotations

import threading
import time

import pytest
import zmq

from fsw.bus import Broker, Bus
from fsw.executive import Executive, ExecutiveConfig
from fsw.packets import DICTIONARY
from fsw.scenario import load_builtin
from fsw.tasks.propulsion import PropulsionTask

pytestmark = pytest.mark.skipif(not zmq.has("curve"), reason="libzmq built without CURVE")

MISSION_CMD = DICTIONARY["MISSION_CMD"]
ACK = DICTIONARY["COMMAND_ACK"]
ARM = DICTIONARY["ARM_THRUSTERS"]
FIRE = DICTIONARY["FIRE"]


def _forged() -> list[bytes]:
    """The issue's forgeries: commands with an all-zero MAC, forwarded as if
    the comms task had verified them."""
    arm = ARM.build(t_tai=2.2e9, key_id=1, auth_seq=9, arm=1, window=600.0)
    fire = FIRE.build(t_tai=2.2e9, key_id=1, auth_seq=10, dv_N=(0.05, 0.0, 0.0))
    return [MISSION_CMD.build(t_tai=2.2e9, seq=i, owner="propulsion", command=c)
            for i, c in enumerate((arm, fire))]


class Witness:
    name = "witness"

    def __init__(self) -> None:
        self.acks: list = []

    def init(self, ctx) -> None:
        ctx.subscribe(ACK, self.acks.append, parse=True)

    def step(self, t: float) -> None:
        pass


def _attack(secure: bool) -> tuple[list, bool]:
    """Propulsion behind a broker, a rogue plain ZeroMQ peer publishing the
    forgeries and listening; (acks heard, whether the rogue read anything)."""
    ctx = zmq.Context()
    with Broker("tcp", secure=secure) as broker:
        ep = broker.endpoints
        assert ep is not None and (ep.curve is not None) == secure
        rogue_pub = ctx.socket(zmq.PUB)
        rogue_sub = ctx.socket(zmq.SUB)
        for s in (rogue_pub, rogue_sub):
            s.setsockopt(zmq.LINGER, 0)
        rogue_pub.connect(ep.frontend)
        rogue_sub.connect(ep.backend)
        rogue_sub.setsockopt(zmq.SUBSCRIBE, b"")
        stop = threading.Event()
        heard = threading.Event()

        def rogue() -> None:  # 100 forgeries a second, and an ear on everything
            while not stop.is_set():
                for p in _forged():
                    rogue_pub.send(p, zmq.NOBLOCK)
                time.sleep(0.02)
                while rogue_sub.poll(0):
                    heard.set()
                    rogue_sub.recv()

        thread = threading.Thread(target=rogue, daemon=True)
        thread.start()
        bus = Bus.connect(ep, name="fsw")
        witness = Witness()
        try:
            ex = Executive(bus, ExecutiveConfig(seed=1, mode="realtime", speed=4.0))
            ex.add(PropulsionTask(load_builtin("short_inspection")))
            ex.add(witness)
            ex.run(duration_s=8.0)
        finally:
            stop.set()
            thread.join(5)
            bus.close()
            rogue_pub.close(0)
            rogue_sub.close(0)
    ctx.term()
    return witness.acks, heard.is_set()


def test_a_forged_mission_cmd_on_an_authenticated_bus_executes_nothing() -> None:
    acks, heard = _attack(secure=True)
    assert [a for a in acks if a.command_apid in (ARM.apid, FIRE.apid)] == []
    assert not heard  # and the plain client read nothing of the run's traffic


def test_the_same_attack_gets_through_an_open_broker() -> None:
    acks, heard = _attack(secure=False)
    assert any(a.command_apid == ARM.apid and a.stage == 1 for a in acks)  # armed: executed
    assert heard


def test_plain_client_on_a_secure_broker_reads_and_sends_nothing() -> None:
    ctx = zmq.Context()
    with Broker("tcp", secure=True) as broker:
        ep = broker.endpoints
        assert ep is not None
        a, b = Bus.connect(ep, name="a"), Bus.connect(ep, name="b")
        plain = ctx.socket(zmq.SUB)
        plain.setsockopt(zmq.LINGER, 0)
        plain.connect(ep.backend)
        plain.setsockopt(zmq.SUBSCRIBE, b"")
        try:
            b.subscribe_all()
            noop = DICTIONARY["HEARTBEAT"].build(t_tai=2.2e9, task="x", counter=1, state=1)
            deadline = time.monotonic() + 5.0
            got = None
            while got is None and time.monotonic() < deadline:
                a.publish(noop)  # the nodes given the keys talk to each other
                got = b.recv(0.1)
            assert got == noop
            assert not plain.poll(1000)
        finally:
            plain.close(0)
            a.close()
            b.close()
        assert "client_secret" not in repr(ep)  # the secret never shows in messages
    ctx.term()
