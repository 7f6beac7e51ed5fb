"""The executive: determinism, order and rates, health, bad input, real time,
and the same packet stream over inproc, ipc and tcp."""

from __future__ import annotations

import hashlib
import threading
import time

import pytest
from executive_toys import GYRO, WHEEL_CMD, Controller, Flaky, Monitor, Plant
from fsw_tools.runner import NodePlan, run

from fsw.bus import Broker, Bus, apid_of
from fsw.executive import (
    SYNC_APIDS,
    ConfigError,
    Executive,
    ExecutiveConfig,
    ExecutiveError,
    Task,
    events,
)
from fsw.executive.node import NodeSpec, run_node
from fsw.packets import DICTIONARY, decode

TIME, EVENT, HEARTBEAT = DICTIONARY["TIME"], DICTIONARY["EVENT"], DICTIONARY["HEARTBEAT"]
ADCS_HK = DICTIONARY["ADCS_HK"]


def run_recorded(tasks, *, seed: int = 1, ticks: int = 100, world=None, **cfg):
    """Run in one process and record every packet through an independent tap."""
    bus = Bus.local(hwm=100_000)
    tap = Bus.tap(bus.endpoint, hwm=100_000)
    tap.subscribe_all()
    try:
        ex = Executive(bus, ExecutiveConfig(seed=seed, **cfg))
        ex.add_world(world or Plant())
        for t in tasks:
            ex.add(t)
        result = ex.run(ticks=ticks)
        stream: list[bytes] = []
        tap.drain(stream.append)
        return result, stream
    finally:
        tap.close()
        bus.close()


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    """Acceptance 1."""
    r1, s1 = run_recorded([Controller(), Monitor()], seed=7)
    r2, s2 = run_recorded([Controller(), Monitor()], seed=7)
    r3, _ = run_recorded([Controller(), Monitor()], seed=8)
    assert r1.stream_hash == r2.stream_hash
    assert s1 == s2
    assert r3.stream_hash != r1.stream_hash
    # the hash is the blake2b of the stream as an outside observer recorded it
    assert r1.stream_hash == hashlib.blake2b(b"".join(s1), digest_size=32).hexdigest()
    assert r1.packets == len(s1)


def test_order_within_a_tick_and_rate_groups() -> None:
    result, stream = run_recorded([Controller(), Monitor()], ticks=30)
    recs = [decode(p) for p in stream]
    names = [r.packet.name for r in recs]
    # tick 0: TIME, world, ctrl (+ heartbeat), monitor (+ heartbeat); ticks 1..9 world, ctrl
    assert names[:7] == ["TIME", "GYRO", "WHEEL_CMD", "HEARTBEAT", "ADCS_HK", "HEARTBEAT",
                         "GYRO"]
    assert names.count("GYRO") == 30 and names.count("WHEEL_CMD") == 30
    assert names.count("ADCS_HK") == 3 and names.count("TIME") == 3
    assert result.tasks["ctrl"].steps == 30 and result.tasks["monitor"].steps == 3
    # each command is computed from the world's packet of the same tick
    gyros = [r for r in recs if r.packet is GYRO]
    cmds = [r for r in recs if r.packet is WHEEL_CMD]
    for g, c in zip(gyros, cmds, strict=True):
        assert c.t_tai == g.t_tai
        assert c.torque[0] == pytest.approx(-2.0 * g.rate_B[0] - 1.5 * g.rate_B[1], abs=0)
    # sequence counts per APID run 0, 1, 2, ...
    assert [g.seq for g in gyros] == list(range(30))
    # the monitor saw every GYRO and WHEEL_CMD published before its turn
    hk = [r for r in recs if r.packet is ADCS_HK]
    assert [h.cycles for h in hk] == [2, 22, 42]


def test_rates_are_configurable() -> None:
    cfg = dict(rates={"attitude": 20.0, "default": 4.0}, time_period_s=0.5)
    result, stream = run_recorded([Controller(), Monitor()], ticks=40, **cfg)
    assert result.sim_s == pytest.approx(2.0)
    assert result.tasks["monitor"].steps == 8
    times = [decode(p).t_tai for p in stream if decode(p).packet is TIME]
    assert len(times) == 4 and times[1] - times[0] == pytest.approx(0.5)
    with pytest.raises(ConfigError):
        ExecutiveConfig(rates={"attitude": 10.0, "default": 3.0})
    with pytest.raises(ConfigError):
        ExecutiveConfig(rates={"attitude": 10.0})
    with pytest.raises(ConfigError):
        Executive(Bus.local(), ExecutiveConfig()).add(Controller(), rate_group="nope")
    with pytest.raises(ConfigError):
        ExecutiveConfig.from_mapping({"ratez": {}})


def test_failing_task_is_restarted_with_backoff_then_failed() -> None:
    """Acceptance 3: a task raising on every 10th step; the others keep
    their rates; the events are on the bus."""
    flaky = Flaky(fail_every=10)
    result, stream = run_recorded([Controller(), flaky, Monitor()], ticks=1000,
                                  max_restarts=3, backoff_s=1.0, backoff_factor=2.0)
    assert result.tasks["ctrl"].steps == 1000
    assert result.tasks["monitor"].steps == 100
    assert result.tasks["ctrl"].faults == 0
    st = result.tasks["flaky"]
    assert st.state == "failed" and st.faults == 4 and st.restarts == 3
    assert flaky.inits == 4
    evs = [r for r in map(decode, stream) if r.packet is EVENT and r.source == "flaky"]
    kinds = [e.event_id for e in evs]
    assert kinds == [events.TASK_EXCEPTION, events.TASK_RESTARTED] * 3 + [
        events.TASK_EXCEPTION, events.TASK_FAILED]
    assert "deliberate failure at step 10" in evs[0].text
    assert evs[0].severity == 3 and evs[-1].severity == 4
    # back-off: 1 s, 2 s, 4 s between the exception and the restart
    waits = [evs[i + 1].t_tai - evs[i].t_tai for i in (0, 2, 4)]
    assert waits == pytest.approx([1.0, 2.0, 4.0])
    # heartbeats tell the state: nominal, faulted during back-off, stopped at the end
    hb = [r for r in map(decode, stream) if r.packet is HEARTBEAT and r.task == "flaky"]
    states = [h.state for h in hb]
    assert states[0] == 1 and 5 in states and states[-1] == 4


def test_stable_running_forgives_faults() -> None:
    flaky = Flaky(fail_every=10)
    result, _ = run_recorded([flaky], ticks=2000, max_restarts=1, backoff_s=0.5,
                             stable_s=0.5)
    st = result.tasks["flaky"]
    # one fault in a row at a time: never declared failed, always restarted
    assert st.state != "failed" and st.faults > 10
    assert st.restarts in (st.faults, st.faults - 1)


class Picky(Task):
    name = "picky"

    def init(self, ctx) -> None:
        self.ctx = ctx
        self.got = 0
        ctx.subscribe(GYRO, self.on_gyro, parse=True)

    def on_gyro(self, rec) -> None:
        self.got += 1


class Corrupter(Task):
    """Publishes a GYRO with a broken CRC at every step."""

    name = "corrupter"

    def init(self, ctx) -> None:
        self.ctx = ctx

    def step(self, t: float) -> None:
        raw = bytearray(GYRO.build(t_tai=t, seq=0, rate_B=(0, 0, 0), valid=1))
        raw[-1] ^= 0xFF
        self.ctx.publish(bytes(raw))


def test_bad_packets_are_counted_and_reported_not_fatal() -> None:
    picky = Picky()
    result, stream = run_recorded([Corrupter(), picky], ticks=20)
    st = result.tasks["picky"]
    assert st.bad_packets == 2 and st.faults == 0 and st.state == "nominal"
    assert picky.got == 20
    evs = [decode(p) for p in stream if apid_of(p) == EVENT.apid]
    assert [e.event_id for e in evs] == [events.BAD_PACKET] * 2
    assert "CRC" in evs[0].text


class Broken:
    name = "broken-world"

    def init(self, ctx) -> None:
        pass

    def step(self, t: float) -> None:
        raise ValueError("truth diverged")


def test_world_exception_ends_the_run() -> None:
    with pytest.raises(ExecutiveError, match="truth diverged"):
        run_recorded([Controller()], world=Broken(), ticks=5)


class BadInit(Task):
    name = "badinit"

    def init(self, ctx) -> None:
        raise OSError("no such device")


def test_init_failure_is_a_fault_like_any() -> None:
    result, stream = run_recorded([BadInit(), Controller()], ticks=50, max_restarts=2,
                                  backoff_s=0.1)
    assert result.tasks["badinit"].state == "failed"
    assert result.tasks["ctrl"].steps == 50
    texts = [r.text for r in map(decode, stream) if r.packet is EVENT]
    assert any("init: OSError: no such device" in t for t in texts)


def test_participants_are_checked() -> None:
    ex = Executive(Bus.local())
    with pytest.raises(TypeError):
        ex.add(object())
    ex.add(Controller())
    with pytest.raises(ValueError, match="two participants"):
        ex.add(Controller())


class Slow(Task):
    name = "slow"
    rate_group = "attitude"

    def step(self, t: float) -> None:
        if self.ctx.tick == 3:
            time.sleep(0.3)


def test_realtime_paces_and_counts_overruns() -> None:
    t0 = time.perf_counter()
    result, stream = run_recorded([Slow()], ticks=10, mode="realtime", speed=2.0)
    wall = time.perf_counter() - t0
    assert wall >= 10 * 0.1 / 2.0 * 0.9  # paced: never faster than the clock
    assert result.overruns >= 1
    evs = [r for r in map(decode, stream) if r.packet is EVENT]
    assert any(e.event_id == events.DEADLINE_OVERRUN for e in evs)
    assert [decode(p).clock for p in stream if decode(p).packet is TIME] == [1]


class Observer(Task):
    """Added last: subscribes to every declared APID (sync ones aside) and
    keeps what it receives with the tick's time: an independent recorder."""

    name = "observer"
    rate_group = "attitude"

    def __init__(self) -> None:
        self.seen: list[tuple[bytes, float]] = []

    def init(self, ctx) -> None:
        self.ctx = ctx
        for pdef in DICTIONARY.values():
            if pdef.apid not in SYNC_APIDS:
                ctx.subscribe(pdef.apid, self.on_packet)

    def on_packet(self, raw: bytes) -> None:
        self.seen.append((raw, self.ctx.t))


def test_the_stream_is_what_the_turns_receive_and_taps_see_it() -> None:
    """The hash covers every packet routed to a turn: an observer added last
    and subscribed to everything receives exactly it, and a tap gets the same
    packets with the same times. What is published after the last turn (the
    observer's own heartbeat of the final tick) reaches nobody: counted, not
    in the stream."""
    obs = Observer()
    tapped: list[tuple[bytes, float]] = []
    bus = Bus.local(hwm=100_000)
    tap = Bus.tap(bus.endpoint, hwm=100_000)
    tap.subscribe_all()
    try:
        ex = Executive(bus, ExecutiveConfig(seed=3, heartbeat_period_s=0.0))
        ex.add_world(Plant())
        ex.add(Controller())
        ex.add(obs)
        ex.tap(lambda p, t: tapped.append((p, t)))
        r = ex.run(ticks=25)
        published: list[bytes] = []
        tap.drain(published.append)
    finally:
        tap.close()
        bus.close()
    assert tapped == obs.seen and r.packets == len(tapped) > 75
    stream = [p for p, _ in tapped]
    assert r.stream_hash == hashlib.blake2b(b"".join(stream), digest_size=32).hexdigest()
    # the outside tap saw everything published: the stream, then the last turn's heartbeat
    assert published[:-1] == stream and ex.router.trailing == 1
    last = decode(published[-1])
    assert last.packet is HEARTBEAT and last.task == "observer"


def test_a_stream_spans_legs() -> None:
    """Two executives sharing a stream (the mission's two legs): one hash of
    both legs' packets, in order; each leg counts its own."""
    legs, seen = [], []
    stream = None
    for seed in (1, 2):
        bus = Bus.local()
        ex = Executive(bus, ExecutiveConfig(seed=seed), stream=stream)
        stream = ex.stream
        ex.add_world(Plant())
        ex.add(Controller())
        if seed == 1:  # a tap is the stream's: it goes on into the next leg
            ex.tap(lambda p, t: seen.append(p))
        legs.append(ex.run(ticks=20))
        bus.close()
    assert stream is not None and stream.packets == sum(r.packets for r in legs) == len(seen)
    whole = hashlib.blake2b(b"".join(seen), digest_size=32).hexdigest()
    assert legs[1].stream_hash == stream.hexdigest() == whole != legs[0].stream_hash


def test_a_follower_has_no_stream_to_tap() -> None:
    with Broker("inproc") as broker:
        bus = Bus.connect(broker.endpoints)
        try:
            ex = Executive(bus, role="follower", node=1, nodes=2)
            with pytest.raises(ValueError, match="clock owner"):
                ex.tap(lambda p, t: None)
        finally:
            bus.close()


def _threads_over_inproc_broker(cfg: ExecutiveConfig, ticks: int) -> str:
    """World, controller and monitor as three nodes (threads) over an inproc broker."""
    with Broker("inproc") as broker:
        ep = broker.endpoints
        assert ep is not None
        errors: list[BaseException] = []

        def follower(factory: str, node: int) -> None:
            try:
                run_node(NodeSpec(factory, {}, cfg, "follower", node, 3), ep)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=follower, args=(f, i))
                   for i, f in ((1, "executive_toys:controller_only"),
                                (2, "executive_toys:monitor_only"))]
        for th in threads:
            th.start()
        try:
            r = run_node(NodeSpec("executive_toys:world", {}, cfg, "owner", 0, 3, ticks), ep)
        finally:
            for th in threads:
                th.join(30)
        assert not errors
        assert r.stream_hash is not None
        return r.stream_hash


def test_three_nodes_over_a_broker_match_one_process() -> None:
    cfg = ExecutiveConfig(seed=5, sync_timeout_s=20)
    local = run([NodePlan("executive_toys:everything")], transport="inproc", config=cfg,
                ticks=60)
    assert _threads_over_inproc_broker(cfg, 60) == local.stream_hash


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_separate_processes_give_the_same_stream(transport: str) -> None:
    """Acceptance 2: sim and flight software in separate processes over tcp
    (and ipc) through the broker: the same packet-stream hash as in-process."""
    cfg = ExecutiveConfig(seed=11, sync_timeout_s=30)
    plans = [NodePlan("executive_toys:world"), NodePlan("executive_toys:tasks")]
    one = run(plans, transport="inproc", config=cfg, duration_s=15)
    split = run(plans, transport=transport, config=cfg, duration_s=15, timeout_s=60)
    assert split.stream_hash == one.stream_hash
    assert split.packets == one.packets > 300
    assert split.tasks["ctrl"].steps == 150 and split.tasks["monitor"].steps == 15
    other = run(plans, transport="inproc", config=cfg.with_(seed=12), duration_s=15)
    assert other.stream_hash != one.stream_hash


def test_followers_receive_only_what_their_tasks_subscribe() -> None:
    """Behind a broker a follower subscribes to its tasks' APIDs (plus the
    shared EVENT/HEARTBEAT): the owner's ADCS_HK and TIME never reach it;
    and the stream is still the one-process stream."""
    cfg = ExecutiveConfig(seed=9, sync_timeout_s=20)
    ticks = 40
    bus = Bus.local()
    ex = Executive(bus, cfg)
    ex.add_world(Plant())
    ex.add(Monitor())
    ex.add(Controller())
    one = ex.run(ticks=ticks)
    bus.close()
    with Broker("inproc") as broker:
        ep = broker.endpoints
        assert ep is not None
        fbus = Bus.connect(ep, name="fsw")
        out: dict[str, object] = {}

        def follower() -> None:
            try:
                fx = Executive(fbus, cfg, role="follower", node=1, nodes=2)
                fx.add(Controller())
                out["r"] = fx.run()
            except BaseException as exc:
                out["r"] = exc

        th = threading.Thread(target=follower)
        th.start()
        obus = Bus.connect(ep, name="sim")
        try:
            ox = Executive(obus, cfg, role="owner", node=0, nodes=2)
            ox.add_world(Plant())
            ox.add(Monitor())
            split = ox.run(ticks=ticks)
        finally:
            th.join(30)
            obus.close()
        fbus.close()
    assert not isinstance(out.get("r"), BaseException), out
    assert split.stream_hash == one.stream_hash
    c = fbus.counters
    assert c.get(GYRO.apid).received == ticks
    assert c.get(ADCS_HK.apid).received == 0
    assert c.get(TIME.apid).received == 0
    assert c.get(HEARTBEAT.apid).received > 0


def test_single_node_behind_a_broker_matches_local() -> None:
    cfg = ExecutiveConfig(seed=4, sync_timeout_s=20)
    local = run([NodePlan("executive_toys:everything")], transport="inproc", config=cfg,
                ticks=30)
    with Broker("tcp") as broker:
        assert broker.endpoints is not None
        bus = Bus.connect(broker.endpoints)
        try:
            ex = Executive(bus, cfg)
            ex.add_world(Plant())
            ex.add(Controller())
            ex.add(Monitor())
            r = ex.run(ticks=30)
        finally:
            bus.close()
    assert r.stream_hash == local.stream_hash


def test_runner_setup_taps_the_same_stream_over_tcp() -> None:
    """A tap on the clock owner (``setup``) records the same stream with the
    same times in one process and over tcp, the followers' packets
    included."""
    cfg = ExecutiveConfig(seed=21, sync_timeout_s=30)
    plans = [NodePlan("executive_toys:world"), NodePlan("executive_toys:tasks")]
    streams: dict[str, list[tuple[bytes, float]]] = {"inproc": [], "tcp": []}
    seen: list[Executive] = []

    def tapping(transport: str):
        def setup(ex: Executive) -> None:
            seen.append(ex)
            ex.tap(lambda p, t: streams[transport].append((p, t)))
        return setup

    one = run(plans, transport="inproc", config=cfg, ticks=50, setup=tapping("inproc"))
    two = run(plans, transport="tcp", config=cfg, ticks=50, setup=tapping("tcp"),
              timeout_s=60)
    assert [e.role for e in seen] == ["solo", "owner"]
    assert streams["tcp"] == streams["inproc"]
    assert {decode(p).packet.name for p, _ in streams["tcp"]} >= {"WHEEL_CMD", "ADCS_HK"}
    digest = hashlib.blake2b(b"".join(p for p, _ in streams["tcp"]), digest_size=32)
    assert one.stream_hash == two.stream_hash == digest.hexdigest()


def test_realtime_split_run_follows_the_owners_clock() -> None:
    cfg = ExecutiveConfig(seed=2, mode="realtime", speed=5.0, sync_timeout_s=30)
    plans = [NodePlan("executive_toys:world"), NodePlan("executive_toys:tasks")]
    t0 = time.perf_counter()
    r = run(plans, transport="ipc", config=cfg, ticks=20, timeout_s=60)
    assert time.perf_counter() - t0 >= 20 * 0.1 / 5.0 * 0.9
    assert r.ticks == 20 and r.tasks["ctrl"].steps == 20 and r.tasks["monitor"].steps == 2
