"""Region altitudes from recognized places: a mission region counts once it is seen ``confirm_n``
times in a row, so one wrong match at a region's edge does not move the blimp.

``region_of(place) -> region or None`` is the mission's lookup
(:meth:`snn_control.coordinator.mission.MissionSpec.region_of`); a place outside every region
restarts the count and changes nothing.
"""

from __future__ import annotations

from typing import Any, Callable


class RegionFollower:
    def __init__(self, region_of: Callable[[int], Any], confirm_n: int = 2) -> None:
        if isinstance(confirm_n, bool) or not isinstance(confirm_n, int) or confirm_n < 1:
            raise ValueError(f"confirm_n must be an int >= 1, got {confirm_n!r}")
        self.region_of = region_of
        self.confirm_n = confirm_n
        self.current: Any = None
        self._candidate: Any = None
        self._count = 0

    def on_place(self, place: int) -> Any:
        """The region entered, when this match confirms a new one; else None."""
        region = self.region_of(int(place))
        if region is None or region == self.current:
            self._candidate, self._count = None, 0
            return None
        if region == self._candidate:
            self._count += 1
        else:
            self._candidate, self._count = region, 1
        if self._count >= self.confirm_n:
            self.current, self._candidate, self._count = region, None, 0
            return region
        return None
