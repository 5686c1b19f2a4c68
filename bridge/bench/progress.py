"""The progress bar on stderr: redrawn in place on a terminal, one line per phase otherwise."""

from __future__ import annotations

import time
from typing import IO

WIDTH = 30


class Progress:
    def __init__(self, stream: IO[str], enabled: bool = True) -> None:
        self.stream = stream
        self.enabled = enabled
        self.tty = enabled and stream.isatty()
        self.label = ""
        self.total = 0
        self.count = 0
        self.began = 0.0
        self.drawn = 0.0

    def note(self, text: str) -> None:
        if self.enabled:
            self.stream.write(f"{text}\n")
            self.stream.flush()

    def start(self, label: str, total: int) -> None:
        self.label, self.total, self.count = label, max(1, total), 0
        self.began = time.monotonic()
        if self.tty:
            self._draw()

    def update(self, count: int) -> None:
        self.count = count
        if self.tty and time.monotonic() - self.drawn >= 0.1:
            self._draw()

    def done(self) -> None:
        if not self.enabled:
            return
        self.count = self.total
        if self.tty:
            self._draw()
            self.stream.write("\n")
        else:
            self.stream.write(f"{self.label}: {self.total:,} in {time.monotonic() - self.began:.1f} s\n")
        self.stream.flush()

    def _draw(self) -> None:
        self.drawn = time.monotonic()
        filled = min(WIDTH, WIDTH * self.count // self.total)
        bar = "#" * filled + "." * (WIDTH - filled)
        elapsed = self.drawn - self.began
        self.stream.write(f"\r{self.label:<40} [{bar}] {self.count:,}/{self.total:,}  {elapsed:5.1f} s")
        self.stream.flush()
