"""``snn-control launch swimmer``: the NCAP swimmer over ROS 2 topics matches the offline episode."""

import json

import pytest

from snn_control.cli import main

pytest.importorskip("rclpy")
pytestmark = pytest.mark.ros


def offline_return(variant: str, n_links: int, seed: int, steps: int) -> float:
    from snn_control.swimmer.env import SwimmerEnv
    from snn_control.nodes.ncap_controller import NCAPControllerConfig, build_ncap_controller

    env = SwimmerEnv(n_links, episode_steps=steps, seed=seed)
    env.reset(seed)
    controller = build_ncap_controller(NCAPControllerConfig(variant=variant, n_links=n_links, untrained=True))
    return sum(env.step(controller.step(env.joint_angles))[1] for _ in range(steps))


@pytest.mark.parametrize("variant, links", [("rate", 6), ("spiking", 5)])
def test_ros_episode_equals_offline_episode(capsys, variant, links):
    args = ["launch", "swimmer", "--fast", "--json", "--untrained", "--variant", variant,
            "--links", str(links), "--seed", "4", "--duration", "9"]
    assert main(args) == 0
    m = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert m["steps"] == 300 and m["n_cmd_msgs"] == 300 and m["n_missed_cmds"] == 0
    assert m["n_params"] == 4 and m["n_links"] == links
    expected = offline_return(variant, links, seed=4, steps=300)
    assert expected > 100  # it swims
    assert m["return"] == pytest.approx(expected, rel=1e-9)


def test_bad_swimmer_config(capsys, tmp_path):
    cfg = tmp_path / "s.yaml"
    cfg.write_text("ncap_controller:\n  ros__parameters:\n    variant: lstm\n")
    assert main(["launch", "swimmer", "--fast", "--config", str(cfg)]) == 2
    assert "s.yaml" in capsys.readouterr().err
