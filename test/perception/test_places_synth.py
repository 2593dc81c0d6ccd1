"""The synthetic place benchmark: seeded and byte-identical with any number of workers, a validated
config, place-specific structure (neighbours related but distinct; the same place under two
conditions closer than another place), and ``snn-control data places`` writing a set that
``open_traverses`` reads."""

import json

import cv2
import numpy as np
import pytest

from snn_control.cli import main
from snn_control.perception.places.data import load_traverse, open_traverses, place_distances
from snn_control.perception.places.synth import (
    CONDITIONS,
    PlaceBenchConfig,
    World,
    generate_places,
    image_rng,
    render_place,
)

SMALL = dict(width=64, height=48)


def files_of(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def patch_normalized(img, size=(32, 16), patch=4):
    """SAD baseline features: grayscale, downsampled, every patch to zero mean and unit std."""
    g = cv2.resize(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), size, interpolation=cv2.INTER_AREA).astype(np.float32)
    p = g.reshape(size[1] // patch, patch, size[0] // patch, patch)
    return ((p - p.mean(axis=(1, 3), keepdims=True)) / (p.std(axis=(1, 3), keepdims=True) + 1e-3)).ravel()


def test_config_validation_names_the_field():
    for kwargs, field in [({"places": 0}, "places"), ({"seed": -1}, "seed"), ({"width": 8}, "width"),
                          ({"height": True}, "height"), ({"traverses": ("spring", "autumn")}, "traverses"),
                          ({"traverses": ("night", "night")}, "traverses"), ({"traverses": ()}, "traverses"),
                          ({"place_spacing_m": 0.0}, "place_spacing_m"), ({"gps_noise_m": -1.0}, "gps_noise_m"),
                          ({"viewpoint": 5.0}, "viewpoint")]:
        with pytest.raises(ValueError, match=f"PlaceBenchConfig.{field}"):
            PlaceBenchConfig(**kwargs)
    config = PlaceBenchConfig(places=7, traverses=["winter", "spring"])
    assert config.traverses == ("winter", "spring") and PlaceBenchConfig.from_dict(config.to_dict()) == config
    assert PlaceBenchConfig().traverses == CONDITIONS == ("spring", "fall", "summer", "winter", "night")
    with pytest.raises(ValueError, match="unknown keys"):
        PlaceBenchConfig.from_dict({"places": 3, "colour": "red"})


def test_same_seed_same_bytes_with_any_workers_and_another_seed_another_route(tmp_path):
    config = PlaceBenchConfig(places=6, seed=3, traverses=("summer", "night"), **SMALL)
    summary = generate_places(tmp_path / "a", config)
    generate_places(tmp_path / "b", config, workers=2)
    assert summary["images"] == 12 and summary["n_places"] == 6 and summary["traverses"] == ["summer", "night"]
    a, b = files_of(tmp_path / "a"), files_of(tmp_path / "b")
    assert a == b and len(a) == 12 + 2 + 1  # images, two positions files, the manifest
    generate_places(tmp_path / "c", PlaceBenchConfig(places=6, seed=4, traverses=("summer", "night"), **SMALL))
    c = files_of(tmp_path / "c")
    assert all(a[name] != c[name] for name in a if name.endswith(".png"))
    world3, world4 = World(config), World(PlaceBenchConfig(seed=4))
    assert [t.p for t in world3.segment(9)] != [t.p for t in world4.segment(9)]
    # an image depends on its own key only: place 4 is the same in a 6-place and a 40-place set
    again = render_place(World(PlaceBenchConfig(places=40, seed=3, **SMALL)), 4, "night", image_rng(3, "night", 4))
    assert cv2.imencode(".png", again)[1].tobytes() == a["night/00004.png"]


def test_render_place_is_a_colour_image_of_the_configured_size():
    world = World(PlaceBenchConfig(width=80, height=60))
    for condition in CONDITIONS:
        img = render_place(world, 2, condition, image_rng(0, condition, 2))
        assert img.shape == (60, 80, 3) and img.dtype == np.uint8 and 20 < img.std()
    with pytest.raises(ValueError, match="unknown condition 'autumn'"):
        render_place(world, 2, "autumn", image_rng(0, "spring", 2))


def test_places_are_distinct_neighbours_related_and_conditions_keep_the_place():
    world = World(PlaceBenchConfig(seed=1, **SMALL))
    places = range(0, 60, 2)
    feats = {c: np.stack([patch_normalized(render_place(world, i, c, image_rng(1, c, i))) for i in places])
             for c in ("spring", "summer", "winter", "night")}
    nxt = np.stack([patch_normalized(render_place(world, i + 1, "spring", image_rng(1, "spring", i + 1)))
                    for i in places])

    def sad(a, b):
        return np.abs(a - b).mean(axis=-1)

    spring = feats["spring"]
    neighbour, far = sad(spring, nxt), sad(spring, np.roll(spring, 7, axis=0))
    assert neighbour.min() > 0.2  # no place repeats its neighbour
    assert neighbour.mean() < far.mean() - 0.03  # 10 m on, part of the view is still there
    for query in ("summer", "winter", "night"):
        same, other = sad(feats[query], spring), sad(feats[query], np.roll(spring, 7, axis=0))
        assert same.mean() < other.mean() - 0.05, query
        assert np.mean(same < other) > 0.75, query


def test_data_places_command_writes_a_loadable_set(tmp_path, capsys):
    out, preview = tmp_path / "places", tmp_path / "preview.png"
    small = ["--width", "48", "--height", "36", "--workers", "1"]
    assert main(["data", "places", "--out", str(out), "--places", "4", "--seed", "2", "--traverses", "spring,night",
                 "--preview", str(preview), "--json", *small]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["images"] == 8 and summary["traverses"] == ["spring", "night"] and summary["wall_s"] > 0
    tset = open_traverses(out)
    assert tset.names == ("night", "spring") and tset.n_places == 4
    assert load_traverse(tset, "night", size=(28, 28)).shape == (4, 28, 28)
    d = place_distances(tset, "night", "spring")
    assert d.shape == (4, 4) and np.all(d.diagonal() < 6.0) and np.all(np.abs(np.diff(d[0])) > 4.0)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] and manifest["config"]["seed"] == 2 and manifest["n_places"] == 4
    assert cv2.imread(str(preview)).shape[0] > 100
    # a smaller run over a benchmark replaces it, stale places included
    assert main(["data", "places", "--out", str(out), "--places", "2", "--traverses", "spring", *small]) == 0
    assert open_traverses(out).n_places == 2 and open_traverses(out).names == ("spring",)
    # a folder with other work in it needs --force, and keeps that work
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("keep me")
    command = ["data", "places", "--out", str(foreign), "--places", "2", "--traverses", "fall", *small]
    capsys.readouterr()
    assert main(command) == 2
    assert "use --force" in capsys.readouterr().err
    assert main(command + ["--force"]) == 0
    assert (foreign / "thesis.tex").read_text() == "keep me" and open_traverses(foreign).names == ("fall",)
    assert main(["data", "places", "--out", str(tmp_path / "x"), "--traverses", "spring,autumn"]) == 2
    assert "autumn" in capsys.readouterr().err
