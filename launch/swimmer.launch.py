"""Swimmer graph: MuJoCo swimmer sim and NCAP controller (rate or spiking).

    ros2 launch snn_control swimmer.launch.py [params_file:=/path/to/swimmer.yaml]
        [variant:=rate|spiking] [n_links:=6] [seed:=0] [real_time_factor:=1.0]

Both nodes read ``params_file`` (default: the package's config/swimmer.yaml); ``variant``,
``n_links`` (applied to both nodes), ``seed`` and ``real_time_factor`` override the file only when
given, as in ``snn-control launch swimmer``, which runs the same nodes from the same YAML without
a ROS 2 install. Keep DDS on this machine with ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST (the default).
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
    "variant": (("rate", "spiking"), "ncap_controller.variant: rate | spiking"),
    "n_links": (int, "links of the swimmer body, both nodes"),
    "seed": (int, "swimmer_sim.seed, the episode seed"),
    "real_time_factor": (float, "swimmer_sim.real_time_factor, 0 = as fast as possible"),
}


def _given(context, *names):
    """{name: typed value} for each of ``names`` the user passed (non-empty) on the command line."""
    return given(context, OVERRIDES, *names)


def _nodes(context):
    params = LaunchConfiguration("params_file").perform(context)
    overrides = {
        "swimmer_sim": _given(context, "n_links", "seed", "real_time_factor"),
        "ncap_controller": _given(context, "variant", "n_links"),
    }
    return [
        Node(package="snn_control", executable=name, name=name, output="screen",
             parameters=[params, extra] if extra else [params])
        for name, extra in overrides.items()
    ]


def generate_launch_description():
    default_params = os.path.join(get_package_share_directory("snn_control"), "config", "swimmer.yaml")
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
