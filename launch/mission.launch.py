"""Mission graph: the blimp flies a route by its SNN pair while the coordinator arbitrates the
motors, follows the mission's region altitudes from place recognition and turns SpikePoint's
recognized gestures into set-points; a fault injector sits on the range sensor's path.

    ros2 launch snn_control mission.launch.py [params_file:=/path/to/mission.yaml]
        [mission_file:=/path/mission.yaml] [inject:=sensor_dropout:2s@30,sensor_nan@60] [seed:=0]
        [real_time_factor:=1.0] [controller:=snn|pid|pd_snn+pid_i]

Every node reads ``params_file`` (default: the package's config/mission.yaml); the arguments
override the file only when given, as in ``snn-control launch mission``, which runs the same
nodes, remappings and YAML in one process without a ROS 2 install. Remappings (as there):
blimp_sim publishes blimp/range_raw, which the fault injector forwards as blimp/range; the
altitude controller publishes blimp/snn_cmd, and the coordinator alone drives blimp/motor_cmd.
The simulator, the altitude controller and both recognizers are lifecycle nodes started with
``autostart: false``: the coordinator configures and activates them in order (the simulator last,
so time starts once everyone listens) and keeps a ``get_state`` heartbeat on them, as Nav2's
lifecycle manager does. The supervised nodes (the altitude controller and both recognizers)
respawn when their process dies, come back unconfigured, and the coordinator brings them up
again; ``inject`` takes the wire faults (crash faults: stop the process, e.g. ``pkill -f
altitude_controller``, and watch the coordinator fall back and the node respawn). Keep DDS on
this machine with ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST (the default here).
"""

import os

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, OpaqueFunction, SetEnvironmentVariable
from launch.substitutions import EnvironmentVariable, LaunchConfiguration
from launch_ros.actions import Node

from snn_control.bringup import GRAPHS
from snn_control.coordinator.node_config import SUPERVISED
from snn_control.nodes.launch_args import given

# argument: (type or choices, what it sets); empty (the default) = not given, params_file decides
OVERRIDES = {
    "mission_file": (str, "coordinator/cue_camera/route_camera.mission_file (empty: config/missions/corridor.yaml)"),
    "inject": (str, "fault_injector.inject, KIND[:DUR]@T,... (the wire faults)"),
    "seed": (int, "blimp_sim.seed and fault_injector.seed"),
    "real_time_factor": (float, "blimp_sim.real_time_factor, 0 = as fast as possible"),
    "controller": (("snn", "pid", "pd_snn+pid_i"), "altitude_controller.controller"),
}
MISSION_NODES = ("coordinator", "cue_camera", "route_camera")


def _nodes(context):
    params = LaunchConfiguration("params_file").perform(context)
    values = given(context, OVERRIDES, *OVERRIDES)
    overrides = {name: {} for name in GRAPHS["mission"].nodes}
    for name in MISSION_NODES:
        overrides[name].update({k: v for k, v in values.items() if k == "mission_file"})
    overrides["fault_injector"].update({k: v for k, v in values.items() if k in ("inject", "seed")})
    overrides["blimp_sim"].update({k: v for k, v in values.items() if k in ("seed", "real_time_factor")})
    overrides["altitude_controller"].update({k: v for k, v in values.items() if k == "controller"})
    remaps = GRAPHS["mission"].remaps
    return [
        Node(package="snn_control", executable=name, name=name, output="screen",
             parameters=[params, extra] if extra else [params],
             remappings=list(remaps.get(name, {}).items()),
             respawn=name in SUPERVISED, respawn_delay=1.0)
        for name, extra in overrides.items()
    ]


def generate_launch_description():
    default_params = os.path.join(get_package_share_directory("snn_control"), "config", "mission.yaml")
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
