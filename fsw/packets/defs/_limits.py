"""Limits shared by several packets (the same quantity measured by a sensor and
reported by a task): declared once here, attached to each field that carries
the quantity. Limits of one field only are declared beside it.

Values are engineering limits of the assumed spacecraft (victus_haze's
chaser): 6000 rpm wheels, 0.18 N m s wheel momentum, a 2.2 MPa blowdown tank
of 12 kg, the 100 m keep-out sphere.
"""

from fsw.packets.limits import CRITICAL, WARNING, Limits

#: body rate per axis (rad/s): 2 deg/s warning, 5 deg/s critical
BODY_RATE = Limits(warning=(-0.035, 0.035), critical=(-0.087, 0.087))
#: blowdown tank pressure (Pa): low as the propellant runs out, high = over-pressure
TANK_PRESSURE = Limits(warning=(1.5e6, 2.4e6), critical=(1.0e6, 2.6e6))
#: propellant left (kg)
PROPELLANT = Limits(warning=(3.0, None), critical=(1.0, None))
#: range to the target (m): inside 150 m warning, inside the 100 m keep-out critical
RANGE = Limits(warning=(150.0, None), critical=(100.0, None))
#: an error counter (cumulative): any is a warning, more than 10 critical
ERROR_COUNT = Limits(warning=(None, 0), critical=(None, 10))
#: a fault counter (cumulative): any is a warning, a third critical
FAULT_COUNT = Limits(warning=(None, 0), critical=(None, 2))
#: the mission in SAFE
MODE = Limits(states={"safe": CRITICAL})

__all__ = ["BODY_RATE", "CRITICAL", "ERROR_COUNT", "FAULT_COUNT", "MODE", "PROPELLANT", "RANGE",
           "TANK_PRESSURE", "WARNING"]
