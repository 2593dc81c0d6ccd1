"""Perception graph: an event camera (emulated DVS on the MuJoCo gesture scene, or a replay) and
SpikePoint action recognition; an image replay (a query traverse) and place recognition.

    ros2 launch snn_control perception.launch.py [params_file:=/path/to/perception.yaml]
        [source:=scene|replay] [replay_file:=/path/events.npy] [subject_seed:=90210] [seed:=0]
        [real_time_factor:=1.0] [early_exit:=0.0] [model:=/path/model.pt]
        [place_model:=/path/places.npz] [query_source:=synth|folder] [query_folder:=/path/dataset]
        [query_traverse:=summer] [query_images:=40]

Every node reads ``params_file`` (default: the package's config/perception.yaml); the arguments
override the file only when given, as in ``snn-control launch perception``, which runs the same
nodes from the same YAML without a ROS 2 install. The recognizer publishes /perception/action
and /perception/action_scores; place recognition publishes /place/match. Keep DDS on this machine
with ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST (the default here).
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
    "source": (("scene", "replay"), "event_camera.source: scene | replay"),
    "replay_file": (str, "event_camera.replay_file, a .npy of the event record"),
    "subject_seed": (int, "event_camera.subject_seed, the person performing"),
    "seed": (int, "event_camera.seed"),
    "real_time_factor": (float, "event_camera.real_time_factor, 0 = as fast as possible"),
    "early_exit": (float, "action_recognition.early_exit, 0 = all time steps"),
    "model": (str, "action_recognition.model, a SpikePoint artifact (empty: the shipped one)"),
    "place_model": (str, "place_recognition.model, a place model .npz (empty: the shipped one)"),
    "query_source": (("synth", "folder"), "image_replay.source: synth | folder"),
    "query_folder": (str, "image_replay.folder, a data set of traverse folders"),
    "query_traverse": (str, "image_replay.traverse, the query traverse"),
    "query_images": (int, "image_replay.n_images, 0 = a folder traverse to its end"),
}
# argument -> parameter, where the names differ
PARAMETER = {"place_model": "model", "query_source": "source", "query_folder": "folder",
             "query_traverse": "traverse", "query_images": "n_images"}


def _given(context, *names):
    """{parameter: typed value} for each of ``names`` the user passed (non-empty) on the command line."""
    return {PARAMETER.get(k, k): v for k, v in given(context, OVERRIDES, *names).items()}


def _nodes(context):
    params = LaunchConfiguration("params_file").perform(context)
    overrides = {
        "event_camera": _given(context, "source", "replay_file", "subject_seed", "seed", "real_time_factor"),
        "action_recognition": _given(context, "early_exit", "model"),
        "image_replay": _given(context, "query_source", "query_folder", "query_traverse", "query_images"),
        "place_recognition": _given(context, "place_model"),
    }
    return [
        Node(package="snn_control", executable=name, name=name, output="screen",
             parameters=[params, extra] if extra else [params])
        for name, extra in overrides.items()
    ]


def generate_launch_description():
    default_params = os.path.join(get_package_share_directory("snn_control"), "config", "perception.yaml")
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
