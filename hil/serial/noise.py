"""A noisy-line shim: flips bits at a given bit error rate and drops bytes,
recording exactly which input bytes it damaged, so a test can tell which
frames arrived intact and check the receiver against that truth."""

from __future__ import annotations

import numpy as np

__all__ = ["NoisyLine"]


class NoisyLine:
    """Corrupts a byte stream: each bit flips with probability ``ber`` and
    each byte is dropped with probability ``drop_rate`` (seeded, so a run is
    reproducible). Offsets are counted over everything passed to
    :meth:`apply`, in order."""

    def __init__(self, ber: float = 1e-4, drop_rate: float = 1e-4, seed: int = 0) -> None:
        if not (0.0 <= ber < 1.0 and 0.0 <= drop_rate < 1.0):
            raise ValueError("ber and drop_rate must be probabilities in [0, 1)")
        self.ber = ber
        self.drop_rate = drop_rate
        self._rng = np.random.default_rng(seed)
        self.offset = 0  # input bytes seen so far
        self.flipped: set[int] = set()  # input offsets with at least one flipped bit
        self.dropped: set[int] = set()  # input offsets dropped
        self.bits_flipped = 0

    @property
    def damaged(self) -> set[int]:
        """Input offsets whose byte did not arrive as sent."""
        return self.flipped | self.dropped

    def apply(self, data: bytes) -> bytes:
        """The bytes as they come out of the line."""
        n = len(data)
        a = np.frombuffer(bytes(data), dtype=np.uint8).copy()
        bits = self._rng.random((n, 8)) < self.ber
        masks = np.packbits(bits, axis=1).reshape(n)
        hit = np.nonzero(masks)[0]
        a[hit] ^= masks[hit]
        self.bits_flipped += int(bits.sum())
        drop = self._rng.random(n) < self.drop_rate
        self.flipped.update(int(i) + self.offset for i in hit)
        self.dropped.update(int(i) + self.offset for i in np.nonzero(drop)[0])
        self.offset += n
        return a[~drop].tobytes()
