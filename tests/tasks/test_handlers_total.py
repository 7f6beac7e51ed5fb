"""No malformed packet stops a task (issue #19, build 1): the flight-software
tasks, in a real executive, get thousands of mutated packets of every APID
they read (sensors, inter-task messages, forwarded commands, telecommands;
CRCs made right so the damage reaches their handlers); they never fault,
every bad packet is counted and reported, and a signed NOOP sent after the
storm is executed."""

from __future__ import annotations

import random

from fsw_tools import fuzz

from fsw.bus import Bus
from fsw.core.guidance import LocalCore
from fsw.executive import Executive, ExecutiveConfig
from fsw.packets import DICTIONARY
from fsw.packets.auth import KeyRing, build_command
from fsw.packets.defs.mission import ROUTE
from fsw.scenario import load_builtin
from fsw.tasks.adcs import AdcsTask
from fsw.tasks.autonomy.task import AutonomyTask
from fsw.tasks.comms import CommsTask
from fsw.tasks.propulsion import PropulsionTask

TICKS = 60
PER_TICK = 80
MISSION_CMD = DICTIONARY["MISSION_CMD"]
OWNED = {DICTIONARY[n].apid for n, owner in ROUTE.items() if owner != "comms"}


class Storm:
    """Publishes mutated packets every tick, then one signed NOOP."""

    name = "storm"
    rate_group = "attitude"

    def __init__(self, keys: KeyRing) -> None:
        rng = random.Random(7)
        corpus = [p for p in fuzz.packet_corpus(rng)
                  if ((p[0] << 8 | p[1]) & 0x7FF) < 0x400]  # not truth: tasks never read it
        self.mutate = fuzz.Mutator(rng, corpus, sorted(a for a in DICTIONARY.by_apid
                                                       if a < 0x400))
        # commands forwarded to their owners, damaged inside a whole packet: what
        # only the owner's own parse can refuse
        inner = [p for p in corpus if ((p[0] << 8 | p[1]) & 0x7FF) in OWNED]
        self.inner = fuzz.Mutator(rng, inner, sorted(OWNED))
        self.rng = rng
        self.keys = keys
        self.sent = 0

    def init(self, ctx) -> None:
        self.ctx = ctx

    def step(self, t: float) -> None:
        if self.ctx.tick < TICKS - 5:
            for i in range(PER_TICK):
                raw = self.mutate() if i % 2 else self._forwarded()
                try:
                    self.ctx.publish(raw)
                    self.sent += 1
                except ValueError:  # the bus refuses what is not one space packet
                    pass
        elif self.ctx.tick == TICKS - 5:
            self.ctx.publish(build_command(self.keys, "NOOP", key_id=3, auth_seq=1, t_tai=t))


    def _forwarded(self) -> bytes:
        cmd = bytearray(self.inner())
        if len(cmd) < 8:
            cmd += bytes(8 - len(cmd))
        fuzz._fix_length(cmd)
        fuzz._fix_crc(cmd)
        return MISSION_CMD.build(t_tai=self.ctx.t, seq=0, command=bytes(cmd),
                                 owner=self.rng.choice(("autonomy", "propulsion")))


class Acks:
    name = "acks"

    def __init__(self) -> None:
        self.acks: list = []

    def init(self, ctx) -> None:
        ctx.subscribe(DICTIONARY["COMMAND_ACK"], self.acks.append, parse=True)

    def step(self, t: float) -> None:
        pass


def test_tasks_survive_a_storm_of_malformed_packets() -> None:
    sc = load_builtin("short_inspection")
    # the fuzz corpus' keys (its valid commands get in and execute) and the operator's
    keys = KeyRing({**fuzz.FUZZ_KEYS, 3: bytes(range(64, 96))})
    core = LocalCore()
    storm, acks = Storm(keys), Acks()
    ex = Executive(Bus.local(), ExecutiveConfig(seed=1, rates={"attitude": 10.0,
                                                               "default": 1.0}))
    ex.add(storm)
    for task in (CommsTask(sc, keys), AutonomyTask(sc, core), AdcsTask(sc, core),
                 PropulsionTask(sc)):
        ex.add(task)
    ex.add(acks)
    res = ex.run(ticks=TICKS)
    assert storm.sent > 1500  # (the bus itself refuses what is not one packet)
    for name in ("comms", "autonomy", "adcs", "propulsion"):
        st = res.tasks[name]
        assert (st.state, st.faults, st.restarts) == ("nominal", 0, 0), st
    assert sum(res.tasks[n].bad_packets for n in ("autonomy", "adcs", "propulsion")) > 100
    noop = [(a.stage, a.reason) for a in acks.acks
            if a.command_apid == DICTIONARY["NOOP"].apid and a.command_auth_seq == 1
            and a.t_tai >= ex.config.t0_tai + (TICKS - 5) / 10.0]
    assert noop == [(0, 0), (1, 0)]  # accepted, executed
