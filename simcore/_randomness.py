"""Seeded randomness with independent named streams.

Each stream's generator is seeded from ``sha256(seed, name)``, so adding a new consumer (a new
stream name) never changes the draws any other consumer sees: the lab stays replayable as the
code base grows.
"""

from __future__ import annotations

import hashlib
import random

__all__ = ["LabRandom"]


class LabRandom:
    """One seed per lab; ``stream(name)`` hands out that name's own ``random.Random``."""

    def __init__(self, seed: int) -> None:
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise TypeError(f"the lab seed must be an int, got {seed!r}")
        self.seed = seed
        self._streams: dict[str, random.Random] = {}

    def stream(self, name: str) -> random.Random:
        """The generator for ``name``; the same object on every call for the same name."""
        generator = self._streams.get(name)
        if generator is None:
            digest = hashlib.sha256(f"{self.seed}\x00{name}".encode()).digest()
            generator = random.Random(int.from_bytes(digest[:16], "big"))
            self._streams[name] = generator
        return generator

    def uuid(self, stream: str = "uuid") -> str:
        """A version-4-shaped UUID string drawn from ``stream`` (ids that replay with the seed)."""
        bits = self.stream(stream).getrandbits(128)
        bits = (bits & ~(0xF000 << 64)) | (0x4000 << 64)  # version 4
        bits = (bits & ~(0xC000 << 48)) | (0x8000 << 48)  # RFC 4122 variant
        h = f"{bits:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
