"""The mission's ground station as a participant of the run: the operations
centre that sends the launch notice, the periodic health checks and the
scenario's scripted telecommands, signed with the run's key ring.

- At the launch notice (the first tick) it sends ``LAUNCH_NOTICE`` with the
  target's GCRF state vector at that epoch as a public catalogue knows it:
  the world's target state at the insertion with the catalogue's error
  (:mod:`fsw_tools.mission.catalogue`, the scenario's
  ``target.catalogue_*``; the error drawn is kept in :attr:`catalogue_error`)
  sent either as the state vector at the notice that the on-board
  propagator model carries onto it (``target.notice_form = "state"``) or as
  a TLE of epoch the notice whose SGP4 prediction at the insertion is that
  state (``"tle"``, the default: :func:`fsw.core.tle.from_state`, catalogue
  number :data:`NOTICE_SATNUM`); or the target's TLE when the scenario gives
  one.
- Every ``HEALTH_CHECK_S`` it sends a ``NOOP`` health check (STANDBY: the only
  traffic; the comms task answers with an acknowledgement).
- ``scenario.telecommands`` go out at their times (seconds after launch),
  signed, or with a forged MAC when ``authenticated = false``.
- It signs with key :data:`STATION_KEY_ID`. With keys from a key file it
  numbers its commands from the ground's shared record beside that file
  (:class:`fsw_tools.ground.authseq.AuthSeqStore`), as the flight software
  remembers every number it accepted across runs; with test keys from 1.
- A ground-link loss (``faults`` of kind ``link_loss``) silences the station
  for its duration: nothing goes up; the acknowledgements that come down are
  not heard (they are still on the bus and in the archive).

It records every acknowledgement it hears in :attr:`acks` and every command
it sent in :attr:`sent` (name, time, auth_seq), for the summary and tests.
"""

from __future__ import annotations

from typing import Any

from fsw.core import tle
from fsw.core.ephem import Ephemeris
from fsw.packets import DICTIONARY
from fsw.packets.auth import CommandSigner, KeyRing
from fsw.packets.codec import crc16
from fsw.scenario import Scenario
from fsw.tasks.navigation import ephem_config

COMMAND_ACK = DICTIONARY["COMMAND_ACK"]
HEALTH_CHECK_S = 600.0
#: catalogue number of the launch notice's TLE of the target (assumed: the
#: 80000-89999 range that the catalogue leaves to analysts' objects)
NOTICE_SATNUM = 80001
#: the key the scripted ground station signs with (a live console uses another)
STATION_KEY_ID = 1


class GroundStation:
    """See the module docstring."""

    name = "ground"
    rate_group = "default"

    def __init__(self, scenario: Scenario, keys: KeyRing, target_at_insertion: tuple,
                 insertion_tai: float, key_id: int = STATION_KEY_ID) -> None:
        from fsw_tools.ground.authseq import AuthSeqStore

        self.sc = scenario
        #: a key file's numbering is shared with every other ground process
        self.numbers = AuthSeqStore.for_keys(keys)
        self.signer = CommandSigner(keys, key_id,
                                    self.numbers.next(key_id) if self.numbers else 1)
        self.target = target_at_insertion
        self.insertion_tai = insertion_tai
        self.launch_tai = scenario.launch_tai
        self.notice_sent = False
        self.next_health = scenario.notice_tai
        self.script = sorted(scenario.telecommands, key=lambda c: c.at_s)
        self.outages = [(self.launch_tai + f.at_s, self.launch_tai + f.at_s + f.duration_s)
                        for f in scenario.faults if f.kind == "link_loss"]
        self.acks: list[Any] = []
        self.sent: list[tuple[str, float, int]] = []
        self.extra: list[tuple[float, bytes]] = []
        #: the notice's error against the truth at insertion, Hill [m, m/s]
        self.catalogue_error: tuple[float, ...] = (0.0,) * 6

    def init(self, ctx: Any) -> None:
        self.ctx = ctx
        ctx.subscribe(COMMAND_ACK, self.on_ack, parse=True)

    def link_up(self, t: float) -> bool:
        """False during a ground-link outage."""
        return not any(a <= t < b for a, b in self.outages)

    def on_ack(self, rec: Any) -> None:
        if self.link_up(self.ctx.t):
            self.acks.append(rec)

    def queue(self, t_tai: float, raw: bytes) -> None:
        """Send a prepared telecommand at ``t_tai`` (tests: forged, replayed...)."""
        self.extra.append((t_tai, raw))
        self.extra.sort(key=lambda e: e[0])

    def _number(self) -> None:
        if self.numbers is not None:  # reserved before it is used
            s = self.signer
            s.next_auth_seq = self.numbers.take(s.key_id, s.next_auth_seq)

    def _send(self, name: str, **fields: Any) -> bytes:
        self._number()
        raw = self.signer.build(name, t_tai=self.ctx.t, **fields)
        self.sent.append((name, self.ctx.t, self.signer.next_auth_seq - 1))
        self.ctx.publish(raw)
        return raw

    def notice_fields(self) -> dict[str, Any]:
        """LAUNCH_NOTICE arguments: the target at the notice epoch."""
        tgt = self.sc.target
        t0 = self.sc.notice_tai
        if tgt.tle_line1:
            return {"form": 0, "tle1": tgt.tle_line1, "tle2": tgt.tle_line2,
                    "epoch_tai": t0, "r_N": (0.0, 0.0, 0.0), "v_N": (0.0, 0.0, 0.0)}
        from fsw_tools.mission.catalogue import catalogue_state

        from fsw.constants import MU_EARTH

        r, v, self.catalogue_error = catalogue_state(
            self.target[0], self.target[1], self.sc.mission.seed,
            tgt.catalogue_sigma_rtn_m, tgt.catalogue_drift_sigma_mps, MU_EARTH)
        # the state at the notice epoch that the flight software's own
        # propagation (its force model, drag included when it has one) carries
        # onto the target's state at insertion
        if tgt.notice_form == "tle":
            # an element set of epoch the notice whose SGP4 prediction at the
            # insertion is the catalogue's state there (what a catalogue's
            # TLE is for: predicting the orbit a day past its epoch)
            line1, line2 = tle.from_state(r, v, self.insertion_tai, satnum=NOTICE_SATNUM,
                                          epoch_tai=t0)
            return {"form": 0, "tle1": line1, "tle2": line2, "epoch_tai": t0,
                    "r_N": (0.0, 0.0, 0.0), "v_N": (0.0, 0.0, 0.0)}
        eph = Ephemeris(ephem_config(self.sc))
        eph.set(r, v, self.insertion_tai)
        r0, v0 = eph.state(t0)
        return {"form": 1, "tle1": "", "tle2": "", "epoch_tai": t0, "r_N": tuple(r0),
                "v_N": tuple(v0)}

    def step(self, t: float) -> None:
        if not self.link_up(t):
            return
        if not self.notice_sent:
            self.notice_sent = True
            self._send("LAUNCH_NOTICE", **self.notice_fields())
        if t >= self.next_health:
            self.next_health = t + HEALTH_CHECK_S
            self._send("NOOP")
        while self.script and self.launch_tai + self.script[0].at_s <= t:
            cmd = self.script.pop(0)
            if cmd.authenticated:
                self._send(cmd.name, **cmd.args)
            else:
                self._number()
                raw = bytearray(self.signer.build(cmd.name, t_tai=t, **cmd.args))
                raw[-3] ^= 0xFF  # corrupt the MAC, fix the CRC: a forgery
                raw[-2:] = crc16(bytes(raw[:-2])).to_bytes(2, "big")
                self.sent.append((cmd.name + " (forged)", t, -1))
                self.ctx.publish(bytes(raw))
        while self.extra and self.extra[0][0] <= t:
            _, raw = self.extra.pop(0)
            self.ctx.publish(raw)
