"""The mission spec: route and region math, gesture cues, validation, files and the shipped mission."""

import json

import pytest

from snn_control.coordinator.gestures import GestureParams
from snn_control.coordinator.mission import GestureCue, MissionSpec, Region, default_mission_path

REGIONS = (Region("a", 200, 209, 1.0), Region("b", 215, 230, 2.0))


def spec(**kw):
    base = dict(duration_s=20.0, route_first_place=200, speed_places_per_s=1.5, regions=REGIONS,
                gestures=(GestureCue(2.0, "right_hand_wave"), GestureCue(4.0, "hand_clap")), gesture_s=2.0)
    base.update(kw)
    return MissionSpec(**base)


def test_route_places_and_regions():
    m = spec()
    assert [m.place_at(t) for t in (0.0, 0.6, 0.7, 1.0, 10.0, 20.0)] == [200, 200, 201, 201, 215, 230]
    assert m.place_at(-5) == 200 and m.place_at(99) == 230 == m.last_place
    assert m.region_of(200).name == "a" and m.region_of(209).name == "a"
    assert m.region_of(210) is None and m.region_of(None) is None and m.region_of(215).name == "b"
    assert m.altitude_for(205) == 1.0 and m.altitude_for(212) is None and m.altitude_for(230) == 2.0
    spans = m.region_spans()
    assert [r.name for _, _, r in spans] == ["a", "b"]
    assert [(a, b) for a, b, _ in spans] == [(0.0, pytest.approx(20 / 3)), (10.0, 20.0)]


def test_gesture_at_is_half_open():
    m = spec()
    assert m.gesture_at(1.99) is None and m.gesture_at(2.0) == "right_hand_wave"
    assert m.gesture_at(3.99) == "right_hand_wave" and m.gesture_at(4.0) == "hand_clap"
    assert m.gesture_at(6.0) is None


def test_check_route():
    m = spec()
    m.check_route(231)
    with pytest.raises(ValueError, match=r"route ends at place 230 .* 230 places"):
        m.check_route(230)


@pytest.mark.parametrize("kw, match", [
    ({"duration_s": 0}, r"MissionSpec.duration_s must be a finite number > 0"),
    ({"speed_places_per_s": float("nan")}, "MissionSpec.speed_places_per_s"),
    ({"image_rate_hz": -1}, "MissionSpec.image_rate_hz"),
    ({"route_first_place": -3}, "MissionSpec.route_first_place"),
    ({"route_first_place": 2.5}, "MissionSpec.route_first_place"),
    ({"initial_altitude_m": 3.0}, "MissionSpec.initial_altitude_m must be within"),
    ({"regions": (REGIONS[1], REGIONS[0])}, "regions must be sorted and not overlap"),
    ({"regions": (Region("a", 200, 210, 1.0), Region("b", 210, 220, 1.0))}, "not overlap"),
    ({"regions": (Region("a", 200, 205, 1.0), Region("a", 206, 220, 1.0))}, "names must be unique"),
    ({"gestures": (GestureCue(2.0, "hand_clap"), GestureCue(3.0, "hand_clap"))}, "at least gesture_s"),
    ({"gestures": (GestureCue(19.0, "hand_clap"),)}, "within duration_s"),
    ({"regions": [{"name": "a", "first_place": 1, "last_place": 2, "altitude_m": 0.1}]},
     r"regions\[0\]: Region.altitude_m must be within the envelope"),
    ({"regions": [{"name": "a", "first_place": 1, "last_place": 2}]}, r"regions\[0\]: .*missing keys \['altitude_m'\]"),
    ({"gestures": [{"t_s": 1.0, "label": "moonwalk"}]}, r"gestures\[0\]: GestureCue.label: unknown gesture"),
    ({"regions": "a"}, "MissionSpec.regions must be a list"),
])
def test_validation_names_the_field(kw, match):
    with pytest.raises(ValueError, match=match):
        spec(**kw)


def test_region_validates():
    with pytest.raises(ValueError, match="Region.last_place"):
        Region("x", 10, 9, 1.0)
    with pytest.raises(ValueError, match="Region.name"):
        Region("", 1, 2, 1.0)


def test_dict_and_file_round_trip(tmp_path):
    m = spec()
    d = m.to_dict()
    assert d["regions"][0] == {"name": "a", "first_place": 200, "last_place": 209, "altitude_m": 1.0}
    assert MissionSpec.from_dict(d) == m
    (tmp_path / "m.json").write_text(json.dumps(d))
    assert MissionSpec.load(tmp_path / "m.json") == m
    assert MissionSpec.from_dict({}) == MissionSpec()


def test_file_errors_name_the_file_and_key(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("duration_s: 10\nspeed: 2\n")
    with pytest.raises(ValueError, match=r"bad.yaml: unknown key 'speed'"):
        MissionSpec.load(bad)
    bad.write_text("regions:\n  - {name: a, first_place: 0, last_place: 5, altitude_m: 9}\n")
    with pytest.raises(ValueError, match=r"bad.yaml: MissionSpec.regions\[0\]: Region.altitude_m"):
        MissionSpec.load(bad)
    bad.write_text("[1, 2")
    with pytest.raises(ValueError, match="bad.yaml: cannot read mission file"):
        MissionSpec.load(bad)
    with pytest.raises(ValueError, match="cannot read mission file"):
        MissionSpec.load(tmp_path / "missing.yaml")
    bad.write_text("duration_s: 1000\n")
    with pytest.raises(ValueError, match=r"bad.yaml: MissionSpec: the route ends at place 1700"):
        MissionSpec.load(bad, n_places=600)


def test_the_shipped_mission():
    m = MissionSpec.load(default_mission_path(), n_places=600)
    g = GestureParams()
    assert m.duration_s >= 150 and m.route_first_place == 200 and m.last_place < 600
    assert 5 <= len(m.regions) <= 8 and 6 <= len(m.gestures) <= 8
    assert {r.altitude_m for r in m.regions} >= {0.8, 2.0}
    assert all(g.min_m <= r.altitude_m <= g.max_m for r in m.regions)
    assert all(b.t_s - a.t_s >= 12 for a, b in zip(m.gestures, m.gestures[1:]))
    mapped = {label for label in g.actions()}
    assert {c.label for c in m.gestures} == mapped
    assert m.gestures[-1].label == "arm_roll" and all(c.label != "arm_roll" for c in m.gestures[:-1])
    # every route place up to the end is in a region, and every cue falls inside a region, away from its edges
    assert all(m.region_of(m.place_at(t / 10)) is not None for t in range(int(m.duration_s * 10) + 1))
    for c in m.gestures:
        r = m.region_of(m.place_at(c.t_s))
        t0, t1, _ = next(s for s in m.region_spans() if s[2] == r)
        assert t0 + 4 <= c.t_s and c.t_s + m.gesture_s + 4 <= t1
