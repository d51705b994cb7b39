"""Location port on QtPositioning.

With an NMEA file (``--nmea``) a ``QNmeaPositionInfoSource`` in simulation mode replays
it (each request starts from the file's first fix); otherwise the platform's default
source (GeoClue2 on Linux, CoreLocation, Windows location). No source at all →
``LOCATION_UNAVAILABLE``; the registry bounds the wait (``LOCATION_TIMEOUT``).
"""

from __future__ import annotations

import asyncio
import math
import time
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QCoreApplication, QFile, QIODevice
from PySide6.QtPositioning import (
    QGeoPositionInfo,
    QGeoPositionInfoSource,
    QNmeaPositionInfoSource,
)

from openclaw_desktop.nodes.desktop.ports import CommandError, PositionFix

# NMEA gives HDOP, not metres: accuracy = HDOP × UERE (a typical consumer GPS value).
NMEA_UERE_M = 5.0
UNKNOWN_ACCURACY_M = 1000.0  # reported when the source gives no accuracy (never claims precision)
REQUEST_TIMEOUT_MS = 60_000  # the registry's timeoutMs is shorter and wins
_ERRORS = {QGeoPositionInfoSource.Error.AccessError: "LOCATION_PERMISSION_REQUIRED",
           QGeoPositionInfoSource.Error.UpdateTimeoutError: "LOCATION_TIMEOUT"}


def _finite(value: float) -> float | None:
    return value if isinstance(value, float) and math.isfinite(value) else None


def to_fix(info: QGeoPositionInfo, source: Literal["gps", "unknown"]) -> PositionFix:
    coord = info.coordinate()
    accuracy = _finite(info.attribute(QGeoPositionInfo.Attribute.HorizontalAccuracy)) \
        if info.hasAttribute(QGeoPositionInfo.Attribute.HorizontalAccuracy) else None
    stamp = info.timestamp()
    return PositionFix(
        lat=coord.latitude(), lon=coord.longitude(),
        accuracy_m=accuracy if accuracy is not None else UNKNOWN_ACCURACY_M,
        timestamp_ms=stamp.toMSecsSinceEpoch() if stamp.isValid() else int(time.time() * 1000),
        altitude_m=_finite(coord.altitude()),
        speed_mps=_finite(info.attribute(QGeoPositionInfo.Attribute.GroundSpeed))
        if info.hasAttribute(QGeoPositionInfo.Attribute.GroundSpeed) else None,
        heading_deg=_finite(info.attribute(QGeoPositionInfo.Attribute.Direction))
        if info.hasAttribute(QGeoPositionInfo.Attribute.Direction) else None,
        source=source)


class QtLocation:
    """:class:`~openclaw_desktop.nodes.desktop.ports.Location` over QtPositioning."""

    def __init__(self, nmea_path: Path | None = None) -> None:
        self.nmea_path = nmea_path
        self._last: tuple[PositionFix, float] | None = None  # (fix, monotonic receive time)

    def _source(self) -> tuple[QGeoPositionInfoSource, QFile | None]:
        if self.nmea_path is not None:
            device = QFile(str(self.nmea_path))
            if not device.open(QIODevice.OpenModeFlag.ReadOnly):
                raise CommandError("LOCATION_UNAVAILABLE", f"cannot read NMEA file {self.nmea_path}")
            nmea = QNmeaPositionInfoSource(QNmeaPositionInfoSource.UpdateMode.SimulationMode)
            nmea.setUserEquivalentRangeError(NMEA_UERE_M)
            nmea.setDevice(device)
            return nmea, device
        app = QCoreApplication.instance()
        default = QGeoPositionInfoSource.createDefaultSource(app) if app is not None else None
        if default is None:
            raise CommandError("LOCATION_UNAVAILABLE", "no positioning source on this computer "
                                                       "(install GeoClue2, or pass --nmea FILE)")
        return default, None

    async def get(self, max_age_ms: int | None, desired_accuracy: str) -> PositionFix:
        if self._last is not None and max_age_ms is not None:
            fix, received = self._last
            if (time.monotonic() - received) * 1000 <= max_age_ms:
                return fix
        source, device = self._source()
        kind: Literal["gps", "unknown"] = "gps" if self.nmea_path is not None else "unknown"
        result: asyncio.Future[PositionFix] = asyncio.get_running_loop().create_future()

        def on_update(info: QGeoPositionInfo) -> None:
            if info.isValid() and not result.done():
                result.set_result(to_fix(info, kind))

        def on_error(error: QGeoPositionInfoSource.Error) -> None:
            if not result.done():
                code = _ERRORS.get(error, "LOCATION_UNAVAILABLE")
                result.set_exception(CommandError(code, f"position source {source.sourceName()}: {error.name}"))

        source.positionUpdated.connect(on_update)
        source.errorOccurred.connect(on_error)
        if desired_accuracy == "precise":
            source.setPreferredPositioningMethods(QGeoPositionInfoSource.PositioningMethod.SatellitePositioningMethods)
        try:
            source.requestUpdate(REQUEST_TIMEOUT_MS)
            fix = await result
        finally:
            source.stopUpdates()
            source.deleteLater()
            if device is not None:
                device.close()
                device.deleteLater()
        self._last = (fix, time.monotonic())
        return fix
