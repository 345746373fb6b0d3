"""Media-browser identifiers: every form round-trips, anything else is refused."""

from __future__ import annotations

from datetime import date

import pytest

from custom_components.volcengine_slow_live.media.ids import MediaId, View

NODES = [
    MediaId(),
    MediaId(entry_id="e1"),
    MediaId.space("e1", "space/with slash"),
    MediaId.space("e1", "s", 3),
    MediaId.camera("e1", "key/odd?"),
    MediaId.camera("e1", "k", View.LAST_HOUR),
    MediaId.camera("e1", "k", View.ALARMS),
    MediaId.camera("e1", "k", View.NOTE),
    MediaId.recording("e1", "k", 100, 200),
    MediaId.day_of("e1", "k", date(2026, 12, 5)),
    MediaId.day_of("e1", "k", date(2026, 12, 5), (10, 20)),
    MediaId.alarm_day("e1", "k", date(2026, 12, 5)),
    MediaId.alarm_day("e1", "k", date(2026, 12, 5), (10, 20)),
]


@pytest.mark.parametrize("node", NODES, ids=lambda n: n.identifier or "root")
def test_round_trip(node: MediaId) -> None:
    assert MediaId.parse(node.identifier) == node
    assert node.media_content_id == (
        f"media-source://volcengine_slow_live/{node.identifier}".rstrip("/")
        if node.identifier
        else "media-source://volcengine_slow_live"
    )


@pytest.mark.parametrize(
    "identifier",
    [
        "e1/",
        "e1/k/rec",
        "e1/k/rec/1-",
        "e1/k/rec/a-b",
        "e1/k/day",
        "e1/k/day/2026-12-05/1-2/3",
        "e1/k/whatever",
        "e1/spaces",
        "e1/spaces/s/²",
        "e1/k/last_hour/x",
        "e1/k/alarms/2026-12-05/1-2/3",
        "e1/k/alarms/2026-12-05/x",
    ],
)
def test_refused(identifier: str) -> None:
    with pytest.raises(ValueError):
        MediaId.parse(identifier)
