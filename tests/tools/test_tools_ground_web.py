"""The web console without a browser: its telemetry model (latest values,
enum names, limits, alarms, events, stale link), the command history on disk,
the commander's checks (hazardous commands armed then confirmed, signed with
the operator's key), and the HTTP/websocket application with its
protections (host, origin, per-process key, token for a non-local bind)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fsw_tools.cli import main
from fsw_tools.ground.authseq import AuthSeqStore, operator_key
from fsw_tools.ground.web.app import COOKIE, create_app
from fsw_tools.ground.web.commanding import ARM_WINDOW_S, Commander, command_forms
from fsw_tools.ground.web.history import CommandHistory
from fsw_tools.ground.web.model import TelemetryModel, utc_text
from fsw_tools.ground.web.server import WebConsole, is_local, telemetry_pages
from starlette.websockets import WebSocketDisconnect

from fsw.errors import UserError
from fsw.packets import DICTIONARY
from fsw.packets.auth import CommandSigner, CommandVerifier, KeyRing

starlette_testclient = pytest.importorskip("starlette.testclient",
                                           reason="httpx (Starlette's test client) is in the "
                                                  "test extra")
T0 = 2.1e9
KEYS = KeyRing({1: bytes(32), 2: bytes(range(32))})


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def _adcs_state(k: int, **over: Any) -> bytes:
    v = dict(mode=4, valid=1, q_BN=(1.0, 0.0, 0.0, 0.0), rate_B=(0.0, 0.0, 0.0),
             att_error=0.001, h_wheels=0.01, h_B=(0.01, 0.0, 0.0),
             wheels_ok=15, flags=0, st_age=0.4, att_sigma=1e-4,
             att_sigma_B=(1e-4,) * 3, heads_used=6, heads_valid=6, st_rejected=0)
    v.update(over)
    return DICTIONARY["ADCS_STATE"].build(t_tai=T0 + k, seq=k, **v)


def _ack(cmd_seq: int, auth_seq: int, stage: int, k: int = 0, apid: int = 0x080) -> bytes:
    return DICTIONARY["COMMAND_ACK"].build(t_tai=T0 + k, seq=k, command_apid=apid,
                                           command_seq=cmd_seq, command_auth_seq=auth_seq,
                                           stage=stage, reason=0)


def test_model_latest_values_limits_alarms_and_events() -> None:
    clock = Clock()
    m = TelemetryModel(stale_after_s=5.0, clock=clock)
    assert m.link_status()["state"] == "no telemetry"
    m.on_packet(_adcs_state(0))
    st = m.latest["ADCS_STATE"]
    assert st["fields"]["mode"] == {"value": 4, "text": "target_track"}
    assert st["fields"]["st_age"]["level"] == "nominal"
    assert st["utc"] == utc_text(T0) and st["seq"] == 0
    assert m.alarms == {}
    m.on_packet(_adcs_state(1, st_age=75.0, rate_B=(0.0, 0.1, 0.0)))
    alarms = {a["param"]: a for a in m.alarm_list()}
    assert alarms["ADCS_STATE.st_age"]["level"] == "warning"
    assert alarms["ADCS_STATE.rate_B"]["level"] == "critical"  # 0.1 rad/s > 5 deg/s
    assert m.latest["ADCS_STATE"]["fields"]["rate_B"]["level"] == "critical"
    m.on_packet(_adcs_state(2, st_age=700.0))
    a = {a["param"]: a for a in m.alarm_list()}["ADCS_STATE.st_age"]
    assert a["level"] == "critical" and a["since_utc"] == utc_text(T0 + 1)
    m.on_packet(_adcs_state(3))
    assert m.alarm_list() == []
    assert [(x["param"], x["level"]) for x in m.alarm_log] == [
        ("ADCS_STATE.rate_B", "critical"), ("ADCS_STATE.st_age", "warning"),
        ("ADCS_STATE.rate_B", "nominal"), ("ADCS_STATE.st_age", "critical"),
        ("ADCS_STATE.st_age", "nominal")]
    assert [t for t, _ in m.series_of("ADCS_STATE.st_age")] == [T0, T0 + 1, T0 + 2, T0 + 3]
    assert m.series_of("ADCS_STATE.rate_B[1]")[1] == (T0 + 1, 0.1)
    m.on_packet(DICTIONARY["EVENT"].build(t_tai=T0 + 4, seq=0, severity=3, event_id=7,
                                          source="adcs", text="wheel 2 stuck"))
    (ev,) = m.events_since(0)
    assert (ev["severity_name"], ev["source"], ev["text"]) == ("error", "adcs", "wheel 2 stuck")
    assert m.link_status()["state"] == "live"
    clock.t += 6.0
    link = m.link_status()
    assert link["state"] == "stale" and link["age_s"] == pytest.approx(6.0)
    m.on_packet(b"\x00\x01garbage")
    assert m.link_status()["dropped"] == 1
    # a packet shared by several sources: each its own latest values and alarms
    hb = DICTIONARY["HEARTBEAT"]
    m.on_packet(hb.build(t_tai=T0 + 5, seq=0, task="adcs", counter=3, state=5))
    m.on_packet(hb.build(t_tai=T0 + 5, seq=1, task="comms", counter=4, state=1))
    assert m.latest["HEARTBEAT[adcs]"]["fields"]["state"] == {
        "value": 5, "text": "faulted", "level": "critical"}
    assert m.latest["HEARTBEAT[comms]"]["fields"]["counter"] == {"value": 4}
    assert [a["param"] for a in m.alarm_list()] == ["HEARTBEAT[adcs].state"]
    assert m.series_of("HEARTBEAT[comms].counter") == [(T0 + 5, 4.0)]


def test_model_counts_sequence_gaps() -> None:
    m = TelemetryModel()
    for k in (0, 1, 4, 5):
        m.on_packet(_adcs_state(k))
    link = m.link_status()
    assert (link["gaps"], link["missed"]) == (1, 2)


def test_history_is_kept_on_disk_and_reloaded(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    h = CommandHistory(path)
    e = h.record_sent(name="NOOP", args={}, apid=0x080, seq=3, key_id=2, auth_seq=41,
                      onboard_utc=utc_text(T0), hazardous=False)
    other = h.record_sent(name="ABORT", args={"reason": "4"}, apid=0x084, seq=0, key_id=2,
                          auth_seq=42, onboard_utc=utc_text(T0), hazardous=True)
    ack = DICTIONARY["COMMAND_ACK"].parse(_ack(3, 99, 0))
    assert h.match(ack, "accepted", "x") is None  # another station's command (auth seq 99)
    ack = DICTIONARY["COMMAND_ACK"].parse(_ack(3, 41, 0))
    assert h.match(ack, "accepted", utc_text(T0 + 1))["status"] == "accepted"
    ack = DICTIONARY["COMMAND_ACK"].parse(_ack(3, 41, 1))
    assert h.match(ack, "executed", utc_text(T0 + 2))["status"] == "executed"
    h.mark(other["id"], "not sent", "link down")
    with open(path, "a") as f:
        f.write('{"type": "ack", "id": 1, "sta')  # a torn last line (crash)
    again = CommandHistory(path)
    assert again.skipped == 1
    got = again.all()
    assert [(x["id"], x["name"], x["status"]) for x in got] == [
        (e["id"], "NOOP", "executed"), (other["id"], "ABORT", "not sent")]
    assert [a["stage"] for a in got[0]["acks"]] == ["accepted", "executed"]
    assert got[1]["args"] == {"reason": "4"} and got[1]["hazardous"] is True
    assert again.next_id() == 3


def _commander(tmp_path: Path, clock: Clock | None = None) -> tuple[Commander, list[bytes]]:
    sent: list[bytes] = []
    signer = CommandSigner(KEYS, 2)
    return Commander(signer, sent.append, CommandHistory(tmp_path / "h.jsonl"),
                     clock=clock or Clock(), t_tai=lambda: T0), sent


def test_commander_signs_with_the_operator_key_and_checks_values(tmp_path: Path) -> None:
    cmd, sent = _commander(tmp_path)
    e = cmd.send("SET_HOLD_POINT", {"along_track": "-350.5"})
    verifier = CommandVerifier(KEYS)
    rec = verifier.verify(sent[0])
    assert (rec.packet.name, rec.key_id, rec.auth_seq, rec.along_track) == (
        "SET_HOLD_POINT", 2, 1, -350.5)
    assert (e["key_id"], e["auth_seq"], e["status"]) == (2, 1, "sent")
    for name, args, msg in [
        ("NOPE", {}, "unknown command"),
        ("SET_HOLD_POINT", {}, "missing along_track"),
        ("SET_HOLD_POINT", {"along_track": "far"}, "not a number"),
        ("SET_HOLD_POINT", {"along_track": "1", "x": "2"}, "no field"),
        ("ABORT", {"reason": "70000"}, "outside"),
        ("SET_HOLD_POINT", {"along_track": 5}, "field -> text"),
    ]:
        with pytest.raises(UserError, match=msg):
            cmd.send(name, args)
    assert len(sent) == 1 and cmd.rejected == 6


def test_hazardous_commands_need_arm_then_confirm(tmp_path: Path) -> None:
    clock = Clock()
    cmd, sent = _commander(tmp_path, clock)
    args = {"arm": "1", "window": "30"}
    with pytest.raises(UserError, match="hazardous"):
        cmd.send("ARM_THRUSTERS", args)
    with pytest.raises(UserError, match="not hazardous"):
        cmd.arm("NOOP", {})
    token = cmd.arm("ARM_THRUSTERS", args)["token"]
    with pytest.raises(UserError, match="differ"):
        cmd.send("ARM_THRUSTERS", {"arm": "1", "window": "60"}, token)
    token = cmd.arm("ARM_THRUSTERS", args)["token"]
    cmd.send("ARM_THRUSTERS", args, token)
    with pytest.raises(UserError, match="hazardous"):  # a token serves once
        cmd.send("ARM_THRUSTERS", args, token)
    token = cmd.arm("FIRE", {"dv_N": "0.1,0,0"})["token"]
    clock.t += ARM_WINDOW_S + 0.1
    with pytest.raises(UserError, match="within"):
        cmd.send("FIRE", {"dv_N": "0.1,0,0"}, token)
    assert [DICTIONARY.decode(r).packet.name for r in sent] == ["ARM_THRUSTERS"]


def test_operator_key_is_never_the_station_key_by_default(tmp_path) -> None:
    store = AuthSeqStore(tmp_path / "k.authseq")
    assert operator_key(KeyRing({1: bytes(32), 3: bytes(32), 2: bytes(32)}), store) == 2
    with pytest.raises(UserError, match="no operator key"):  # only the station's key
        operator_key(KeyRing({1: bytes(32)}), store)


def test_pages_are_generated_from_the_dictionary() -> None:
    pages = {p["name"]: p for p in telemetry_pages()}
    assert set(pages) == {p.name for p in DICTIONARY.values() if not p.is_tc}
    st_age = next(f for f in pages["ADCS_STATE"]["fields"] if f["name"] == "st_age")
    assert st_age["unit"] == "s" and st_age["limits"]["warning"] == [None, 60.0]
    mode = next(f for f in pages["MODE_STATUS"]["fields"] if f["name"] == "mode")
    assert mode["enum"]["2"] == "commissioning" and mode["limits"]["states"] == {
        "safe": "critical"}
    rate = next(f for f in pages["GYRO"]["fields"] if f["name"] == "rate_B")
    assert rate["series"] == ["GYRO.rate_B[0]", "GYRO.rate_B[1]", "GYRO.rate_B[2]"]
    forms = {c["name"]: c for c in command_forms()}
    assert set(forms) == {p.name for p in DICTIONARY.values() if p.is_tc}
    assert forms["FIRE"]["hazardous"] and not forms["NOOP"]["hazardous"]
    mode_arg = forms["SET_MODE"]["fields"][0]
    assert mode_arg["kind"] == "enum" and "safe" in mode_arg["options"]
    assert forms["FIRE"]["fields"][0] == {"name": "dv_N", "unit": "m/s",
                                          "description": DICTIONARY["FIRE"].fields[0].description,
                                          "kind": "array", "count": 3,
                                          "element": {"kind": "float"}}
    assert forms["ABORT"]["fields"][0]["min"] == 0 and forms["ABORT"]["fields"][0]["max"] == 65535


class FakeClient:
    def __init__(self, packets: list[bytes]) -> None:
        self.packets = list(packets)
        self.sent: list[bytes] = []

    def recv(self, timeout_s: float = 0.0) -> bytes | None:
        return self.packets.pop(0) if self.packets else None

    def send(self, packet: bytes, timeout_s: float = 2.0) -> None:
        self.sent.append(packet)
        self.packets.append(_ack(((packet[2] << 8) | packet[3]) & 0x3FFF,
                                 int.from_bytes(packet[14:18], "big"), 0, k=len(self.sent),
                                 apid=((packet[0] << 8) | packet[1]) & 0x7FF))


def _app(tmp_path: Path, token: str | None = None, packets: list[bytes] | None = None):
    client = FakeClient(packets or [_adcs_state(0), _adcs_state(1, st_age=75.0)])
    model = TelemetryModel()
    commander = Commander(CommandSigner(KEYS, 2), client.send,
                          CommandHistory(tmp_path / "h.jsonl"), t_tai=lambda: model.last_t_tai)
    console = WebConsole(client, commander, model, key_id=2, link_url="tcp://x:1")
    allowed = ["127.0.0.1", "localhost", "testserver"]
    return create_app(console, token=token, allowed_hosts=allowed), console, client


def _key(html: str) -> str:
    return html.split('name="console-key" content="')[1].split('"')[0]


def test_app_serves_state_and_commands_with_protections(tmp_path: Path) -> None:
    app, console, client = _app(tmp_path)
    with starlette_testclient.TestClient(app) as http:
        page = http.get("/")
        assert page.status_code == 200 and "console.js" in page.text
        key = _key(page.text)
        assert http.get("/static/console.js").status_code == 200
        d = http.get("/api/dictionary").json()
        assert d["key_id"] == 2 and d["can_command"] and len(d["commands"]) >= 9
        console.drain()
        state = http.get("/api/state").json()
        assert state["latest"]["ADCS_STATE"]["fields"]["st_age"]["level"] == "warning"
        assert state["alarms"][0]["param"] == "ADCS_STATE.st_age"
        series = http.get("/api/series", params={"key": "ADCS_STATE.st_age"}).json()
        assert [v for _, v in series["samples"]] == [pytest.approx(0.4), 75.0]
        # DNS rebinding: a foreign Host is refused
        assert http.get("/api/state", headers={"host": "evil.example"}).status_code == 400
        body = {"name": "NOOP", "args": {}}
        assert http.post("/api/command", json=body).status_code == 403  # no key
        assert http.post("/api/command", json=body, headers={
            "x-console-key": key, "origin": "http://evil.example"}).status_code == 403
        r = http.post("/api/command", json=body, headers={"x-console-key": key})
        assert r.status_code == 200 and r.json()["name"] == "NOOP"
        assert len(client.sent) == 1 and CommandVerifier(KEYS).verify(client.sent[0]).key_id == 2
        bad = http.post("/api/command", json={"name": "FIRE", "args": {"dv_N": "1,0,0"}},
                        headers={"x-console-key": key})
        assert bad.status_code == 400 and "hazardous" in bad.json()["error"]
        arm = http.post("/api/arm", json={"name": "FIRE", "args": {"dv_N": "1,0,0"}},
                        headers={"x-console-key": key}).json()
        r = http.post("/api/command", json={"name": "FIRE", "args": {"dv_N": "1,0,0"},
                                             "arm_token": arm["token"]},
                      headers={"x-console-key": key})
        assert r.status_code == 200 and len(client.sent) == 2
        console.drain()  # the fake link acknowledges
        with http.websocket_connect("/ws") as ws:
            msg = json.loads(ws.receive_text())
        assert msg["type"] == "update" and "ADCS_STATE" in msg["latest"]
        assert [(h["name"], h["status"]) for h in msg["history"]] == [
            ("NOOP", "accepted"), ("FIRE", "accepted")]
        with pytest.raises(WebSocketDisconnect) as closed, http.websocket_connect(
                "/ws", headers={"origin": "http://evil.example"}) as ws:
            ws.receive_text()
        assert closed.value.code == 4403


def test_app_with_a_token_refuses_requests_without_it(tmp_path: Path) -> None:
    token = "s3cret-token-0123456789"
    app, _, _ = _app(tmp_path, token=token)
    with starlette_testclient.TestClient(app) as http:
        assert http.get("/api/state").status_code == 401
        assert http.get("/?token=wrong").status_code == 401
        r = http.get(f"/?token={token}", follow_redirects=False)
        assert r.status_code == 303 and COOKIE in r.headers["set-cookie"]
        assert "samesite=strict" in r.headers["set-cookie"].lower()
        assert http.get("/api/state").status_code == 200  # the cookie now
    with starlette_testclient.TestClient(app) as http:
        assert http.get("/api/state", headers={"authorization": f"Bearer {token}"}
                        ).status_code == 200


def test_a_non_local_bind_without_authentication_is_refused(tmp_path: Path, capsys) -> None:
    assert is_local("127.0.0.1") and is_local("::1") and is_local("localhost")
    assert not is_local("0.0.0.0") and not is_local("192.0.2.1")
    assert main(["ground", "--web", "--host", "0.0.0.0", "--port", "18999"]) == 2
    err = capsys.readouterr().err
    assert "refusing" in err and "--web-token" in err
    weak = tmp_path / "t"
    weak.write_text("short")
    assert main(["ground", "--web", "--host", "0.0.0.0", "--web-token", str(weak)]) == 2
    assert "16 characters" in capsys.readouterr().err
