"""Text layout for the talk overlay: fit the newest words into a few wrapped lines.

The overlay has room for a couple of lines of transcript and a few of reply; a long reply
must show its *end* (what is being said now), so :func:`fitting_tail` measures with the
label's font and drops whole words from the front. :func:`reply_html` marks the sentence
being spoken. Qt (font metrics) only; no widgets.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics

from openclaw_desktop.voice.overlay_model import OverlayView, tail_text

_UNBOUNDED = 1_000_000


def text_height(metrics: QFontMetrics, width: int, text: str) -> int:
    """Pixel height of ``text`` word-wrapped at ``width`` (what a word-wrapping QLabel needs)."""
    return metrics.boundingRect(QRect(0, 0, width, _UNBOUNDED), Qt.TextFlag.TextWordWrap, text).height()


def lines_height(metrics: QFontMetrics, lines: int) -> int:
    """Pixel height of ``lines`` lines (measured: it is not always ``lines × lineSpacing``)."""
    return text_height(metrics, _UNBOUNDED, "\n".join(["Xg"] * lines))


def fitting_tail(text: str, metrics: QFontMetrics, width: int, lines: int, suffix: str = "") -> str:
    """The longest :func:`tail_text` of ``text`` that, with ``suffix``, wraps into at most
    ``lines`` lines of ``width`` pixels: the newest words always show, the oldest give way."""
    limit = lines_height(metrics, lines)

    def fits(candidate: str) -> bool:
        return text_height(metrics, width, candidate + suffix) <= limit

    if fits(text):
        return text
    low, high = 1, len(text)  # tail_text(text, 1) is "…", which fits any box
    while low < high:  # binary search for the longest tail that fits
        mid = (low + high + 1) // 2
        if fits(tail_text(text, mid)):
            low = mid
        else:
            high = mid - 1
    return tail_text(text, low)


def reply_suffix(view: OverlayView) -> str:
    """What follows a reply that was cut short (barge-in, stop)."""
    return " —" if view.reply_stopped and view.reply else ""


def reply_html(view: OverlayView, shown: str | None = None) -> str:
    """The reply (or its shown tail) as rich text: the sentence being spoken in bright
    white, a dash after a reply that was cut short."""
    text = (view.reply if shown is None else shown) + reply_suffix(view)
    at = text.rfind(view.speaking) if view.speaking else -1
    if at < 0:
        return html.escape(text)
    end = at + len(view.speaking)
    return (html.escape(text[:at]) + '<span style="color:#ffffff">' + html.escape(text[at:end]) + "</span>"
            + html.escape(text[end:]))
