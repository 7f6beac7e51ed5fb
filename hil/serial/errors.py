"""Typed errors of the serial link.

They derive from the built-in ``ConnectionError`` and ``TimeoutError`` so the
flight software (which never imports :mod:`hil`) can catch them as such.
"""

from __future__ import annotations


class LinkError(Exception):
    """Base of the serial-link errors."""


class LinkLost(LinkError, ConnectionError):  # noqa: N818 - an event, not a bug
    """The port went away (closed, unplugged, peer killed) or cannot be opened."""


class LinkTimeout(LinkError, TimeoutError):  # noqa: N818
    """No answer arrived within the timeout while the port stayed open."""


class FrameTooLong(LinkError, ValueError):  # noqa: N818
    """A packet to send is longer than the link's maximum packet length."""
