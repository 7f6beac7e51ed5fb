"""The live ground console: telemetry (housekeeping, events, command
acknowledgements) printed as it arrives, telecommands typed by name.

Console lines (interactive or a script on stdin)::

    NAME field=value ...   send an authenticated telecommand (see 'list')
    list                   the telecommands and their fields
    help [NAME]            this text, or one command's fields
    wait SECONDS           keep listening (scripts)
    wait-ack [SECONDS]     wait until every command sent has its final
                           acknowledgement (executed, rejected or failed)
    rotate                 replace this console's key by its successor (made
                           by 'fsw keys rotate KEYFILE --key-id ID'): sends
                           KEY_ROTATE, then signs with the new key
    quit                   leave (end of input does too)
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from collections.abc import Iterable
from typing import Any, TextIO

from fsw_tools.ground.authseq import AuthSeqStore
from fsw_tools.ground.commands import (
    CommandLineError,
    describe_command,
    parse_command,
    telecommands,
)
from fsw_tools.ground.link import GroundClient

from fsw.errors import UserError

TAI1958_TO_UNIX_S = 378_691_200
TAI_MINUS_UTC_S = 37
FINAL_STAGES = ("executed", "rejected", "failed")


def wall_tai() -> float:
    """The wall clock as TAI seconds since 1958 (TAI-UTC = 37 s since 2017)."""
    return time.time() + TAI1958_TO_UNIX_S + TAI_MINUS_UTC_S


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, tuple | list):
        return "(" + ", ".join(_fmt(x) for x in v) + ")"
    if isinstance(v, bytes):
        return v.hex() if len(v) <= 16 else f"<{len(v)} octets>"
    return str(v)


class GroundConsole:
    """One console session on a :class:`GroundClient`."""

    def __init__(self, client: GroundClient, signer: Any | None, *, out: TextIO | None = None,
                 err: TextIO | None = None, show_hk: bool = True,
                 seq_store: AuthSeqStore | None = None, recorder: Any | None = None) -> None:
        from fsw.packets import DICTIONARY

        self.client = client
        self.signer = signer
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.show_hk = show_hk
        self.seq_store = seq_store
        self.recorder = recorder
        self.dictionary = DICTIONARY
        self.last_t_tai: float | None = None
        self.pending: dict[tuple[int, int], str] = {}  # (APID, seq) -> command name
        self.acks: list[Any] = []
        self.errors = 0
        self.received = 0
        self.undecoded = 0

    # -- telemetry -------------------------------------------------------------

    def on_packet(self, raw: bytes) -> None:
        """Decode and print one telemetry packet."""
        from fsw.packets import PacketError

        self.received += 1
        if self.recorder is not None:
            self.recorder.write(raw, wall_tai())
        try:
            rec = self.dictionary.decode(raw)
        except PacketError as exc:
            self.undecoded += 1
            print(f"? undecodable packet ({len(raw)} octets): {exc}", file=self.out)
            return
        self.last_t_tai = rec.t_tai
        pdef = rec.packet
        if pdef.name == "EVENT":
            sev = pdef.enum_names("severity").get(rec.severity, rec.severity)
            print(f"{rec.t_tai:.3f} EVENT {sev} {rec.source}: {rec.text}", file=self.out)
        elif pdef.name == "COMMAND_ACK":
            self._on_ack(rec)
        elif self.show_hk:
            vals = " ".join(f"{k}={_fmt(v)}" for k, v in zip(pdef.field_names,
                                                              rec[3:], strict=False))
            print(f"{rec.t_tai:.3f} {pdef.name} {vals}", file=self.out)
        self.out.flush()

    def _on_ack(self, rec: Any) -> None:
        pdef = rec.packet
        stage = pdef.enum_names("stage").get(rec.stage, str(rec.stage))
        cmd = self.dictionary.by_apid.get(rec.command_apid)
        cname = cmd.name if cmd else f"0x{rec.command_apid:03X}"
        extra = " ".join(f"{k}={_fmt(getattr(rec, k))}" for k in pdef.field_names
                         if k not in ("command_apid", "command_seq", "stage"))
        print(f"{rec.t_tai:.3f} ACK {cname} seq={rec.command_seq} {stage} {extra}".rstrip(),
              file=self.out)
        self.acks.append(rec)
        if stage in FINAL_STAGES:
            self.pending.pop((rec.command_apid, rec.command_seq), None)

    def poll(self, timeout_s: float) -> int:
        """Print what arrives within ``timeout_s``; returns packets handled."""
        n = 0
        deadline = time.monotonic() + timeout_s
        while True:
            raw = self.client.recv(max(0.0, deadline - time.monotonic()))
            if raw is None:
                return n
            self.on_packet(raw)
            n += 1
            if time.monotonic() >= deadline:
                return n

    # -- commands ----------------------------------------------------------------

    def send(self, line: str) -> bytes:
        """Check, sign and send one telecommand line; returns the packet."""
        from fsw.packets.auth import ROTATE_COMMAND

        pdef, values = parse_command(line)
        if self.signer is None:
            raise UserError("no telecommand key: start the console with --keys FILE")
        if pdef.name == ROTATE_COMMAND:
            raise CommandLineError("use the console line 'rotate' (it wraps the new key)")
        return self._sign_and_send(pdef, values)

    def _sign_and_send(self, pdef: Any, values: dict[str, Any]) -> bytes:
        from fsw.packets import PacketError
        from fsw.packets.auth import AUTH_SEQ_MAX, ROTATE_COMMAND

        assert self.signer is not None
        t = self.last_t_tai if self.last_t_tai is not None else wall_tai()
        # a key's last number is kept for its KEY_ROTATE (the flight refuses it else)
        last = AUTH_SEQ_MAX if pdef.name == ROTATE_COMMAND else AUTH_SEQ_MAX - 1
        if self.seq_store is not None:  # reserved before sending: never reused
            self.signer.next_auth_seq = self.seq_store.take(self.signer.key_id,
                                                            self.signer.next_auth_seq, last)
        elif self.signer.next_auth_seq > last:
            raise UserError(f"key {self.signer.key_id} has used its anti-replay numbers: "
                            "'rotate' it (its last number is kept for that)")
        try:
            raw = self.signer.build(pdef.name, t_tai=t, **values)
        except PacketError as exc:
            raise CommandLineError(f"{pdef.name}: {exc}") from None
        self.client.send(raw)
        seq = ((raw[2] << 8) | raw[3]) & 0x3FFF
        self.pending[(pdef.apid, seq)] = pdef.name
        print(f"> sent {pdef.name} seq={seq} auth_seq={self.signer.next_auth_seq - 1}",
              file=self.out)
        self.out.flush()
        return raw

    def rotate(self, timeout_s: float = 10.0) -> None:
        """Send KEY_ROTATE for this console's key (its successor pending in the
        key file, made by ``fsw keys rotate``); once executed on board, sign
        with the successor."""
        from fsw.packets import DICTIONARY
        from fsw.packets.auth import ROTATE_COMMAND, CommandSigner, wrap_key

        if self.signer is None:
            raise UserError("no telecommand key: start the console with --keys FILE")
        old, ring = self.signer.key_id, self.signer.keys
        new = next((n for n, o in ring.pending.items() if o == old), None)
        if new is None:
            raise UserError(f"key {old} has no successor in the key file: make one with "
                            f"'fsw keys rotate KEYFILE --key-id {old}' and start the console "
                            "again")
        fields = {"new_key_id": new, "wrapped_key": wrap_key(ring[old], ring[new])}
        raw = self._sign_and_send(DICTIONARY[ROTATE_COMMAND], fields)
        seq = ((raw[2] << 8) | raw[3]) & 0x3FFF
        self.wait_ack(timeout_s)
        final = [a for a in self.acks if a.command_apid == DICTIONARY[ROTATE_COMMAND].apid
                 and a.command_seq == seq and a.stage != 0]
        if not final or final[-1].stage != 1:  # executed
            raise UserError(f"key rotation {old} -> {new} was not executed on board")
        if self.seq_store is not None:
            self.seq_store.record_rotation(old, new)
        first = self.seq_store.next(new) if self.seq_store is not None else 1
        self.signer = CommandSigner(ring, new, next_auth_seq=first)
        print(f"key {old} retired; signing with key {new}", file=self.out)
        self.out.flush()

    def wait_ack(self, timeout_s: float) -> bool:
        """Listen until every sent command has a final acknowledgement."""
        deadline = time.monotonic() + timeout_s
        while self.pending and time.monotonic() < deadline:
            self.poll(min(0.05, max(0.0, deadline - time.monotonic())))
        if self.pending:
            names = ", ".join(f"{n} seq={s}" for (_, s), n in self.pending.items())
            raise UserError(f"no final acknowledgement within {timeout_s:g} s for {names}")
        return True

    def execute(self, line: str) -> bool:
        """Run one console line; False means quit. Mistakes are printed and counted."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        word, _, rest = line.partition(" ")
        cmd = word.lower()
        try:
            if cmd in ("quit", "exit"):
                return False
            if cmd == "help":
                name = rest.strip().upper()
                tcs = telecommands()
                if name and name not in tcs:
                    raise CommandLineError(f"unknown command {rest.strip()!r} (type 'list')")
                print(describe_command(tcs[name]) if name else __doc__, file=self.out)
            elif cmd == "list":
                for pdef in sorted(telecommands().values(), key=lambda p: p.apid):
                    print(describe_command(pdef), file=self.out)
            elif cmd == "wait":
                self.poll(_seconds(rest, 1.0))
            elif cmd == "wait-ack":
                self.wait_ack(_seconds(rest, 5.0))
            elif cmd == "rotate":
                self.rotate()
            else:
                self.send(line)
        except UserError as exc:
            self.errors += 1
            print(f"error: {exc}", file=self.err)
            self.err.flush()
        return True

    def run(self, lines: Iterable[str]) -> int:
        """Read lines (in a thread) while printing telemetry; returns the exit
        status: 0, or 1 if any line failed."""
        q: queue.Queue[str | None] = queue.Queue()

        def reader() -> None:
            try:
                for line in lines:
                    q.put(line)
            finally:
                q.put(None)

        threading.Thread(target=reader, name="ground-console-input", daemon=True).start()
        while True:
            self.poll(0.05)
            try:
                line = q.get_nowait()
            except queue.Empty:
                continue
            if line is None or not self.execute(line):
                break
        return 1 if self.errors else 0


def _seconds(text: str, default: float) -> float:
    text = text.strip()
    if not text:
        return default
    try:
        v = float(text)
    except ValueError:
        raise UserError(f"{text!r} is not a number of seconds") from None
    if not 0 <= v < 3600:
        raise UserError(f"{v} s outside 0..3600")
    return v
