"""The gesture data set: a seeded plan split by subject, and a tiny ``snn-control data gestures``
run read back by ``load_gesture_dataset``."""

import json

import numpy as np
import pytest

from snn_control.cli import main
from snn_control.perception.events.datasets import load_gesture_dataset
from snn_control.perception.events.types import GESTURE_CLASSES
from snn_control.perception.gestures.dataset import GENERATION_FILE, GestureDataConfig, iter_samples, plan_trials


def test_plan_is_seeded_split_by_subject_and_stable_under_more_reps():
    config = GestureDataConfig(seed=1, subjects=5, reps=2)
    trials = plan_trials(config)
    assert len(trials) == 5 * 2 * 10 and trials == plan_trials(config)
    train = {t.subject.name for t in trials if t.split == "train"}
    test = {t.subject.name for t in trials if t.split == "test"}
    assert len(test) == 1 and not train & test
    more = plan_trials(GestureDataConfig(seed=1, subjects=5, reps=3))
    assert [t for t in more if t.rep < 2] == trials  # a trial depends on its own key only
    other = plan_trials(GestureDataConfig(seed=2, subjects=5, reps=2))
    assert all(a.params != b.params for a, b in zip(trials, other))
    periods = [t.params.period_s for t in trials if t.gesture == "hand_clap"]
    assert len(set(periods)) == len(periods)


def test_config_validation_names_the_field():
    for kwargs, field in [({"subjects": 1}, "subjects"), ({"reps": 0}, "reps"), ({"duration_s": 0.0}, "duration_s"),
                          ({"fps": 1.0}, "fps"), ({"seed": -1}, "seed")]:
        with pytest.raises(ValueError, match=field):
            GestureDataConfig(**kwargs)


def test_data_gestures_command_writes_a_loadable_dataset(tmp_path, capsys):
    out = tmp_path / "gestures"
    assert main(["data", "gestures", "--out", str(out), "--seed", "3", "--subjects", "2", "--reps", "1",
                 "--duration-s", "0.3", "--workers", "1", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["splits"]["train"]["trials"] == 10 and summary["splits"]["test"]["trials"] == 10
    train, test = load_gesture_dataset(out, "auto", "train"), load_gesture_dataset(out, "synthetic", "test")
    assert sorted(s.label for s in train) == list(range(10)) == sorted(s.label for s in test)
    assert {s.subject for s in train} == {"s000"} and {s.subject for s in test} == {"s001"}
    for sample in train + test:
        e = sample.events
        assert e.size > 500 and 0 < e["t"].min() and e["t"].max() <= 0.3
        assert e["x"].max() < 128 and e["y"].max() < 128 and set(np.unique(e["p"])) == {-1, 1}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 3 and manifest["subjects"]["s001"]["split"] == "test"
    assert json.loads((out / GENERATION_FILE).read_text())["duration_s"] == 0.3
    # the same trial made again gives the same events: the data set is a function of the seed
    config = GestureDataConfig(**{k: v for k, v in summary["config"].items()})
    trial = next(t for t in plan_trials(config) if t.split == "test" and t.label == 4)
    (_, again), = iter_samples([trial], config)
    stored = next(s for s in test if s.label == 4)
    np.testing.assert_array_equal(again.events, stored.events)
    assert stored.lighting == trial.subject.lighting and GESTURE_CLASSES[stored.label] == trial.gesture
