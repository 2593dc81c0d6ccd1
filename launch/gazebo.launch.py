"""Blimp altitude graph in Gazebo: gz sim in place of blimp_sim, the same controller and YAML.

    ros2 launch snn_control gazebo.launch.py [params_file:=/path/to/blimp.yaml]
        [controller:=pid|snn|pd_snn+pid_i] [world:=/path/to/world.sdf] [gz_args:="-r -s"]

For users with ROS 2 and Gazebo (gz sim Harmonic or later) with ``ros_gz_sim`` and
``ros_gz_bridge`` installed; it cannot run where they are not (they are not on PyPI), and
``snn-control launch`` has no Gazebo graph. Starts:

* ``gz sim`` with ``world`` (default: the package's sim/gazebo/blimp_world.sdf) through
  ros_gz_sim's gz_sim.launch.py, with ``gz_args`` before the world (``-r`` runs at once; add
  ``-s`` for no GUI);
* ros_gz_bridge's ``parameter_bridge`` with sim/gazebo/bridge.yaml (``/clock``, the lidar scan,
  the thrust force);
* ``scan_to_range`` (LaserScan -> ``/blimp/range``) and ``motor_to_thrust`` (``/blimp/motor_cmd``
  -> newtons), on sim time; motor_to_thrust takes ``thrust_mps2_per_unit`` and ``dead_zone`` from
  the params file's ``blimp_sim`` section;
* ``altitude_controller`` and ``setpoint_schedule`` from ``params_file`` (default: the package's
  config/blimp.yaml), exactly as blimp.launch.py starts them; ``controller`` overrides the file
  only when given.

The world is the nominal plant: the params file's other plant keys, ``plant_file`` and the
lockstep settings of ``blimp_sim`` do not apply to Gazebo (see the world file's header).
Keep DDS on this machine with ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST (the default here).
"""

import os

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, IncludeLaunchDescription, OpaqueFunction, SetEnvironmentVariable
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import EnvironmentVariable, LaunchConfiguration
from launch_ros.actions import Node

from snn_control.nodes.launch_args import given

OVERRIDES = {
    "controller": (("snn", "pid", "pd_snn+pid_i"), "altitude_controller.controller: snn | pid | pd_snn+pid_i"),
}
# motor_to_thrust's parameters that come from the params file's blimp_sim section
THRUST_KEYS = ("thrust_mps2_per_unit", "dead_zone")


def _thrust_params(params_file):
    """{key: value} of THRUST_KEYS that the params file's blimp_sim section sets."""
    import yaml

    with open(params_file) as f:
        data = yaml.safe_load(f) or {}
    sim = {}
    for key in ("/**", "blimp_sim", "/blimp_sim"):  # as ROS applies a parameter file's sections
        sim.update(((data.get(key) or {}).get("ros__parameters")) or {})
    return {key: float(sim[key]) for key in THRUST_KEYS if key in sim}


def _actions(context):
    share = get_package_share_directory("snn_control")
    params = LaunchConfiguration("params_file").perform(context)
    world = LaunchConfiguration("world").perform(context)
    gz_args = LaunchConfiguration("gz_args").perform(context).strip()
    gz_sim = os.path.join(get_package_share_directory("ros_gz_sim"), "launch", "gz_sim.launch.py")
    controller = given(context, OVERRIDES, "controller")
    return [
        IncludeLaunchDescription(PythonLaunchDescriptionSource(gz_sim),
                                 launch_arguments={"gz_args": f"{gz_args} {world}".strip()}.items()),
        Node(package="ros_gz_bridge", executable="parameter_bridge", name="gz_bridge", output="screen",
             parameters=[{"config_file": os.path.join(share, "sim", "gazebo", "bridge.yaml")}]),
        Node(package="snn_control", executable="scan_to_range", name="scan_to_range", output="screen",
             parameters=[{"use_sim_time": True}]),
        Node(package="snn_control", executable="motor_to_thrust", name="motor_to_thrust", output="screen",
             parameters=[{"use_sim_time": True, **_thrust_params(params)}]),
        Node(package="snn_control", executable="altitude_controller", name="altitude_controller", output="screen",
             parameters=[params, controller] if controller else [params]),
        Node(package="snn_control", executable="setpoint_schedule", name="setpoint_schedule", output="screen",
             parameters=[params]),
    ]


def generate_launch_description():
    share = get_package_share_directory("snn_control")
    return LaunchDescription([
        DeclareLaunchArgument("params_file", default_value=os.path.join(share, "config", "blimp.yaml"),
                              description="ROS parameter file (altitude_controller, setpoint_schedule, blimp_sim)"),
        DeclareLaunchArgument("world", default_value=os.path.join(share, "sim", "gazebo", "blimp_world.sdf"),
                              description="SDF world for gz sim"),
        DeclareLaunchArgument("gz_args", default_value="-r", description="gz sim arguments before the world"),
        *(DeclareLaunchArgument(name, default_value="", description=f"{what}; empty: from params_file")
          for name, (_, what) in OVERRIDES.items()),
        SetEnvironmentVariable(
            "ROS_AUTOMATIC_DISCOVERY_RANGE",
            EnvironmentVariable("ROS_AUTOMATIC_DISCOVERY_RANGE", default_value="LOCALHOST"),
        ),
        OpaqueFunction(function=_actions),
    ])
