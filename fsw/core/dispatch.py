"""The guidance core's packet interface in-process: :func:`gnc_dispatch`
(native/include/gnc_dispatch.h) behind a Python object, and
:class:`DispatchLink`, a link with the board's ``transact`` signature that
serves requests in this process (so :class:`~fsw.core.guidance.PacketCore`
and the packet layouts are exercised without a board)."""

from __future__ import annotations

from fsw.core._ffi import check, ffi, lib
from fsw.core.errors import GncError

__all__ = ["DispatchLink", "Dispatcher"]

#: Largest response (GNC_GLIDESLOPE_RESP is 1894 octets) with margin.
RESPONSE_CAPACITY = 4096


class Dispatcher:
    """One dispatcher context (all step contexts of the core) and a
    preallocated response buffer."""

    def __init__(self) -> None:
        self._ctx = ffi.new("gnc_dispatcher *")
        check(lib.gnc_dispatch_init(self._ctx), "dispatch_init")
        self._resp = ffi.new("uint8_t[]", RESPONSE_CAPACITY)
        self._len = ffi.new("size_t *")

    def dispatch(self, request: bytes) -> tuple[int, bytes]:
        """Run one request packet: ``(status, response packet)``; the response
        is empty for malformed packets and unknown APIDs (status says why)."""
        st = lib.gnc_dispatch(self._ctx, ffi.from_buffer(request), len(request), self._resp,
                              RESPONSE_CAPACITY, self._len)
        return st, ffi.buffer(self._resp, self._len[0])[:]

    @property
    def counters(self) -> dict[str, int]:
        """Requests answered, of which failed and of which repeats answered
        from the kept response (not run again), and packets rejected
        unanswered."""
        c = self._ctx
        return {"requests": c.requests, "failed": c.failed, "malformed": c.malformed,
                "repeats": c.repeats}


class DispatchLink:
    """A link to an in-process dispatcher: ``transact(request, timeout) ->
    response`` like the serial link to the board (hil/); the timeout is
    irrelevant here. A request that gets no response raises the typed
    error of its status (GncPacketError, GncUnknownRequestError)."""

    def __init__(self, dispatcher: Dispatcher | None = None) -> None:
        self.dispatcher = dispatcher or Dispatcher()

    def transact(self, request: bytes, timeout: float = 1.0) -> bytes:
        st, resp = self.dispatcher.dispatch(request)
        if not resp:
            check(st, "dispatch")
            raise GncError("dispatch: no response")
        return resp
