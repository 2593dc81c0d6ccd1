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
}


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
    install_requires=["setuptools", "numpy", "pyyaml"],
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
