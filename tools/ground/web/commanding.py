"""Telecommands from the web console: forms described from the dictionary,
values checked exactly as the text console checks them
(:func:`fsw_tools.ground.commands.convert`), signed with the operator's key,
sent on the ground link, stored in the command history and matched with
their acknowledgements.

Hazardous telecommands (``PacketDef.hazardous``) go in two steps enforced
here, not only in the page: :meth:`Commander.arm` checks the command and
returns a one-time token, valid ``ARM_WINDOW_S`` for exactly that command and
those values; :meth:`Commander.send` refuses a hazardous command without it.
"""

from __future__ import annotations

import secrets
import struct
import time
from typing import Any

from fsw_tools.ground.commands import CommandLineError, convert, telecommands
from fsw_tools.ground.web.history import CommandHistory
from fsw_tools.ground.web.model import utc_text

from fsw.errors import UserError
from fsw.packets import PacketError

ARM_WINDOW_S = 15.0


def _int_bounds(ch: str) -> tuple[int, int]:
    bits = 8 * struct.calcsize(">" + ch)
    if ch.islower():
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def describe_field(pdef: Any, f: Any) -> dict[str, Any]:
    """How the page draws one telecommand field."""
    lay = pdef.layouts[f.name]
    out: dict[str, Any] = {"name": f.name, "unit": f.unit, "description": f.description}
    if lay is None:
        out.update(kind="hex", octets=None)
    elif lay.kind == "bytes":
        out.update(kind="hex", octets=lay.size)
    elif lay.kind == "string":
        out.update(kind="text", max_octets=lay.size)
    elif lay.kind == "enum":
        out.update(kind="enum", options=[k for k, _ in sorted((lay.enum or {}).items(),
                                                               key=lambda kv: kv[1])])
    else:
        ch = lay.fmt[-1]
        elem: dict[str, Any] = {"kind": "float"} if ch in "fd" else dict(
            zip(("min", "max"), _int_bounds(ch), strict=True), kind="int")
        if lay.kind == "array":
            out.update(kind="array", count=lay.count, element=elem)
        else:
            out.update(elem)
    return out


def command_forms() -> list[dict[str, Any]]:
    """Every telecommand of the dictionary, as the page's forms (APID order)."""
    return [{"name": p.name, "apid": p.apid, "description": p.description,
             "hazardous": bool(p.hazardous),
             "fields": [describe_field(p, f) for f in p.fields]}
            for p in sorted(telecommands().values(), key=lambda p: p.apid)]


class Commander:
    """Checks, signs, sends and records telecommands (see the module docstring).

    ``send_raw`` sends one packet on the ground link; ``signer`` is a
    :class:`fsw.packets.auth.CommandSigner` (None: monitoring only);
    ``seq_store`` keeps the anti-replay state beside the key file."""

    def __init__(self, signer: Any | None, send_raw: Any, history: CommandHistory, *,
                 seq_store: Any | None = None, clock: Any = time.monotonic,
                 t_tai: Any = None) -> None:
        self.signer = signer
        self.send_raw = send_raw
        self.history = history
        self.seq_store = seq_store
        self.clock = clock
        self.t_tai = t_tai  # -> on-board time to stamp commands with
        self._armed: dict[str, tuple[str, dict[str, str], float]] = {}
        self.rejected = 0

    def _check(self, name: str, args: Any) -> tuple[Any, dict[str, Any], dict[str, str]]:
        tcs = telecommands()
        if not isinstance(name, str) or name not in tcs:
            raise CommandLineError(f"unknown command {name!r}")
        pdef = tcs[name]
        if not isinstance(args, dict) or not all(isinstance(v, str) for v in args.values()):
            raise CommandLineError(f"{name}: arguments are field -> text")
        extra = set(args) - set(pdef.field_names)
        if extra:
            raise CommandLineError(f"{name}: no field {sorted(extra)[0]!r}")
        missing = [n for n in pdef.field_names if n not in args]
        if missing:
            raise CommandLineError(f"{name}: missing {', '.join(missing)}")
        text = {n: args[n].strip() for n in pdef.field_names}
        values = {n: convert(pdef, n, text[n]) for n in pdef.field_names}
        return pdef, values, text

    def arm(self, name: str, args: Any) -> dict[str, Any]:
        """First step of a hazardous command: returns ``{token, window_s}``."""
        pdef, _, text = self._check(name, args)
        if not pdef.hazardous:
            raise CommandLineError(f"{name} is not hazardous: send it directly")
        now = self.clock()
        self._armed = {k: v for k, v in self._armed.items() if v[2] > now}
        token = secrets.token_urlsafe(16)
        self._armed[token] = (name, text, now + ARM_WINDOW_S)
        return {"token": token, "window_s": ARM_WINDOW_S}

    def send(self, name: str, args: Any, arm_token: str | None = None) -> dict[str, Any]:
        """Check, sign, record and send one command; returns its history entry."""
        entry, raw = self.prepare(name, args, arm_token)
        try:
            self.send_raw(raw)
        except UserError as exc:
            self.not_sent(entry, exc)
            raise
        return entry

    def not_sent(self, entry: dict[str, Any], exc: Exception) -> None:
        """Record that a prepared command did not go out (the link was down)."""
        self.history.mark(entry["id"], "not sent", str(exc))

    def prepare(self, name: str, args: Any, arm_token: str | None = None
                ) -> tuple[dict[str, Any], bytes]:
        """Check, sign and record one command: (history entry, packet to send)."""
        try:
            return self._prepare(name, args, arm_token)
        except UserError:
            self.rejected += 1
            raise

    def _prepare(self, name: str, args: Any, arm_token: str | None
                 ) -> tuple[dict[str, Any], bytes]:
        pdef, values, text = self._check(name, args)
        if self.signer is None:
            raise UserError("no telecommand key: start the console with --keys FILE")
        if pdef.hazardous:
            armed = self._armed.pop(arm_token, None) if isinstance(arm_token, str) else None
            if armed is None or armed[2] < self.clock():
                raise CommandLineError(f"{name} is hazardous: arm it, then confirm within "
                                       f"{ARM_WINDOW_S:g} s")
            if armed[:2] != (name, text):
                raise CommandLineError(f"{name}: the values differ from the ones armed; "
                                       "arm again")
        t = self.t_tai() if self.t_tai is not None else None
        t = t if t is not None else _wall_tai()
        try:
            raw = self.signer.build(pdef.name, t_tai=t, **values)
        except PacketError as exc:
            raise CommandLineError(f"{name}: {exc}") from None
        auth_seq = self.signer.next_auth_seq - 1
        if self.seq_store is not None:  # saved before sending: never reused
            self.seq_store.save(self.signer.key_id, self.signer.next_auth_seq)
        seq = ((raw[2] << 8) | raw[3]) & 0x3FFF
        entry = self.history.record_sent(
            name=name, args=text, apid=pdef.apid, seq=seq, key_id=self.signer.key_id,
            auth_seq=auth_seq, onboard_utc=utc_text(t), hazardous=bool(pdef.hazardous))
        return entry, raw

    def on_record(self, rec: Any) -> None:
        """Telemetry listener: files acknowledgements under their command."""
        if rec.packet.name != "COMMAND_ACK":
            return
        stage = rec.packet.enum_names("stage").get(rec.stage, str(rec.stage))
        self.history.match(rec, stage, utc_text(rec.t_tai))


def _wall_tai() -> float:
    from fsw_tools.ground.console import wall_tai

    return wall_tai()


__all__ = ["ARM_WINDOW_S", "Commander", "command_forms", "describe_field"]
