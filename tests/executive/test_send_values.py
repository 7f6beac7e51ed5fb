"""TaskContext.send_values (a positional builder: build_ordered, or
PacketDef.builder_in in another order) stamps, numbers and publishes as
TaskContext.send does: two runs, one sending each way, give the same stream,
octet for octet."""

from __future__ import annotations

from executive_toys import GYRO, Controller, Plant

from fsw.bus import Bus
from fsw.executive import Executive, ExecutiveConfig
from fsw.packets import peek_apid


class ValuesPlant(Plant):
    """The toy plant, its GYRO sent with ``send_values`` (fields given in
    another order than declared, so the builder is the keyword one)."""

    build = staticmethod(GYRO.builder_in(("valid", "rate_B")))

    def step(self, t: float) -> None:
        dt = self.ctx.dt
        noise = float(self.ctx.rng.normal(0.0, 0.01))
        self.v += (self.u + noise) * dt
        self.x += self.v * dt
        self.ctx.send_values(GYRO.apid, self.build, 1, (self.x, self.v, noise))


class OrderedPlant(ValuesPlant):
    """The same with the declared order (``build_ordered`` itself)."""

    build = staticmethod(GYRO.builder_in(("rate_B", "valid")))

    def step(self, t: float) -> None:
        dt = self.ctx.dt
        noise = float(self.ctx.rng.normal(0.0, 0.01))
        self.v += (self.u + noise) * dt
        self.x += self.v * dt
        self.ctx.send_values(GYRO.apid, self.build, (self.x, self.v, noise), 1)


def _stream(plant: Plant) -> list[tuple[bytes, float]]:
    ex = Executive(Bus.local(), ExecutiveConfig(seed=3, rates={"attitude": 10.0, "default": 1.0}))
    ex.add_world(plant)
    ex.add(Controller())
    got: list[tuple[bytes, float]] = []
    ex.tap(lambda p, t: got.append((bytes(p), t)))
    ex.run(ticks=60)
    return got


def test_send_values_is_send() -> None:
    assert OrderedPlant.build is GYRO.build_ordered
    want = _stream(Plant())
    assert sum(peek_apid(p) == GYRO.apid for p, _ in want) >= 59  # a GYRO each tick
    assert _stream(ValuesPlant()) == want
    assert _stream(OrderedPlant()) == want
