"""ament_python build for snn_control (also a plain pip-installable package)."""

from glob import glob
import os

from setuptools import find_packages, setup

PACKAGE = "snn_control"

NODES = {
    "blimp_sim": "snn_control.nodes.blimp_sim:main",
    "altitude_controller": "snn_control.nodes.altitude_controller:main",
    "setpoint_schedule": "snn_control.nodes.setpoint_schedule:main",
    "swimmer_sim": "snn_control.nodes.swimmer_sim:main",
    "ncap_controller": "snn_control.nodes.ncap_controller:main",
    "event_camera": "snn_control.nodes.event_camera:main",
    "action_recognition": "snn_control.nodes.action_recognition:main",
    "image_replay": "snn_control.nodes.image_replay:main",
    "place_recognition": "snn_control.nodes.place_recognition:main",
    "coordinator": "snn_control.nodes.coordinator:main",
    "fault_injector": "snn_control.nodes.fault_injector:main",
    "cue_camera": "snn_control.nodes.cue_camera:main",
    "route_camera": "snn_control.nodes.route_camera:main",
    "scan_to_range": "snn_control.nodes.scan_to_range:main",
    "motor_to_thrust": "snn_control.nodes.motor_to_thrust:main",
}


# What each use needs (docs/install.md). The control step itself needs numpy alone: the base
# install is the on-board runtime, and `[runtime]` names it explicitly and pulls nothing else.
# Exact, tested versions of everything live in requirements.txt (use it as a constraints file:
# pip install -c requirements.txt ".[sim,train]"); these are the ranges the code needs.
RUNTIME = ["numpy>=1.23"]
SIM = ["pyyaml>=6", "mujoco==3.17.0", "dm_control==1.0.50", "gymnasium>=1.0,<2", "matplotlib>=3.7",
       "tqdm>=4.60", "pillow>=9"]
TRAIN = ["deap>=1.4", "scipy>=1.10", "nir>=1.0", "numba>=0.61"]  # numba: the twin's compiled batch loop
PERCEPTION = ["torch==2.13.0", "opencv-python-headless>=4.8"]  # CPU wheel: see docs/install.md
RAY = ["ray>=2.60"]  # the population map on a Ray cluster (--backend ray); tested with 2.60.0
# ROS 2 Kilted from PyPI wheels, for machines without a ROS 2 install. With /opt/ros/<distro>
# sourced, leave this extra out: rclpy and the messages come from the system.
ROS_WHEELS = [
    "ros-rclpy==9.1.2", "ros-rmw-fastrtps-cpp==9.3.3", "ros-ament-index-python==1.11.0",
    "ros-builtin-interfaces==2.3.0", "ros-rcl-interfaces==2.3.0", "ros-rosgraph-msgs==2.3.0",
    "ros-std-msgs==5.5.1", "ros-sensor-msgs==5.5.1", "ros-geometry-msgs==5.5.1", "ros-diagnostic-msgs==5.5.1",
]
EXTRAS = {
    "runtime": RUNTIME,
    "sim": SIM,
    "train": SIM + TRAIN,
    "perception": SIM + PERCEPTION,
    "ray": RAY,
    "ros-wheels": ROS_WHEELS,
    "test": ["pytest>=7"],
}
# everything but the ROS wheels (add them with [all,ros-wheels] where there is no ROS 2 install)
EXTRAS["all"] = sorted({req for name, reqs in EXTRAS.items() if name != "ros-wheels" for req in reqs})


def _data_files():
    files = [
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
    ]
    for folder in ("launch", "config", "sim"):
        for path in sorted(glob(f"{folder}/**/*", recursive=True)):
            if os.path.isfile(path):
                files.append((f"share/{PACKAGE}/{os.path.dirname(path)}", [path]))
    return files


setup(
    name=PACKAGE,
    version="0.1.0",
    packages=find_packages(exclude=["test", "test.*", "bench"]),
    package_data={PACKAGE: ["artifacts/data/*", "artifacts/data/**/*"]},
    include_package_data=True,
    data_files=_data_files(),
    python_requires=">=3.10",
    install_requires=RUNTIME,
    extras_require=EXTRAS,
    zip_safe=False,
    maintainer="snn_control maintainers",
    maintainer_email="maintainers@snn-control.invalid",
    description="Spiking neural network controllers and perception for ROS 2 robots.",
    license="Apache-2.0",
    tests_require=["pytest"],
    entry_points={
        "console_scripts": [f"{name} = {target}" for name, target in NODES.items()]
        + ["snn-control = snn_control.cli:main"],
    },
)
