"""The world's numpy views (``World.sun_n``, ``hill_r``, the craft views'
``r``, ``q``, ...) keep the memory they view alive: a view that outlives its
World reads the world's last values, never freed memory (each view is of the
world struct's own buffer, which holds its owner)."""

from __future__ import annotations

import gc
import weakref

import numpy as np

from hil.sim.world import World, WorldConfig


def _owner(world: World) -> object:
    return world._w  # the world's ffi.new cdata: what must stay alive


def test_a_view_keeps_the_world_struct_alive() -> None:
    world = World(WorldConfig())
    world.step(3)
    owner = weakref.ref(_owner(world))
    expect = {name: getattr(world, name).copy() for name in ("sun_n", "hill_r", "hill_v")}
    craft = {name: getattr(world.chaser, name).copy()
             for name in ("r", "v", "q", "w", "wheel_speed", "inertia", "com", "dv_sensed_B")}
    views = {name: getattr(world, name) for name in expect}
    density = world.chaser.density  # read through the craft's pointer
    chaser = world.chaser
    del world
    gc.collect()
    assert owner() is not None
    # memory freed and handed out again would be written by these worlds
    others = [World(WorldConfig()) for _ in range(4)]
    for o in others:
        o.step(7)
    for name, v in views.items():
        assert np.array_equal(v, expect[name]), name
    for name, v in craft.items():
        assert np.array_equal(getattr(chaser, name), v), name
    assert chaser.density == density
    del views, chaser
    gc.collect()
    assert owner() is None  # and nothing keeps it beyond its views


def test_views_still_follow_the_world() -> None:
    """Still views, not copies: a step moves what they show."""
    world = World(WorldConfig())
    r, sun = world.chaser.r, world.sun_n
    r0 = r.copy()
    world.step(10)
    assert not np.array_equal(r, r0)
    assert np.array_equal(r, world.chaser.r) and sun is world.sun_n
