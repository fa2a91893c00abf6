"""QR codes of guest links, for a pair of glasses to scan from the host's screen."""

from __future__ import annotations

import segno


def qr_data_uri(link: str) -> str:
    """A PNG ``data:`` URI: shown as an image by any client, no extra request needed."""
    return str(segno.make(link, error="m").png_data_uri(scale=6, border=2))
