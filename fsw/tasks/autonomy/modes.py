"""The mission mode state machine of the autonomy task, as pure logic.

Modes follow the mission: ``STANDBY -> LAUNCH -> COMMISSIONING -> PHASING ->
RENDEZVOUS -> PROX_OPS -> DEPARTURE``; ``SAFE`` is reachable from every mode
(fault, collision avoidance, ground order). Forward steps pass a go/no-go gate
(:func:`gate`); an abort goes to DEPARTURE from any mode after LAUNCH (ground
order or autonomy); SAFE is left only by a ground order, to the mode the
spacecraft was in (or to DEPARTURE).

:class:`Persistence` is the FDIR persistence counter: a condition must hold for
``n`` consecutive samples before it trips, and it clears after ``n`` good ones,
so a single noisy sample neither trips nor clears a fault.

Nothing here reads the bus, the clock or the guidance core: the autonomy task
feeds it a :class:`Health` snapshot and acts on what it decides, which keeps the
logic unit-testable in isolation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fsw.packets.enums import MissionMode

__all__ = [
    "FORWARD",
    "Health",
    "Mode",
    "ModeMachine",
    "Persistence",
    "Transition",
    "TransitionRefusedError",
    "gate",
]


#: Mission modes (STANDBY, LAUNCH, COMMISSIONING, PHASING, RENDEZVOUS,
#: PROX_OPS, DEPARTURE, SAFE): the dictionary's generated enum, so the value is
#: exactly what MODE_STATUS, AUTONOMY_HK and SET_MODE carry.
Mode = MissionMode


#: the nominal sequence: each mode's successor
FORWARD: dict[Mode, Mode] = {
    Mode.STANDBY: Mode.LAUNCH,
    Mode.LAUNCH: Mode.COMMISSIONING,
    Mode.COMMISSIONING: Mode.PHASING,
    Mode.PHASING: Mode.RENDEZVOUS,
    Mode.RENDEZVOUS: Mode.PROX_OPS,
    Mode.PROX_OPS: Mode.DEPARTURE,
}

#: modes from which an abort to DEPARTURE is allowed (the spacecraft must be free flying)
_ABORTABLE = {Mode.COMMISSIONING, Mode.PHASING, Mode.RENDEZVOUS, Mode.PROX_OPS, Mode.SAFE}


class TransitionRefusedError(Exception):
    """A requested transition is not allowed or its gate says no-go; ``reasons``
    lists why (for the command acknowledgement and the event)."""

    def __init__(self, message: str, reasons: list[str]) -> None:
        super().__init__(message)
        self.reasons = reasons


@dataclass
class Health:
    """What the gates look at, gathered by the autonomy task each tick."""

    target_known: bool = False
    separated: bool = False
    attitude_valid: bool = False
    rate_rad_s: float = float("inf")
    nav_valid: bool = False
    relnav_valid: bool = False
    wheels_ok: int = 0
    wheels_min: int = 3
    thrusters_ok: int = 0
    thrusters_min: int = 8
    propellant_kg: float = 0.0
    propellant_min_kg: float = 0.0
    at_hold: bool = False
    range_m: float = float("inf")
    keep_out_m: float = 0.0
    detumble_rate_rad_s: float = 0.0035
    checkout_done: bool = False


def gate(to: Mode, h: Health) -> list[str]:
    """Go/no-go for entering ``to`` nominally: the list of no-go reasons
    (empty = go)."""
    no: list[str] = []
    if to is Mode.LAUNCH and not h.target_known:
        no.append("no target orbit from the launch notice")
    if to is Mode.COMMISSIONING and not h.separated:
        no.append("not separated from the launcher")
    if to is Mode.PHASING:
        if not h.attitude_valid:
            no.append("attitude not determined")
        if h.rate_rad_s > h.detumble_rate_rad_s:
            no.append("body rate above the detumble threshold")
        if not h.nav_valid:
            no.append("no navigation fix")
        if not h.checkout_done:
            no.append("checkouts not complete")
    if to in (Mode.PHASING, Mode.RENDEZVOUS, Mode.PROX_OPS):
        if h.wheels_ok < h.wheels_min:
            no.append(f"{h.wheels_ok} wheels healthy, {h.wheels_min} needed")
        if h.thrusters_ok < h.thrusters_min:
            no.append(f"{h.thrusters_ok} thrusters healthy, {h.thrusters_min} needed")
        if h.propellant_kg < h.propellant_min_kg:
            no.append(f"propellant {h.propellant_kg:.2f} kg below {h.propellant_min_kg:.2f} kg")
        if not h.target_known:
            no.append("target orbit unknown")
    if to is Mode.RENDEZVOUS and not h.at_hold:
        no.append("not at the far hold point")
    if to is Mode.PROX_OPS:
        if not h.relnav_valid:
            no.append(NO_TRACK)
        if h.range_m <= h.keep_out_m:
            no.append("inside the keep-out sphere")
    return no


#: the PROX_OPS gate's reason while the sensor has no track of the target
NO_TRACK = "no relative navigation track of the target"
#: gate reasons that bar only the nominal entry into a mode, not a resume from SAFE
_NOMINAL_ONLY = ("not at the far hold point", "checkouts not complete")


@dataclass(frozen=True)
class Transition:
    """One recorded mode change."""

    t: float
    frm: Mode
    to: Mode
    reason: str


@dataclass
class ModeMachine:
    """Current mode, the mode before SAFE, and the history of transitions."""

    mode: Mode = Mode.STANDBY
    since: float = 0.0
    resume_mode: Mode = Mode.STANDBY
    history: list[Transition] = field(default_factory=list)

    def _go(self, t: float, to: Mode, reason: str) -> Transition:
        tr = Transition(t, self.mode, to, reason)
        self.history.append(tr)
        self.mode, self.since = to, t
        return tr

    def advance(self, t: float, h: Health, reason: str = "gate go") -> Transition:
        """The nominal next mode, if its gate is go; TransitionRefusedError otherwise."""
        if self.mode not in FORWARD:
            raise TransitionRefusedError(f"no nominal successor of {self.mode.name}", [])
        to = FORWARD[self.mode]
        no = gate(to, h)
        if no:
            raise TransitionRefusedError(
                f"{self.mode.name} -> {to.name} no-go: " + "; ".join(no), no
            )
        return self._go(t, to, reason)

    def safe(self, t: float, reason: str) -> Transition | None:
        """Enter SAFE from any mode (no gate); None if already SAFE."""
        if self.mode is Mode.SAFE:
            return None
        if self.mode is not Mode.DEPARTURE:
            self.resume_mode = self.mode
        else:
            self.resume_mode = Mode.DEPARTURE
        return self._go(t, Mode.SAFE, reason)

    def abort(self, t: float, reason: str) -> Transition:
        """Abort to DEPARTURE (from any free-flying mode)."""
        if self.mode not in _ABORTABLE:
            raise TransitionRefusedError(
                f"abort not possible in {self.mode.name}", [f"mode {self.mode.name}"]
            )
        return self._go(t, Mode.DEPARTURE, reason)

    def resume(self, t: float, h: Health, reason: str = "ground order") -> Transition:
        """Leave SAFE to the mode it interrupted, through that mode's gate."""
        if self.mode is not Mode.SAFE:
            raise TransitionRefusedError("resume only from SAFE", [f"mode {self.mode.name}"])
        to = self.resume_mode
        if to in (Mode.PHASING, Mode.RENDEZVOUS, Mode.PROX_OPS):
            # what only the nominal entry asks (commissioning's checkouts, the hold
            # point on the way in) does not bar the way back
            no = [r for r in gate(to, h) if r not in _NOMINAL_ONLY]
            if no:
                raise TransitionRefusedError(f"resume {to.name} no-go: " + "; ".join(no), no)
        return self._go(t, to, reason)

    def time_in(self, mode: Mode) -> float | None:
        """Time of the first entry into ``mode`` (None if never entered)."""
        for tr in self.history:
            if tr.to is mode:
                return tr.t
        return None


@dataclass
class Persistence:
    """FDIR persistence counter: trips after ``n`` consecutive bad samples,
    clears after ``n`` consecutive good ones; counts trips."""

    n: int = 5
    count: int = 0
    good: int = 0
    tripped: bool = False
    trips: int = 0

    def update(self, bad: bool) -> bool:
        """Feed one sample; True on the sample where it trips."""
        if bad:
            self.good = 0
            self.count = min(self.count + 1, self.n)
            if not self.tripped and self.count >= self.n:
                self.tripped = True
                self.trips += 1
                return True
            return False
        self.count = 0
        if self.tripped:
            self.good += 1
            if self.good >= self.n:
                self.tripped, self.good = False, 0
        return False
