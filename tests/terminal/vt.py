"""A small terminal emulator: what a person would see after a program wrote these bytes.

Enough of a VT100 for progress bars and live status lines (carriage return, cursor up/down,
erase line, colours ignored), so a test can assert on the screen rather than on escape codes.
Every line ever shown is kept (scrollback), because debris that scrolled away was still seen.
"""

from __future__ import annotations

import re

CSI = re.compile(r"\x1b\[([?0-9;]*)([A-Za-z@`])")
OSC = re.compile(r"\x1b\][^\x07\x1b]*(\x07|\x1b\\)")


class Terminal:
    """Lines of text and a cursor; `feed` interprets what a program wrote."""

    def __init__(self, columns: int = 80) -> None:
        self.columns = columns
        self.lines: list[list[str]] = [[]]
        self.row = 0
        self.col = 0
        self.unknown: set[str] = set()  # escape sequences this emulator ignored

    def feed(self, data: str) -> None:
        """Interpret text with control characters and escape sequences."""
        data = OSC.sub("", data)
        i = 0
        while i < len(data):
            ch = data[i]
            if ch == "\x1b":
                match = CSI.match(data, i)
                if match:
                    self._csi(match.group(1), match.group(2))
                    i = match.end()
                    continue
                self.unknown.add(repr(data[i : i + 3]))
                i += 2
                continue
            if ch == "\r":
                self.col = 0
            elif ch == "\n":
                self._down()
            elif ch == "\b":
                self.col = max(0, self.col - 1)
            elif ch == "\t":
                self.col = min(self.columns - 1, (self.col // 8 + 1) * 8)
            elif ch >= " ":
                self._put(ch)
            i += 1

    def _put(self, ch: str) -> None:
        if self.col >= self.columns:  # auto-wrap, as a terminal does
            self._down()
            self.col = 0
        line = self.lines[self.row]
        line.extend(" " * (self.col + 1 - len(line)))
        line[self.col] = ch
        self.col += 1

    def _down(self) -> None:
        self.row += 1
        if self.row == len(self.lines):
            self.lines.append([])

    def _csi(self, params: str, final: str) -> None:
        if params.startswith("?") or final == "m":  # cursor visibility, colours
            return
        n = int(params.split(";")[0] or 1) if params else 1
        if final == "A":
            self.row = max(0, self.row - n)
        elif final == "B":
            for _ in range(n):
                self._down()
        elif final == "C":
            self.col = min(self.columns - 1, self.col + n)
        elif final == "D":
            self.col = max(0, self.col - n)
        elif final == "G":
            self.col = n - 1
        elif final == "K":
            line = self.lines[self.row]
            mode = int(params or 0)
            if mode == 0:
                del line[self.col :]
            elif mode == 1:
                line[: self.col] = " " * min(self.col, len(line))
            else:
                line.clear()
        elif final == "J" and int(params or 0) == 0:
            del self.lines[self.row][self.col :]
            del self.lines[self.row + 1 :]
        else:
            self.unknown.add(f"CSI {params}{final}")

    def text(self) -> list[str]:
        """Every line as it now reads, trailing spaces removed."""
        return ["".join(line).rstrip() for line in self.lines]
