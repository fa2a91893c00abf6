"""QR codes of the approval link, so a phone's camera replaces typing the code."""

from __future__ import annotations

from dataclasses import dataclass

import segno


@dataclass(frozen=True, slots=True)
class QrImages:
    svg_data_uri: str
    png_data_uri: str


def qr_images(text: str) -> QrImages:
    """Error correction M survives a glare spot on a glasses display; a 4-module quiet zone."""
    code = segno.make(text, error="m", micro=False)
    return QrImages(
        svg_data_uri=code.svg_data_uri(scale=4, border=4),
        png_data_uri=code.png_data_uri(scale=4, border=4),
    )
