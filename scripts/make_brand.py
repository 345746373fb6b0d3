"""Draw the integration's brand images (run once; the PNGs are committed).

A lens in a rounded square, with a slow wave under it: a camera that streams slowly.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = (
    Path(__file__).resolve().parent.parent
    / "custom_components/volcengine_slow_live/brand"
)
BLUE = (22, 100, 255)
CYAN = (0, 200, 220)
WHITE = (255, 255, 255)


def icon(size: int) -> Image.Image:
    """Square icon, transparent corners."""
    scale = size / 256
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    top = Image.new("RGBA", (size, size))
    pixels = top.load()
    assert pixels is not None
    for y in range(size):
        t = y / (size - 1)
        row = tuple(round(BLUE[i] * (1 - t) + CYAN[i] * t) for i in range(3))
        for x in range(size):
            pixels[x, y] = (*row, 255)
    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        (0, 0, size - 1, size - 1), radius=round(48 * scale), fill=255
    )
    img.paste(top, (0, 0), mask)
    draw = ImageDraw.Draw(img)

    def s(*values: float) -> tuple[int, ...]:
        return tuple(round(v * scale) for v in values)

    # Camera body and lens.
    draw.rounded_rectangle(s(48, 70, 176, 156), radius=round(18 * scale), fill=WHITE)
    draw.polygon([s(176, 96), s(214, 76), s(214, 150), s(176, 130)], fill=WHITE)
    draw.ellipse(s(82, 83, 142, 143), fill=BLUE)
    draw.ellipse(s(98, 99, 126, 127), fill=WHITE)
    # The slow wave.
    points = []
    for i in range(161):
        x = 48 + i
        y = 192 + 12 * math.sin(i / 160 * 2 * math.pi)
        points.append(s(x, y))
    draw.line(points, fill=WHITE, width=round(10 * scale), joint="curve")
    return img


def logo(height: int) -> Image.Image:
    """Icon plus the name, for wide places."""
    mark = icon(height)
    font = ImageFont.load_default(size=round(height * 0.36))
    text = "Volcengine Slow Live"
    probe = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    left, top, right, bottom = probe.textbbox((0, 0), text, font=font)
    width = height + round(height * 0.2) + (right - left) + round(height * 0.1)
    img = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    img.paste(mark, (0, 0), mark)
    ImageDraw.Draw(img).text(
        (height + round(height * 0.2), (height - (bottom - top)) // 2 - top),
        text,
        font=font,
        fill=BLUE,
    )
    return img


def main() -> None:
    """Write icon.png, icon@2x.png, logo.png and logo@2x.png."""
    OUT.mkdir(parents=True, exist_ok=True)
    icon(256).save(OUT / "icon.png", optimize=True)
    icon(512).save(OUT / "icon@2x.png", optimize=True)
    logo(128).save(OUT / "logo.png", optimize=True)
    logo(256).save(OUT / "logo@2x.png", optimize=True)


if __name__ == "__main__":
    main()
