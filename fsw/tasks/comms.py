"""The comms task (1 Hz, rate group ``default``): telecommand ingest with
authentication, stored (time-tagged) commands, command acknowledgements and
the communications housekeeping.

Every telecommand APID (0x080-0x0FF) is received raw and verified
(:class:`fsw.packets.auth.CommandVerifier`: well-formed, known key, MAC,
anti-replay). A rejected command is acknowledged ``rejected`` with the reason
code (:data:`REASONS`) and evented (severity warning); it never reaches a task.
An accepted command is acknowledged ``accepted`` and forwarded whole in a
``MISSION_CMD`` packet to the task that owns it (:data:`ROUTE`), which
acknowledges ``executed``, ``rejected`` or ``failed``. ``NOOP`` (the health
check answered even in STANDBY) is executed here.

Anti-replay state: kept in :class:`fsw.packets.security.SecurityStore`
(beside the key file; in memory for test keys) and written, atomically,
after a command is verified and *before* it is acknowledged or executed: a
command accepted once is a replay after any restart. If the state cannot be
written the command is rejected (reason ``R_STATE``), never executed.

Stored commands: ``TIME_TAGGED`` carries a complete signed command and its
release time: absolute (TAI seconds since 1958), or relative to the upload
when below ``RELATIVE_TAG_LIMIT_S`` (a delay in seconds; no absolute time on
board is that early). The inner command is verified at upload (known key,
not revoked, MAC; it may not be TIME_TAGGED or KEY_ROTATE) and its
anti-replay number consumed (so it cannot also be sent on its own); a bad
one rejects the upload with the inner command's reason. Stored commands are
released in time order at the first cycle at or after their time, verified
again (key not revoked since, MAC); at most ``STORE_MAX`` are held (a full
store rejects the upload).

Key rotation: ``KEY_ROTATE`` (signed by the key it retires) carries the
successor key wrapped under a key derived from the signer; it is unwrapped,
installed and activated, and the signer revoked, in the security state
before the acknowledgement ``executed`` (:mod:`fsw.packets.auth`).

Link: the time of the last authenticated command is kept; the autonomy task
reads ``COMMS_HK`` and treats a long silence as a loss of the ground link
(the mission goes on autonomously; it is reported).

Packets in: telecommands (0x080-0x0FF). Packets out: COMMAND_ACK,
MISSION_CMD, COMMS_HK, EVENT.

Faults: a packet that does not decode is rejected ``malformed`` like any
other bad command (the task never stops on its input); the security state
that cannot be read at start is a :class:`~fsw.packets.KeyFileError` (the
run does not start: replays would pass).
"""

from __future__ import annotations

import bisect
import math

from fsw.packets import DICTIONARY, PacketError
from fsw.packets.auth import ROTATE_COMMAND, CommandVerifier, KeyRing, unwrap_key
from fsw.packets.codec import peek_apid
from fsw.packets.defs.mission import ROUTE
from fsw.packets.errors import AuthError
from fsw.packets.security import SecurityStore, SecurityStoreError
from fsw.scenario import Scenario

COMMAND_ACK = DICTIONARY["COMMAND_ACK"]
MISSION_CMD = DICTIONARY["MISSION_CMD"]
COMMS_HK = DICTIONARY["COMMS_HK"]
TIME_TAGGED = DICTIONARY["TIME_TAGGED"]

ACCEPTED, EXECUTED, REJECTED, FAILED = 0, 1, 2, 3
#: COMMAND_ACK reason codes of authentication failures
REASONS = {"unknown key": 1, "bad MAC": 2, "replay": 3, "malformed": 4, "revoked key": 8,
           "reserved auth_seq": 9}
R_STORE_FULL, R_PAST, R_NO_OWNER = 5, 6, 7
#: the security state could not be written (command not executed); a stored
#: command holds a command it may not; a key rotation was refused
R_STATE, R_BAD_INNER, R_KEY = 10, 11, 12
#: commands a TIME_TAGGED may not carry
NOT_STORABLE = ("TIME_TAGGED", ROTATE_COMMAND)
STORE_MAX = 64
#: a TIME_TAGGED release time below this is a delay after receipt [s]
RELATIVE_TAG_LIMIT_S = 1.0e8
EV_REJECTED, EV_STORED, EV_RELEASED, EV_KEY = 101, 102, 103, 104


class CommsTask:
    """See the module docstring."""

    name = "comms"
    rate_group = "default"

    def __init__(self, scenario: Scenario, keys: KeyRing) -> None:
        self.sc = scenario
        self.keys = keys
        self.hk_every = max(1, round(scenario.rates.housekeeping_s * scenario.rates.nav_hz))
        #: critical data: the security state (anti-replay counters, rotations)
        #: survives a restart of the task and, beside a key file, of the process
        self.security = SecurityStore.for_keys(keys)
        self.cds: dict = {"last_accepted": self.security.last_accepted, "store": []}

    def init(self, ctx) -> None:
        self.ctx = ctx
        sec = self.security
        self.verifier = CommandVerifier(sec.keyring(self.keys), last_accepted=sec.last_accepted,
                                        revoked=sec.revoked)
        # one state: what the verifier advances is what the store writes
        sec.last_accepted = self.cds["last_accepted"] = self.verifier.last_accepted
        sec.revoked = self.verifier.revoked
        self.received = self.accepted = self.rejected = self.sent = 0
        self.last_contact = -math.inf
        self.cycles = 0
        for pdef in DICTIONARY.values():
            if pdef.is_tc:
                ctx.subscribe(pdef.apid, self.on_tc)

    # ------------------------------------------------------------------ ingest
    def on_tc(self, raw: bytes) -> None:
        self.received += 1
        try:
            rec = self.verifier.verify(raw)
        except AuthError as exc:
            self._reject_raw(raw, exc)
            return
        inner = self._upload_check(rec) if rec.packet.name == "TIME_TAGGED" else None
        if not self._persist(rec, raw):
            return
        self.accepted += 1
        self.last_contact = self.ctx.t
        self._ack(rec, ACCEPTED, 0)
        if isinstance(inner, int):  # the stored command it carries is refused
            self._ack(rec, REJECTED, inner)
            return
        self._dispatch(rec, raw)

    def _persist(self, rec, raw: bytes) -> bool:
        """Write the security state before anything is executed; a command
        whose state cannot be kept is rejected, not executed."""
        try:
            self.security.save(check=(rec.key_id, rec.auth_seq))
        except AuthError as exc:  # another process sharing the key file accepted it
            self.verifier.counts[exc.reason.value] += 1
            self._reject_raw(raw, exc)
            return False
        except SecurityStoreError as exc:
            self.rejected += 1
            self._ack(rec, REJECTED, R_STATE)
            self.ctx.event(3, EV_REJECTED, f"{rec.packet.name} not executed: {exc}"[:96])
            return False
        return True

    def _upload_check(self, rec):
        """Verify a TIME_TAGGED's inner command at upload and consume its
        anti-replay number; its record, or the reason code refusing it."""
        try:
            inner = self.verifier.verify(rec.command, check_replay=False)
        except AuthError as exc:
            self.ctx.event(2, EV_REJECTED, f"stored command rejected at upload: "
                                           f"{exc.reason.value}: {exc}"[:96])
            return REASONS.get(exc.reason.value, 4)
        if inner.packet.name in NOT_STORABLE:
            self.ctx.event(2, EV_REJECTED, f"stored command rejected: {inner.packet.name} "
                                           "cannot be stored")
            return R_BAD_INNER
        last = self.verifier.last_accepted
        if inner.auth_seq > last.get(inner.key_id, -1):
            last[inner.key_id] = inner.auth_seq  # never usable on its own any more
        return inner

    def _reject_raw(self, raw: bytes, exc: AuthError) -> None:
        self.rejected += 1
        code = REASONS.get(exc.reason.value, 4)
        apid = seq = auth_seq = 0
        if len(raw) >= 6:
            apid = peek_apid(raw)
            seq = ((raw[2] << 8) | raw[3]) & 0x3FFF
        if len(raw) >= 16:
            auth_seq = int.from_bytes(raw[14:18], "big") if len(raw) >= 18 else 0
        self.ctx.send(COMMAND_ACK, command_apid=apid, command_seq=seq,
                      command_auth_seq=auth_seq, stage=REJECTED, reason=code)
        self.ctx.event(2, EV_REJECTED, f"TC 0x{apid:03X} rejected: {exc.reason.value}")

    def _ack(self, rec, stage: int, reason: int) -> None:
        self.ctx.send(COMMAND_ACK, command_apid=rec.apid, command_seq=rec.seq,
                      command_auth_seq=rec.auth_seq, stage=stage, reason=reason)

    def _dispatch(self, rec, raw: bytes) -> None:
        name = rec.packet.name
        if name == "NOOP":
            self._ack(rec, EXECUTED, 0)
        elif name == "TIME_TAGGED":
            self._store(rec)
        elif name == ROTATE_COMMAND:
            self._rotate(rec)
        elif name in ROUTE:
            self.ctx.send(MISSION_CMD, owner=ROUTE[name], command=bytes(raw))
        else:
            self._ack(rec, REJECTED, R_NO_OWNER)
            self.ctx.event(2, EV_REJECTED, f"{name}: no task owns this command")

    def _rotate(self, rec) -> None:
        """Install the successor key, revoke the signer; written before the ack."""
        old, new, ring = rec.key_id, rec.new_key_id, self.verifier.keys
        why = None
        if new in ring or new == old:
            why = f"key id {new} is already in use"
        else:
            try:
                key = unwrap_key(ring[old], rec.wrapped_key)
            except AuthError as exc:
                why = str(exc)
        if why is None:
            sec = self.security
            sec.install(new, old, rec.wrapped_key, key)
            try:
                sec.save()
            except SecurityStoreError as exc:
                sec.installed.pop()
                sec.revoked.discard(old)
                why = str(exc)
        if why is not None:
            self._ack(rec, REJECTED, R_KEY)
            self.ctx.event(2, EV_REJECTED, f"key rotation refused: {why}"[:96])
            return
        ring.add(new, key)
        self._ack(rec, EXECUTED, 0)
        self.ctx.event(1, EV_KEY, f"key {new} installed and active; key {old} revoked")

    def _store(self, rec) -> None:
        store = self.cds["store"]
        if len(store) >= STORE_MAX:
            self._ack(rec, REJECTED, R_STORE_FULL)
            self.ctx.event(2, EV_REJECTED, "stored command rejected: store full")
            return
        when = rec.exec_tai
        if math.isfinite(when) and 0.0 <= when < RELATIVE_TAG_LIMIT_S:
            when = self.ctx.t + when
        if not math.isfinite(when) or when < self.ctx.t - 1.0:
            self._ack(rec, REJECTED, R_PAST)
            self.ctx.event(2, EV_REJECTED, "stored command rejected: time tag in the past")
            return
        bisect.insort(store, (when, rec.auth_seq, bytes(rec.command), rec.apid, rec.seq))
        self._ack(rec, EXECUTED, 0)
        self.ctx.event(1, EV_STORED, f"command stored for t={when:.0f}")

    # ------------------------------------------------------------------ cycle
    def step(self, t: float) -> None:
        self.cycles += 1
        store = self.cds["store"]
        while store and store[0][0] <= t:
            _, _, inner, _, _ = store.pop(0)
            try:
                rec = self.verifier.verify(inner, check_replay=False)
            except (AuthError, PacketError) as exc:
                self.rejected += 1
                self.ctx.event(2, EV_REJECTED, f"stored command rejected at release: {exc}"[:96])
                continue
            self.ctx.event(1, EV_RELEASED, f"stored {rec.packet.name} released")
            self._ack(rec, ACCEPTED, 0)
            self._dispatch(rec, inner)
        if self.cycles % self.hk_every == 0:
            self.ctx.send(COMMS_HK, mode=0, tc_received=self.received & 0xFFFFFFFF,
                          tc_accepted=self.accepted & 0xFFFFFFFF,
                          tc_rejected=self.rejected & 0xFFFFFFFF, tm_sent=self.cycles,
                          crc_errors=self.verifier.counts.get("malformed", 0),
                          seq_gaps=0)
