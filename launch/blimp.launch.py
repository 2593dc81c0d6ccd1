"""Blimp altitude graph: MuJoCo sim, altitude controller, set-point schedule.

    ros2 launch snn_control blimp.launch.py [params_file:=/path/to/blimp.yaml]
        [controller:=pid|snn|pd_snn+pid_i] [seed:=0] [real_time_factor:=1.0]
        [plant_file:=heavy|/path/to/plant.yaml] [initial_altitude_m:=1.0]

Every node reads ``params_file`` (default: the package's config/blimp.yaml); ``controller``,
``seed``, ``real_time_factor``, ``plant_file`` and ``initial_altitude_m`` override the file only
when given, as in ``snn-control launch blimp``, which runs the same nodes from the same YAML without
a ROS 2 install. Given ``plant_file`` or ``initial_altitude_m``, the plant is resolved here as there
(``snn_control.blimp.config.pin_plant``) and written into every plant parameter of ``blimp_sim``;
a bad plant stops the launch, naming the file and key, before any node starts.
Keep DDS on this machine with ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST (the default here).
"""

import os

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, OpaqueFunction, SetEnvironmentVariable
from launch.substitutions import EnvironmentVariable, LaunchConfiguration
from launch_ros.actions import Node

from snn_control.nodes.launch_args import given

# argument: (type or choices, what it sets); empty (the default) = not given, params_file decides
OVERRIDES = {
    "controller": (("snn", "pid", "pd_snn+pid_i"), "altitude_controller.controller: snn | pid | pd_snn+pid_i"),
    "seed": (int, "blimp_sim.seed"),
    "real_time_factor": (float, "blimp_sim.real_time_factor, 0 = as fast as possible"),
    "plant_file": (str, "blimp_sim's plant: a preset (nominal, paper, light, heavy, laggy) or a plant file"),
    "initial_altitude_m": (float, "blimp_sim.initial_altitude_m, the start altitude (overrides the plant's)"),
}


def _given(context, *names):
    """{name: typed value} for each of ``names`` the user passed (non-empty) on the command line."""
    return given(context, OVERRIDES, *names)


PLANT_ARGS = ("plant_file", "initial_altitude_m")


def _plant(params_file, given):
    """blimp_sim's plant parameters pinned to the plant ``given`` asks for ({} when it asks nothing)."""
    if not given:
        return {}
    import yaml

    from snn_control.blimp.config import pin_plant

    with open(params_file) as f:
        data = yaml.safe_load(f) or {}
    sim = {}
    for key in ("/**", "blimp_sim", "/blimp_sim"):  # as ROS applies a parameter file's sections
        sim.update(((data.get(key) or {}).get("ros__parameters")) or {})
    sim.pop("use_sim_time", None)
    return pin_plant(sim, f"{params_file}: blimp_sim", given.get("plant_file"), given.get("initial_altitude_m"))[1]


def _nodes(context):
    params = LaunchConfiguration("params_file").perform(context)
    overrides = {
        "blimp_sim": {**_given(context, "seed", "real_time_factor"), **_plant(params, _given(context, *PLANT_ARGS))},
        "altitude_controller": _given(context, "controller"),
        "setpoint_schedule": {},
    }
    return [
        Node(package="snn_control", executable=name, name=name, output="screen",
             parameters=[params, extra] if extra else [params])
        for name, extra in overrides.items()
    ]


def generate_launch_description():
    default_params = os.path.join(get_package_share_directory("snn_control"), "config", "blimp.yaml")
    return LaunchDescription([
        DeclareLaunchArgument("params_file", default_value=default_params, description="ROS parameter file"),
        *(DeclareLaunchArgument(name, default_value="", description=f"{what}; empty: from params_file")
          for name, (_, what) in OVERRIDES.items()),
        SetEnvironmentVariable(
            "ROS_AUTOMATIC_DISCOVERY_RANGE",
            EnvironmentVariable("ROS_AUTOMATIC_DISCOVERY_RANGE", default_value="LOCALHOST"),
        ),
        OpaqueFunction(function=_nodes),
    ])
