#!/usr/bin/env python3
"""Draws the officer app's icons (edge/OneThing.Edge.Host/wwwroot/officer/icons/icon-{192,512}.png): a no-parking
sign on the app's red, with the safe zone of a maskable icon kept clear. Standard library only; run after editing."""
import math
import pathlib
import struct
import zlib

RED = (139, 26, 26)
WHITE = (255, 255, 255)
SIGN_RED = (214, 40, 40)
BLUE = (22, 76, 160)


def pixel(x, y, size):
    """The colour at (x, y): a blue disc with a red ring and a red diagonal bar, inside the maskable safe zone."""
    c = size / 2
    dx, dy = (x + 0.5 - c) / size, (y + 0.5 - c) / size
    r = math.hypot(dx, dy)
    if r > 0.36:
        return RED
    if r > 0.29:
        return SIGN_RED
    # The bar from top left to bottom right, 0.06 of the size wide.
    if abs(dx - dy) / math.sqrt(2) < 0.035:
        return SIGN_RED
    if r > 0.27:
        return WHITE
    return BLUE


def png(size):
    rows = b"".join(b"\x00" + bytes(v for x in range(size) for v in pixel(x, y, size)) for y in range(size))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    folder = pathlib.Path(__file__).resolve().parent.parent / "edge/OneThing.Edge.Host/wwwroot/officer/icons"
    folder.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        (folder / f"icon-{size}.png").write_bytes(png(size))
        print(folder / f"icon-{size}.png")
