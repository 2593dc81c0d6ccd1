"""The traverse loader: folder layout, natural order, every error naming its folder or file, images
as grayscale float32, and positions files (x,y metres or lat,lon degrees)."""

import cv2
import numpy as np
import pytest

from snn_control.perception.places.data import (
    PlaceDataError,
    TraverseSet,
    latlon_to_metres,
    load_traverse,
    natural_key,
    open_traverses,
    place_distances,
    read_gray,
)


def write_traverse(folder, names, size=(12, 8)):
    """Images named ``names`` whose gray level is 10 * their index."""
    folder.mkdir(parents=True, exist_ok=True)
    for k, name in enumerate(names):
        assert cv2.imwrite(str(folder / name), np.full((size[1], size[0], 3), 10 * k, np.uint8))


def write_csv(path, header, rows):
    path.write_text(header + "\n" + "".join(",".join(str(c) for c in row) + "\n" for row in rows))


def test_natural_order_and_non_image_files_skipped(tmp_path):
    write_traverse(tmp_path / "spring", ["img10.png", "img2.png", "img1.png", "IMG3.jpg"])
    for extra in ("notes.txt", "meta.json", ".hidden.png"):
        (tmp_path / "spring" / extra).write_text("not an image")
    ordered = ["img1.png", "img2.png", "IMG3.jpg", "img10.png"]
    write_csv(tmp_path / "spring" / "positions.csv", "file,x,y", [(n, i, 0) for i, n in enumerate(ordered)])
    (tmp_path / ".cache").mkdir()  # hidden folders are no traverse
    tset = open_traverses(tmp_path)
    assert tset.names == ("spring",) and tset.n_places == 4
    assert [p.name for p in tset.files["spring"]] == ordered
    assert sorted(["a10", "a9", "a9b", "b1"], key=natural_key) == ["a9", "a9b", "a10", "b1"]
    np.testing.assert_array_equal(tset.positions["spring"][:, 0], [0, 1, 2, 3])


def test_folder_errors_name_the_folder(tmp_path):
    with pytest.raises(PlaceDataError, match="no such data set folder"):
        open_traverses(tmp_path / "absent")
    with pytest.raises(PlaceDataError, match="no traverse folders"):
        open_traverses(tmp_path)
    write_traverse(tmp_path / "spring", ["a.png", "b.png", "c.png"])
    write_traverse(tmp_path / "fall", ["a.png", "b.png"])
    with pytest.raises(PlaceDataError, match=r"spring: 3.*fall: 2|fall: 2.*spring: 3"):
        open_traverses(tmp_path)
    assert open_traverses(tmp_path, ["spring"]).n_places == 3  # only the requested ones are compared
    assert open_traverses(tmp_path, "fall").names == ("fall",)
    with pytest.raises(PlaceDataError, match=r"no traverse folder \['winter'\]; available: \['fall', 'spring'\]"):
        open_traverses(tmp_path, ["spring", "winter"])
    with pytest.raises(PlaceDataError, match="more than once"):
        open_traverses(tmp_path, ["spring", "spring"])
    (tmp_path / "night").mkdir()
    (tmp_path / "night" / "readme.txt").write_text("no images yet")
    with pytest.raises(PlaceDataError, match="no images in .*night"):
        open_traverses(tmp_path, ["night"])


def test_read_gray_formats_and_unreadable_files(tmp_path):
    colour = np.zeros((6, 9, 3), np.uint8)
    colour[..., 2] = 200  # pure red
    cv2.imwrite(str(tmp_path / "red.png"), colour)
    gray = read_gray(tmp_path / "red.png")
    assert gray.shape == (6, 9) and gray.dtype == np.uint8 and abs(int(gray[0, 0]) - round(0.299 * 200)) <= 1
    cv2.imwrite(str(tmp_path / "deep.png"), np.full((4, 5), 65535, np.uint16))
    assert read_gray(tmp_path / "deep.png").max() == 255
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "junk.jpg").write_bytes(b"this is not a jpeg" * 10)
    for name, why in [("empty.png", "empty file"), ("junk.jpg", "not an image OpenCV can read"),
                      ("absent.png", "cannot read")]:
        with pytest.raises(PlaceDataError, match=rf"{name}: {why}"):
            read_gray(tmp_path / name)


def test_load_traverse_shapes_dtype_and_a_corrupt_file(tmp_path):
    write_traverse(tmp_path / "spring", [f"{i}.png" for i in range(3)], size=(40, 30))
    tset = open_traverses(tmp_path)
    images = load_traverse(tset, "spring", size=(20, 10))
    assert images.shape == (3, 10, 20) and images.dtype == np.float32
    np.testing.assert_array_equal(images[:, 0, 0], [0.0, 10.0, 20.0])  # INTER_AREA of a flat image
    assert load_traverse(tset, "spring").shape == (3, 28, 28)
    for size in [(0, 28), 28, (28, 28, 3), (10.5, 8)]:
        with pytest.raises(ValueError, match="size"):
            load_traverse(tset, "spring", size=size)
    with pytest.raises(PlaceDataError, match=r"no traverse 'fall'.*\['spring'\]"):
        load_traverse(tset, "fall")
    (tmp_path / "spring" / "1.png").write_bytes(b"\x89PNG broken")
    with pytest.raises(PlaceDataError, match=r"1\.png: not an image"):
        load_traverse(tset, "spring", progress=True)


def test_positions_xy_give_distances_between_traverses(tmp_path):
    for name, dx in (("spring", 0.0), ("fall", 1.0)):
        write_traverse(tmp_path / name, ["0.png", "1.png", "2.png"])
        write_csv(tmp_path / name / "positions.csv", "file,x,y", [(f"{i}.png", 10 * i + dx, 0) for i in range(3)])
    write_traverse(tmp_path / "night", ["0.png", "1.png", "2.png"])
    tset = open_traverses(tmp_path)
    assert set(tset.positions) == {"spring", "fall"}
    assert tset.positions["fall"].dtype == np.float64 and not tset.positions["fall"].flags.writeable
    d = place_distances(tset, "fall", "spring")
    assert d.shape == (3, 3)
    np.testing.assert_allclose(d, [[1, 9, 19], [11, 1, 9], [21, 11, 1]], atol=1e-5)
    assert place_distances(tset, "night", "spring") is None


def test_positions_latlon_become_metres_about_one_origin(tmp_path):
    lat0, lon0 = 60.0, 10.0
    for name, dlat in (("spring", 0.0), ("summer", 0.0001)):  # summer drove ~11 m further north
        write_traverse(tmp_path / name, ["a.png", "b.png"])
        write_csv(tmp_path / name / "positions.csv", "file,lat,lon",
                  [("a.png", lat0 + dlat, lon0), ("b.png", lat0 + 0.001 + dlat, lon0 + 0.002)])
    tset = open_traverses(tmp_path)
    spring = tset.positions["spring"]
    radius = 6_371_008.8
    np.testing.assert_allclose(spring[0], [0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(spring[1], [radius * np.radians(0.002) * np.cos(np.radians(lat0)),
                                           radius * np.radians(0.001)], rtol=1e-9)  # ~111.2 m east, ~111.2 m north
    np.testing.assert_allclose(place_distances(tset, "summer", "spring").diagonal(), radius * np.radians(0.0001),
                               rtol=1e-5)
    np.testing.assert_allclose(latlon_to_metres(np.array([[0.0, 179.999], [0.0, -179.999]]))[1, 0],
                               radius * np.radians(0.002), rtol=1e-6)  # across the antimeridian


@pytest.mark.parametrize("header, rows, message", [
    ("file,x,y", [("a.png", 0, 0)], r"no row for b\.png"),
    ("file,x,y", [("a.png", 0, 0), ("b.png", 1, 0), ("c.png", 2, 0)], r"rows without an image: c\.png"),
    ("name,east,north", [("a.png", 0, 0), ("b.png", 1, 0)], "lacks the columns"),
    ("file,x,y", [("a.png", 0, 0), ("b.png", "ten", 0)], "line 3"),
    ("file,x,y", [("a.png", 0, 0), ("a.png", 1, 0), ("b.png", 1, 0)], r"second row for 'a\.png'"),
    ("file,lat,lon", [("a.png", 95.0, 0), ("b.png", 1, 0)], "invalid position"),
    ("file,x,y", [("a.png", "nan", 0), ("b.png", 1, 0)], "invalid position"),
])
def test_bad_positions_files_name_the_file_and_the_problem(tmp_path, header, rows, message):
    write_traverse(tmp_path / "spring", ["a.png", "b.png"])
    write_csv(tmp_path / "spring" / "positions.csv", header, rows)
    with pytest.raises(PlaceDataError, match=rf"spring[/\\]positions\.csv.*{message}"):
        open_traverses(tmp_path)


def test_mixed_position_kinds_and_an_empty_file_are_refused(tmp_path):
    write_traverse(tmp_path / "spring", ["a.png"])
    write_traverse(tmp_path / "fall", ["a.png"])
    write_csv(tmp_path / "spring" / "positions.csv", "file,x,y", [("a.png", 0, 0)])
    write_csv(tmp_path / "fall" / "positions.csv", "file,lat,lon", [("a.png", 60, 10)])
    with pytest.raises(PlaceDataError, match="mix x,y metres and lat,lon"):
        open_traverses(tmp_path)
    (tmp_path / "fall" / "positions.csv").write_text("")
    with pytest.raises(PlaceDataError, match=r"fall[/\\]positions\.csv: empty"):
        open_traverses(tmp_path)


def test_traverse_set_checks_itself(tmp_path):
    a = (tmp_path / "a.png",)
    with pytest.raises(ValueError, match="TraverseSet.files"):
        TraverseSet(tmp_path, {"spring": a, "fall": a * 2}, {})
    with pytest.raises(ValueError, match=r"TraverseSet.positions\['spring'\]"):
        TraverseSet(tmp_path, {"spring": a}, {"spring": np.zeros((2, 2))})
