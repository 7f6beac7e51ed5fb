"""The web console process: the ground link client, the telemetry model, the
commander and the HTTP server (uvicorn) in one asyncio loop.

The link is polled from the loop (non-blocking receives, a short sleep when
idle); a command is sent from a worker thread, one at a time, so a link that
is not up cannot stall the page.
"""

from __future__ import annotations

import asyncio
import ipaddress
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fsw_tools.ground.web.commanding import Commander, command_forms
from fsw_tools.ground.web.history import CommandHistory
from fsw_tools.ground.web.model import TelemetryModel

from fsw.errors import UserError
from fsw.packets import DICTIONARY
from fsw.packets.limits import LEVELS

DEFAULT_WEB_PORT = 8800
#: packets drained from the link per turn of the loop before yielding
BATCH = 500
IDLE_S = 0.01
EVENTS_SHOWN = 300


def is_local(host: str) -> bool:
    """True for a loopback address or ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def telemetry_pages() -> list[dict[str, Any]]:
    """Every telemetry packet of the dictionary with its fields (for the pages)."""
    out = []
    for p in DICTIONARY.sorted():
        if p.is_tc:
            continue
        fields = []
        for f in p.fields:
            lay = p.layouts[f.name]
            kind = "bytes" if lay is None else lay.kind
            numeric = lay is not None and lay.kind in ("scalar", "enum", "array")
            keys = ([f"{p.name}.{f.name}[{i}]" for i in range(lay.count)]
                    if lay is not None and lay.kind == "array" else
                    [f"{p.name}.{f.name}"] if numeric else [])
            item: dict[str, Any] = {"name": f.name, "unit": f.unit, "kind": kind,
                                    "description": f.description, "series": keys}
            if lay is not None and lay.enum is not None:
                item["enum"] = {str(v): k for k, v in lay.enum.items()}
            if f.limits is not None:
                item["limits"] = {"text": f.limits.describe(),
                                  "warning": list(f.limits.warning),
                                  "critical": list(f.limits.critical),
                                  "states": {k: LEVELS[v] for k, v in f.limits.states.items()}}
            fields.append(item)
        out.append({"name": p.name, "apid": p.apid, "description": p.description,
                    "instance": p.instance, "fields": fields})
    return out


@dataclass
class Cursor:
    """What one websocket client has been sent."""

    version: int = 0
    event: int = 0
    history: int = 0


class WebConsole:
    """Link + model + commander (see the module docstring)."""

    def __init__(self, client: Any, commander: Commander, model: TelemetryModel, *,
                 key_id: int | None, link_url: str, recorder: Any | None = None) -> None:
        self.client = client
        self.commander = commander
        self.model = model
        self.key_id = key_id
        self.link_url = link_url
        self.recorder = recorder
        self._send_lock = asyncio.Lock()
        model.listeners.append(commander.on_record)

    # -- the link ----------------------------------------------------------------------------

    def drain(self, limit: int = BATCH) -> int:
        """Take what the link holds (at most ``limit`` packets); returns the count."""
        n = 0
        while n < limit:
            raw = self.client.recv(0.0)
            if raw is None:
                break
            if self.recorder is not None:
                from fsw_tools.ground.console import wall_tai

                self.recorder.write(raw, wall_tai())
            self.model.on_packet(raw)
            n += 1
        return n

    async def pump(self) -> None:
        """Forever: drain the link, sleep a little when it is quiet."""
        while True:
            if self.drain() < BATCH:
                await asyncio.sleep(IDLE_S)
            else:
                await asyncio.sleep(0)

    async def send(self, name: Any, args: Any, arm_token: Any) -> dict[str, Any]:
        """Check and send one command (the link send in a worker thread)."""
        async with self._send_lock:
            entry, raw = self.commander.prepare(name, args, arm_token)
            try:
                await asyncio.to_thread(self.commander.send_raw, raw)
            except UserError as exc:
                self.commander.not_sent(entry, exc)
                raise
            return entry

    # -- views -------------------------------------------------------------------------------

    def dictionary(self) -> dict[str, Any]:
        return {"telemetry": telemetry_pages(), "commands": command_forms(),
                "key_id": self.key_id, "can_command": self.commander.signer is not None,
                "link": self.link_url, "stale_after_s": self.model.link.stale_after_s}

    def state(self) -> dict[str, Any]:
        m = self.model
        return {"version": m.version, "latest": m.latest, "link": m.link_status(),
                "alarms": m.alarm_list(), "alarm_log": list(m.alarm_log),
                "events": list(m.events)[-EVENTS_SHOWN:],
                "history": self.commander.history.all()}

    def cursor(self) -> Cursor:
        return Cursor()

    def update(self, c: Cursor) -> tuple[dict[str, Any], Cursor]:
        """The message for a websocket client since its cursor, and the new cursor."""
        m, h = self.model, self.commander.history
        events = m.events_since(c.event)[-EVENTS_SHOWN:]
        msg = {"type": "update", "latest": m.changed_since(c.version), "link": m.link_status(),
               "alarms": m.alarm_list(), "alarm_log": list(m.alarm_log)[-50:],
               "events": events, "history": h.changed_since(c.history)}
        return msg, Cursor(m.version, m.event_count, h.version)


def serve(args: Any) -> int:
    """``fsw ground --web``: build the console from the command line and serve it."""
    import uvicorn
    from fsw_tools.archive import ArchiveWriter
    from fsw_tools.ground.authseq import AuthSeqStore, operator_key
    from fsw_tools.ground.curve import client_keys
    from fsw_tools.ground.link import GroundClient, GroundEndpoints
    from fsw_tools.ground.web.app import create_app

    from fsw.packets.auth import CommandSigner, KeyRing

    host = args.host
    token = None
    if args.web_token is not None:
        try:
            token = Path(args.web_token).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise UserError(f"--web-token {args.web_token}: {exc.strerror}") from None
        if len(token) < 16:
            raise UserError(f"--web-token {args.web_token}: use a secret of 16 characters "
                            "or more")
    if not is_local(host) and token is None:
        raise UserError(f"refusing to serve the console on {host} without authentication: "
                        "give --web-token FILE (a secret the browser presents), or listen on "
                        "127.0.0.1")
    if (args.tls_cert is None) != (args.tls_key is None):
        raise UserError("--tls-cert and --tls-key go together")
    if not 0 < args.port < 65536:
        raise UserError("--port must be a TCP port number")
    if not args.stale > 0:
        raise UserError("--stale must be a positive number of seconds")
    endpoints = GroundEndpoints.parse(args.link)
    signer = store = key_id = None
    history_path = args.history
    if args.keys:
        ring = KeyRing.load(args.keys)
        store = AuthSeqStore.for_keys(ring)
        assert store is not None  # a ring loaded from a file
        key_id = args.key_id if args.key_id is not None else operator_key(ring, store)
        if key_id not in ring:
            raise UserError(f"--key-id {key_id}: not in {args.keys}")
        successor = store.rotated().get(key_id)
        if successor is not None:
            raise UserError(f"key {key_id} was retired on board (rotated to key {successor}); "
                            f"sign with key {successor}")
        first = args.auth_seq if args.auth_seq is not None else store.next(key_id)
        if not 0 <= first < 1 << 32:
            raise UserError(f"--auth-seq {first}: outside 0..2^32-1")
        signer = CommandSigner(ring, key_id, next_auth_seq=first)
        if history_path is None:
            history_path = args.keys.with_name(args.keys.name + ".history.jsonl")
    history = CommandHistory(history_path)
    curve = client_keys(args.curve, args.curve_name) if args.curve else None
    client = GroundClient(endpoints, curve=curve)
    recorder = ArchiveWriter(args.record) if args.record else None
    model = TelemetryModel(stale_after_s=args.stale)
    commander = Commander(signer, client.send, history, seq_store=store,
                          t_tai=lambda: model.last_t_tai)
    console = WebConsole(client, commander, model, key_id=key_id, link_url=endpoints.tm,
                         recorder=recorder)
    allowed = ["127.0.0.1", "localhost", "::1", "[::1]"] if is_local(host) else ["*"]
    app = create_app(console, token=token, allowed_hosts=allowed)
    scheme = "https" if args.tls_cert else "http"
    shown = f"[{host}]" if ":" in host else host
    print(f"web console on {scheme}://{shown}:{args.port}/ (ground link {endpoints.tm}"
          f"{', CurveZMQ' if curve else ''}; "
          f"{f'signing with key {key_id}' if key_id is not None else 'monitoring only'}; "
          f"history {history_path or 'in memory'})", flush=True)
    if not is_local(host) and scheme == "http":
        print("warning: plain HTTP on a non-local address: the token travels in clear "
              "(give --tls-cert and --tls-key)", file=sys.stderr)
    config = uvicorn.Config(app, host=host, port=args.port, log_level="warning",
                            ws="auto", ssl_certfile=args.tls_cert,
                            ssl_keyfile=args.tls_key, lifespan="on")
    server = uvicorn.Server(config)
    try:
        server.run()
    finally:
        client.close()
        if recorder is not None:
            recorder.close()
    if not server.started:
        raise UserError(f"the web console could not listen on {host}:{args.port} "
                        "(in use, or not an address of this machine)")
    return 0


__all__ = ["DEFAULT_WEB_PORT", "Cursor", "WebConsole", "is_local",
           "serve", "telemetry_pages"]
