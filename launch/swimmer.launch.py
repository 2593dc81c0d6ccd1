"""Swimmer graph: MuJoCo swimmer sim and NCAP controller (rate or spiking).

    ros2 launch snn_control swimmer.launch.py [variant:=rate|spiking] [n_links:=6] [seed:=0]
        [real_time_factor:=1.0] [params_file:=/path/to/swimmer.yaml]

Without a ROS 2 install, ``snn-control launch swimmer`` runs the same nodes from the same YAML.
"""

import os

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, SetEnvironmentVariable
from launch.substitutions import EnvironmentVariable, LaunchConfiguration
from launch_ros.actions import Node
from launch_ros.parameter_descriptions import ParameterValue


def generate_launch_description():
    default_params = os.path.join(get_package_share_directory("snn_control"), "config", "swimmer.yaml")
    params = LaunchConfiguration("params_file")
    n_links = ParameterValue(LaunchConfiguration("n_links"), value_type=int)
    return LaunchDescription([
        DeclareLaunchArgument("params_file", default_value=default_params, description="ROS parameter file"),
        DeclareLaunchArgument("variant", default_value="rate", description="rate | spiking"),
        DeclareLaunchArgument("n_links", default_value="6", description="links of the swimmer body"),
        DeclareLaunchArgument("seed", default_value="0", description="episode seed"),
        DeclareLaunchArgument("real_time_factor", default_value="1.0", description="0 = as fast as possible"),
        SetEnvironmentVariable(
            "ROS_AUTOMATIC_DISCOVERY_RANGE",
            EnvironmentVariable("ROS_AUTOMATIC_DISCOVERY_RANGE", default_value="LOCALHOST"),
        ),
        Node(
            package="snn_control",
            executable="swimmer_sim",
            name="swimmer_sim",
            output="screen",
            parameters=[params, {
                "n_links": n_links,
                "seed": ParameterValue(LaunchConfiguration("seed"), value_type=int),
                "real_time_factor": ParameterValue(LaunchConfiguration("real_time_factor"), value_type=float),
            }],
        ),
        Node(
            package="snn_control",
            executable="ncap_controller",
            name="ncap_controller",
            output="screen",
            parameters=[params, {"variant": LaunchConfiguration("variant"), "n_links": n_links}],
        ),
    ])
