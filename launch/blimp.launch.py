"""Blimp altitude graph: MuJoCo sim, altitude controller, set-point schedule.

    ros2 launch snn_control blimp.launch.py [controller:=pid|snn|pd_snn+pid_i] [seed:=0]
        [real_time_factor:=1.0] [params_file:=/path/to/blimp.yaml]

Without a ROS 2 install, ``snn-control launch blimp`` runs the same nodes from the same YAML.
Keep DDS on this machine with ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST.
"""

import os

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, SetEnvironmentVariable
from launch.substitutions import EnvironmentVariable, LaunchConfiguration
from launch_ros.actions import Node
from launch_ros.parameter_descriptions import ParameterValue


def generate_launch_description():
    default_params = os.path.join(get_package_share_directory("snn_control"), "config", "blimp.yaml")
    params = LaunchConfiguration("params_file")
    return LaunchDescription([
        DeclareLaunchArgument("params_file", default_value=default_params, description="ROS parameter file"),
        DeclareLaunchArgument("controller", default_value="snn", description="snn | pid | pd_snn+pid_i"),
        DeclareLaunchArgument("seed", default_value="0", description="simulator seed"),
        DeclareLaunchArgument("real_time_factor", default_value="1.0", description="0 = as fast as possible"),
        SetEnvironmentVariable(
            "ROS_AUTOMATIC_DISCOVERY_RANGE",
            EnvironmentVariable("ROS_AUTOMATIC_DISCOVERY_RANGE", default_value="LOCALHOST"),
        ),
        Node(
            package="snn_control",
            executable="blimp_sim",
            name="blimp_sim",
            output="screen",
            parameters=[params, {
                "seed": ParameterValue(LaunchConfiguration("seed"), value_type=int),
                "real_time_factor": ParameterValue(LaunchConfiguration("real_time_factor"), value_type=float),
            }],
        ),
        Node(
            package="snn_control",
            executable="altitude_controller",
            name="altitude_controller",
            output="screen",
            parameters=[params, {"controller": LaunchConfiguration("controller")}],
        ),
        Node(
            package="snn_control",
            executable="setpoint_schedule",
            name="setpoint_schedule",
            output="screen",
            parameters=[params],
        ),
    ])
