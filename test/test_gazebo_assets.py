"""The Gazebo assets (sim/gazebo/) cannot drift from the MuJoCo blimp, the YAML or the topic contract.

Gazebo cannot be installed here, so nothing below runs gz sim. What is checked:

* the world's structure, with lxml, as gz sim needs it (world, physics, systems, models, the
  blimp's link, joint, sensor and plugins), and every number of the blimp against sim/blimp.xml
  (compiled by MuJoCo) and config/blimp.yaml;
* the world with libsdformat itself (``gz sdf -k``'s check, ``cmdCheck`` of libsdformat12, SDF 1.9)
  and every element and attribute against the SDF 1.9 spec files, where Debian's
  ``libsdformat12-12`` is installed (skipped otherwise, saying so);
* bridge.yaml: each entry a type pair ros_gz_bridge converts, each ROS topic one of the contract
  (DESIGN.md section 4) with its type or a relay's, each gz topic one the world publishes or reads;
* the two relay nodes in process (a scan in -> a Range out; a WrenchStamped in -> newtons out);
* launch/gazebo.launch.py, loaded against stand-ins as test_launch_files.py does.
"""

import ctypes
import importlib
import importlib.util
import math
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest
import yaml
from lxml import etree

from snn_control.blimp.gz_thrust import BLIMP_MASS_KG, MotorToThrustConfig, thrust_force_n
from snn_control.blimp.scan_range import ScanToRangeConfig
from snn_control.blimp.tof import ToFSensor

ROOT = Path(__file__).resolve().parent.parent
WORLD = ROOT / "sim" / "gazebo" / "blimp_world.sdf"
BRIDGE = ROOT / "sim" / "gazebo" / "bridge.yaml"
SDFORMAT_LIB = "libsdformat12.so.12"
SDF_SPEC = Path("/usr/share/sdformat12/1.9")
APT_HINT = "apt-get install libsdformat12-12 (Debian/Ubuntu) to run it"

# DESIGN.md section 4, the blimp's rows: topic -> ROS type.
CONTRACT = {
    "/clock": "rosgraph_msgs/msg/Clock",
    "/blimp/range": "sensor_msgs/msg/Range",
    "/blimp/altitude_setpoint": "geometry_msgs/msg/PointStamped",
    "/blimp/motor_cmd": "geometry_msgs/msg/WrenchStamped",
}
# Topics between Gazebo and the relays (not in the contract): topic -> (ROS type, relay, contract topic).
RELAYED = {
    "/blimp/scan": ("sensor_msgs/msg/LaserScan", "scan_to_range", "/blimp/range"),
    "/blimp/thrust_n": ("std_msgs/msg/Float64", "motor_to_thrust", "/blimp/motor_cmd"),
}
# ros_gz_bridge's conversions (its README's table) for the types that matter here.
BRIDGE_PAIRS = {
    ("rosgraph_msgs/msg/Clock", "gz.msgs.Clock"),
    ("sensor_msgs/msg/LaserScan", "gz.msgs.LaserScan"),
    ("std_msgs/msg/Float64", "gz.msgs.Double"),
    ("geometry_msgs/msg/Wrench", "gz.msgs.Wrench"),
    ("geometry_msgs/msg/WrenchStamped", "gz.msgs.Wrench"),
    ("geometry_msgs/msg/PointStamped", "gz.msgs.Vector3d"),
}
UNBRIDGEABLE = {"sensor_msgs/msg/Range"}  # no gz.msgs conversion: why scan_to_range exists


# -- fixtures ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world():
    doc = etree.parse(str(WORLD))
    (w,) = doc.getroot().findall("world")
    return w


@pytest.fixture(scope="module")
def blimp(world):
    (model,) = [m for m in world.findall("model") if m.get("name") == "blimp"]
    return model


@pytest.fixture(scope="module")
def mjcf():
    mujoco = pytest.importorskip("mujoco")
    return mujoco.MjModel.from_xml_path(str(ROOT / "sim" / "blimp.xml"))


@pytest.fixture(scope="module")
def config():
    return yaml.safe_load((ROOT / "config" / "blimp.yaml").read_text())


def floats(text: str) -> np.ndarray:
    return np.array([float(x) for x in text.split()])


def plugin(parent, name: str):
    (p,) = [p for p in parent.findall("plugin") if p.get("name") == f"gz::sim::systems::{name}"]
    return p


# -- the world's structure -----------------------------------------------------------------------

def test_world_has_what_gz_sim_needs(world):
    root = world.getparent()
    assert root.tag == "sdf" and root.get("version") == "1.9"
    assert float(world.find("physics/max_step_size").text) > 0
    for name, filename in (("Physics", "gz-sim-physics-system"), ("UserCommands", "gz-sim-user-commands-system"),
                           ("SceneBroadcaster", "gz-sim-scene-broadcaster-system"),
                           ("Sensors", "gz-sim-sensors-system"),
                           ("ApplyLinkWrench", "gz-sim-apply-link-wrench-system")):
        assert plugin(world, name).get("filename") == filename
    assert plugin(world, "Sensors").findtext("render_engine") == "ogre2"  # gpu_lidar renders
    assert sorted(m.get("name") for m in world.findall("model")) == ["blimp", "ground_plane"]


def test_names_are_unique_among_siblings(world):
    """libsdformat refuses a collision and a visual of one name in a link (it caught this once)."""
    for element in world.iter():
        names = [c.get("name") for c in element if isinstance(c.tag, str) and c.get("name") is not None
                 and c.tag != "plugin"]
        assert len(names) == len(set(names)), f"<{element.tag} name={element.get('name')!r}>: {names}"


def test_floor_is_mujocos(world, mjcf):
    (ground,) = [m for m in world.findall("model") if m.get("name") == "ground_plane"]
    assert ground.findtext("static") == "true"
    floor = mjcf.geom("floor")
    for shape in ground.iter("plane"):
        assert list(floats(shape.findtext("normal"))) == [0, 0, 1]
        assert floats(shape.findtext("size")) == pytest.approx(2 * floor.size[:2])  # MuJoCo: half-sizes
    assert len(list(ground.iter("collision"))) == 1
    assert floats(world.findtext("gravity")) == pytest.approx(mjcf.opt.gravity)


# -- the blimp against sim/blimp.xml and config/blimp.yaml --------------------------------------

def test_body_is_mujocos(blimp, mjcf):
    (link,) = blimp.findall("link")
    body = mjcf.body("blimp")
    inertial = link.find("inertial")
    mass = float(inertial.findtext("mass"))
    assert mass == pytest.approx(body.mass[0], rel=1e-10)
    assert mass == pytest.approx(BLIMP_MASS_KG, rel=1e-12) and MotorToThrustConfig().mass_kg == BLIMP_MASS_KG
    assert floats(inertial.findtext("pose")) == pytest.approx([*body.ipos, 0, 0, 0])
    inertia = inertial.find("inertia")
    diag = [float(inertia.findtext(k)) for k in ("ixx", "iyy", "izz")]
    assert diag == pytest.approx(body.inertia, rel=1e-9)
    assert [float(inertia.findtext(k)) for k in ("ixy", "ixz", "iyz")] == [0, 0, 0]
    assert np.allclose(body.iquat, [1, 0, 0, 0])  # principal axes are the body's, as the SDF says


def _shape(link, kind: str, name: str):
    (element,) = [e for e in link.findall(kind) if e.get("name") == name]
    return element


def test_shapes_are_mujocos(blimp, mjcf):
    link = blimp.find("link")
    envelope, gondola, shaft = mjcf.geom("envelope"), mjcf.geom("gondola"), mjcf.geom("shaft")
    v = _shape(link, "visual", "envelope")
    assert floats(v.findtext("geometry/ellipsoid/radii")) == pytest.approx(envelope.size)
    assert floats(v.findtext("pose"))[:3] == pytest.approx(envelope.pos)
    for kind in ("collision", "visual"):
        g = _shape(link, kind, f"gondola_{kind}")
        assert floats(g.findtext("geometry/box/size")) == pytest.approx(2 * gondola.size)
        assert floats(g.findtext("pose"))[:3] == pytest.approx(gondola.pos)
    s = _shape(link, "visual", "shaft")
    assert float(s.findtext("geometry/cylinder/radius")) == pytest.approx(shaft.size[0])
    assert float(s.findtext("geometry/cylinder/length")) == pytest.approx(2 * shaft.size[1])
    # only the gondola collides, as in MuJoCo (envelope and shaft have contype 0)
    assert [c.get("name") for c in link.findall("collision")] == ["gondola_collision"]
    assert mjcf.geom("envelope").contype == 0 and mjcf.geom("shaft").contype == 0 and gondola.contype == 1


def test_slides_on_one_vertical_joint_from_the_start_altitude(blimp, mjcf, config):
    (joint,) = blimp.findall("joint")
    assert joint.get("type") == "prismatic" and joint.get("name") == "z"
    assert joint.findtext("parent") == "world" and joint.findtext("child") == "blimp"
    assert list(floats(joint.findtext("axis/xyz"))) == [0, 0, 1]
    assert list(mjcf.jnt_axis[mjcf.joint("z").id]) == [0, 0, 1] and mjcf.njnt == 1
    assert floats(blimp.findtext("pose")) == pytest.approx(
        [0, 0, config["blimp_sim"]["ros__parameters"]["initial_altitude_m"], 0, 0, 0])


def test_buoyancy_leaves_the_heaviness_of_the_yaml_and_mujoco(world, blimp, mjcf, config):
    (wrench,) = plugin(world, "ApplyLinkWrench").findall("persistent")
    assert wrench.findtext("entity_name") == blimp.get("name") and wrench.findtext("entity_type") == "model"
    force = floats(wrench.findtext("force"))
    assert list(force[:2]) == [0, 0] and list(floats(wrench.findtext("torque"))) == [0, 0, 0]
    mass, g = BLIMP_MASS_KG, -mjcf.opt.gravity[2]
    heaviness = config["blimp_sim"]["ros__parameters"]["heaviness_mps2"]
    assert force[2] == pytest.approx(mass * (g - heaviness), rel=1e-9)
    assert force[2] == pytest.approx(mass * g * mjcf.body_gravcomp[mjcf.body("blimp").id], rel=1e-9)


def test_hover_needs_the_same_motor_units_as_mujoco(world, config):
    """Weight minus buoyancy is what motor_to_thrust gives at +3 units (g_b / k)."""
    params = config["blimp_sim"]["ros__parameters"]
    buoyancy = floats(plugin(world, "ApplyLinkWrench").findtext("persistent/force"))[2]
    deficit = BLIMP_MASS_KG * 9.81 - buoyancy
    hover = params["heaviness_mps2"] / params["thrust_mps2_per_unit"]
    assert hover == pytest.approx(3.0)
    thrust = MotorToThrustConfig(thrust_mps2_per_unit=params["thrust_mps2_per_unit"], dead_zone=params["dead_zone"])
    assert thrust_force_n(hover, thrust) == pytest.approx(deficit, rel=1e-6)


def test_drag_is_mujocos_inertia_box_drag(blimp, mjcf, config):
    from snn_control.blimp.dynamics import BlimpDynamics

    hydro = plugin(blimp, "Hydrodynamics")
    assert hydro.findtext("link_name") == blimp.find("link").get("name")
    z_wabsw = float(hydro.findtext("zWabsW"))
    c = config["blimp_sim"]["ros__parameters"]["drag_per_m"]
    assert z_wabsw == pytest.approx(-BLIMP_MASS_KG * c, rel=1e-9)
    assert z_wabsw == pytest.approx(-BLIMP_MASS_KG * BlimpDynamics.from_mujoco(mjcf).drag_per_m, rel=1e-9)
    others = {e.tag for e in hydro} - {"link_name", "zWabsW"}
    assert not others, f"Hydrodynamics sets more than heave drag: {others}"


def test_thrust_input_and_relay_match_the_yaml(blimp, mjcf, config):
    force = plugin(blimp, "ApplyJointForce")
    assert force.findtext("joint_name") == blimp.find("joint").get("name")
    params = config["blimp_sim"]["ros__parameters"]
    default = MotorToThrustConfig()
    assert default.thrust_mps2_per_unit == params["thrust_mps2_per_unit"]
    assert default.dead_zone == params["dead_zone"]
    gear = mjcf.actuator("thrust").gear[0]  # MuJoCo's N per motor unit
    assert thrust_force_n(7.0, default) == pytest.approx(7.0 * gear, rel=1e-9)
    assert default.u_max == mjcf.actuator("thrust").ctrlrange[1]


def test_tof_is_the_contracts_range_sensor(blimp, mjcf, config):
    (sensor,) = blimp.find("link").findall("sensor")
    assert sensor.get("type") == "gpu_lidar"
    controller = config["altitude_controller"]["ros__parameters"]
    sim = config["blimp_sim"]["ros__parameters"]
    tof = ToFSensor()
    lidar = sensor.find("lidar")
    assert float(lidar.findtext("range/min")) == controller["min_range_m"] == tof.min_m
    assert float(lidar.findtext("range/max")) == controller["max_range_m"] == tof.max_m
    assert float(lidar.findtext("range/resolution")) == tof.resolution_m
    assert lidar.findtext("noise/type") == "gaussian"
    assert float(lidar.findtext("noise/stddev")) == sim["range_noise_std_m"]
    assert float(sensor.findtext("update_rate")) == pytest.approx(1 / sim["control_period_s"])
    h = lidar.find("scan/horizontal")
    span = float(h.findtext("max_angle")) - float(h.findtext("min_angle"))
    assert span == pytest.approx(tof.field_of_view_rad)
    assert ScanToRangeConfig().field_of_view_rad == tof.field_of_view_rad
    assert int(lidar.findtext("scan/vertical/samples")) == 1
    # at MuJoCo's site "tof", pointing down: the sensor's x axis (its rays) rotated by the pose
    pose = floats(sensor.findtext("pose"))
    assert pose[:3] == pytest.approx(mjcf.site("tof").pos)
    roll, pitch, yaw = pose[3:]
    ray = np.array([math.cos(pitch) * math.cos(yaw), math.cos(pitch) * math.sin(yaw), -math.sin(pitch)])
    assert ray == pytest.approx([0, 0, -1], abs=1e-12)


# -- libsdformat and the SDF 1.9 spec (where Debian's libsdformat12-12 is installed) -----------

def _sdformat_check(path: Path) -> subprocess.CompletedProcess:
    """``gz sdf -k PATH``: libsdformat's cmdCheck, in a child process (it prints from C++)."""
    code = f"import ctypes, sys; sys.exit(ctypes.CDLL({SDFORMAT_LIB!r}).cmdCheck({str(path).encode()!r}) != 0)"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def _have_sdformat() -> bool:
    try:
        ctypes.CDLL(SDFORMAT_LIB)
    except OSError:
        return False
    return True


needs_sdformat = pytest.mark.skipif(not _have_sdformat(), reason=f"{SDFORMAT_LIB} not installed; {APT_HINT}")
needs_spec = pytest.mark.skipif(not SDF_SPEC.is_dir(), reason=f"{SDF_SPEC} not installed; {APT_HINT}")


@needs_sdformat
def test_libsdformat_accepts_the_world():
    result = _sdformat_check(WORLD)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Valid." in result.stdout


@needs_sdformat
def test_libsdformat_check_is_live(tmp_path):
    """The same check refuses a broken copy (a negative mass), so a pass above means something."""
    bad = tmp_path / "bad.sdf"
    bad.write_text(WORLD.read_text().replace("<mass>0.44711318612</mass>", "<mass>-1</mass>"))
    result = _sdformat_check(bad)
    assert result.returncode != 0 and "invalid inertia" in result.stdout + result.stderr


class Spec:
    """The SDF 1.9 spec's description files (``<element>``, ``<attribute>``, ``<include>``)."""

    def __init__(self, folder: Path) -> None:
        self.folder, self._files = folder, {}

    def root(self, filename: str):
        if filename not in self._files:
            self._files[filename] = etree.parse(str(self.folder / filename)).getroot()
        return self._files[filename]

    def children(self, desc) -> tuple[dict, bool]:
        """{child tag: its description}, and whether any child is allowed (plugin data)."""
        out, free = {}, False
        for c in desc:
            if c.tag == "element" and c.get("copy_data") == "true":
                free = True
            elif c.tag == "element":
                out[c.get("name")] = self.root(f"{c.get('ref')}.sdf") if c.get("ref") else c
            elif c.tag == "include" and (self.folder / c.get("filename")).is_file():
                included = self.root(c.get("filename"))
                out[included.get("name")] = included
            # Debian's sdformat-sdf lacks navsat.sdf (sensor.sdf includes it): a <navsat> would be
            # reported as not in the spec, never passed unchecked.
        return out, free

    def problems(self, element, desc, where: str = "") -> list[str]:
        where = f"{where}/{element.tag}"
        found = [f"{where}: attribute {a!r} is not in the spec" for a in element.attrib
                 if a not in {d.get("name") for d in desc.findall("attribute")}]
        children, free = self.children(desc)
        for child in element:
            if not isinstance(child.tag, str):
                continue  # a comment
            if child.tag in children:
                found += self.problems(child, children[child.tag], where)
            elif not free:
                found.append(f"{where}: <{child.tag}> is not in the spec")
        return found


@needs_spec
def test_every_element_and_attribute_is_in_the_sdf_1_9_spec():
    spec = Spec(SDF_SPEC)
    assert spec.problems(etree.parse(str(WORLD)).getroot(), spec.root("root.sdf")) == []


@needs_spec
def test_spec_check_is_live():
    spec = Spec(SDF_SPEC)
    text = WORLD.read_text().replace("<update_rate>10</update_rate>", "<update_rte>10</update_rte>")
    bad = etree.fromstring(text.encode())
    assert spec.problems(bad, spec.root("root.sdf")) == [
        "/sdf/world/model/link/sensor: <update_rte> is not in the spec"]


# -- bridge.yaml ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bridge():
    entries = yaml.safe_load(BRIDGE.read_text())
    assert isinstance(entries, list) and entries
    return entries


def test_bridge_entries_are_conversions_ros_gz_bridge_has(bridge):
    keys = {"ros_topic_name", "gz_topic_name", "ros_type_name", "gz_type_name", "direction"}
    for e in bridge:
        assert set(e) == keys, e
        assert (e["ros_type_name"], e["gz_type_name"]) in BRIDGE_PAIRS, e
        assert e["direction"] in ("GZ_TO_ROS", "ROS_TO_GZ"), e
        assert e["ros_type_name"] not in UNBRIDGEABLE


def test_bridge_ros_topics_are_the_contracts_or_a_relays(bridge):
    for e in bridge:
        topic, kind = e["ros_topic_name"], e["ros_type_name"]
        assert topic in CONTRACT or topic in RELAYED, topic
        assert kind == (CONTRACT[topic] if topic in CONTRACT else RELAYED[topic][0]), topic


def test_bridge_gz_topics_are_the_worlds(bridge, world, blimp):
    by_ros = {e["ros_topic_name"]: e for e in bridge}
    assert by_ros["/clock"]["gz_topic_name"] == "/clock" and by_ros["/clock"]["direction"] == "GZ_TO_ROS"
    sensor = blimp.find("link/sensor")
    assert by_ros["/blimp/scan"]["gz_topic_name"] == sensor.findtext("topic")
    assert by_ros["/blimp/scan"]["direction"] == "GZ_TO_ROS"
    joint = plugin(blimp, "ApplyJointForce").findtext("joint_name")
    assert by_ros["/blimp/thrust_n"]["gz_topic_name"] == f"/model/{blimp.get('name')}/joint/{joint}/cmd_force"
    assert by_ros["/blimp/thrust_n"]["direction"] == "ROS_TO_GZ"


def test_gazebo_graph_covers_what_blimp_sim_does(bridge):
    """blimp_sim publishes /clock and /blimp/range and reads /blimp/motor_cmd; so does bridge + relays."""
    bridged = {e["ros_topic_name"] for e in bridge}
    provided = (bridged & set(CONTRACT)) | {contract for topic, (_, _, contract) in RELAYED.items() if topic in bridged}
    assert provided == {"/clock", "/blimp/range", "/blimp/motor_cmd"}


# -- the relay nodes, in process -------------------------------------------------------------------

def _spin_until(executor, done, timeout_s=5.0):
    import time

    end = time.monotonic() + timeout_s
    while not done() and time.monotonic() < end:
        executor.spin_once(timeout_sec=0.05)


@pytest.fixture
def ros_context():
    rclpy = pytest.importorskip("rclpy")
    ctx = rclpy.Context()
    rclpy.init(args=[], context=ctx)
    yield ctx
    rclpy.shutdown(context=ctx)


def test_relays_turn_gazebo_messages_into_the_contracts(ros_context):
    from geometry_msgs.msg import WrenchStamped
    from rclpy.executors import SingleThreadedExecutor
    from rclpy.node import Node
    from rclpy.qos import qos_profile_sensor_data
    from sensor_msgs.msg import LaserScan, Range
    from std_msgs.msg import Float64

    from snn_control.nodes.motor_to_thrust import MotorToThrustNode
    from snn_control.nodes.scan_to_range import ScanToRangeNode

    executor = SingleThreadedExecutor(context=ros_context)
    relays = [ScanToRangeNode(context=ros_context), MotorToThrustNode(context=ros_context)]
    probe = Node("probe", context=ros_context)
    for node in (*relays, probe):
        executor.add_node(node)
    ranges, forces = [], []
    probe.create_subscription(Range, "/blimp/range", ranges.append, qos_profile_sensor_data)
    probe.create_subscription(Float64, "/blimp/thrust_n", forces.append, 10)
    scan_pub = probe.create_publisher(LaserScan, "/blimp/scan", qos_profile_sensor_data)
    cmd_pub = probe.create_publisher(WrenchStamped, "/blimp/motor_cmd", 10)
    scan = LaserScan(angle_min=-0.02, angle_max=0.02, range_min=0.3, range_max=12.0, ranges=[1.27, 1.25, math.inf])
    scan.header.stamp.sec, scan.header.frame_id = 42, "blimp/link/tof"
    cmd = WrenchStamped()
    cmd.wrench.force.z = 3.0
    try:
        _spin_until(executor, lambda: scan_pub.get_subscription_count() and cmd_pub.get_subscription_count())
        scan_pub.publish(scan)
        cmd_pub.publish(cmd)
        _spin_until(executor, lambda: ranges and forces)
    finally:
        executor.shutdown()
        for node in (*relays, probe):
            node.destroy_node()
    (r,) = ranges
    assert r.range == pytest.approx(1.25) and r.header.stamp.sec == 42 and r.header.frame_id == "tof"
    assert (r.min_range, r.max_range) == (pytest.approx(0.3), pytest.approx(12.0))
    assert r.field_of_view == pytest.approx(0.04) and r.radiation_type == Range.INFRARED
    (f,) = forces
    assert f.data == pytest.approx(BLIMP_MASS_KG * 0.3)


# -- launch/gazebo.launch.py ------------------------------------------------------------------------

def _launch_helpers():
    spec = importlib.util.spec_from_file_location("_launch_file_helpers", ROOT / "test" / "test_launch_files.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def launch_gazebo(monkeypatch, **arguments):
    """Load gazebo.launch.py against test_launch_files.py's stand-ins (plus an include); (actions, context)."""
    helpers = _launch_helpers()
    mods = helpers._stub_modules(str(ROOT))
    mods["launch.actions"].IncludeLaunchDescription = type("IncludeLaunchDescription", (helpers.Recorded,), {})
    mods["launch.launch_description_sources"] = types.ModuleType("launch.launch_description_sources")
    mods["launch.launch_description_sources"].PythonLaunchDescriptionSource = type(
        "PythonLaunchDescriptionSource", (helpers.Recorded,), {})
    for name, mod in mods.items():
        monkeypatch.setitem(sys.modules, name, mod)
    spec = importlib.util.spec_from_file_location("gazebo_launch", ROOT / "launch" / "gazebo.launch.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    top = module.generate_launch_description()
    declared = {a.args[0]: a.kwargs.get("default_value") for a in top if type(a).__name__ == "DeclareLaunchArgument"}
    assert not set(arguments) - set(declared)
    context = types.SimpleNamespace(launch_configurations={**declared, **arguments})
    actions = []
    for a in top:
        actions += a.execute(context) if isinstance(a, helpers.OpaqueFunction) else [a]
    return helpers, actions, context


def _nodes(actions):
    return {a.kwargs["name"]: a for a in actions if type(a).__name__ == "Node"}


def test_launch_starts_gz_sim_with_the_world_and_the_bridge(monkeypatch):
    _, actions, _ = launch_gazebo(monkeypatch)
    (include,) = [a for a in actions if type(a).__name__ == "IncludeLaunchDescription"]
    (source,) = include.args
    assert Path(source.args[0]).parts[-2:] == ("launch", "gz_sim.launch.py")
    assert dict(include.kwargs["launch_arguments"]) == {"gz_args": f"-r {WORLD}"}
    bridge = _nodes(actions)["gz_bridge"]
    assert (bridge.kwargs["package"], bridge.kwargs["executable"]) == ("ros_gz_bridge", "parameter_bridge")
    assert Path(bridge.kwargs["parameters"][0]["config_file"]) == BRIDGE
    env = [a for a in actions if type(a).__name__ == "SetEnvironmentVariable"]
    assert env and env[0].args[0] == "ROS_AUTOMATIC_DISCOVERY_RANGE"


def test_launch_runs_the_controller_graph_from_the_yaml(monkeypatch):
    helpers, actions, context = launch_gazebo(monkeypatch)
    nodes = _nodes(actions)
    assert set(nodes) == {"gz_bridge", "scan_to_range", "motor_to_thrust", "altitude_controller", "setpoint_schedule"}
    shipped = helpers.shipped("blimp")
    for name in ("altitude_controller", "setpoint_schedule"):
        got = helpers.effective_parameters(nodes[name], context)
        assert helpers.typed(got) == helpers.typed(shipped[name])
    sim = shipped["blimp_sim"]
    thrust = helpers.effective_parameters(nodes["motor_to_thrust"], context)
    assert thrust == {"use_sim_time": True, "thrust_mps2_per_unit": sim["thrust_mps2_per_unit"],
                      "dead_zone": sim["dead_zone"]}
    assert helpers.effective_parameters(nodes["scan_to_range"], context) == {"use_sim_time": True}
    for name, node in nodes.items():
        if node.kwargs["package"] == "snn_control":
            assert hasattr(importlib.import_module(f"snn_control.nodes.{node.kwargs['executable']}"), "main")


def test_launch_controller_argument_and_a_users_params_file(monkeypatch, tmp_path):
    helpers, _, _ = launch_gazebo(monkeypatch)
    params = helpers.shipped("blimp")
    params["blimp_sim"]["thrust_mps2_per_unit"] = 0.12
    params["setpoint_schedule"]["lead_s"] = 2.0
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump({node: {"ros__parameters": p} for node, p in params.items()}))
    helpers, actions, context = launch_gazebo(monkeypatch, params_file=str(path), controller="pid",
                                              world="/w.sdf", gz_args="-r -s")
    nodes = _nodes(actions)
    assert helpers.effective_parameters(nodes["altitude_controller"], context)["controller"] == "pid"
    assert helpers.effective_parameters(nodes["setpoint_schedule"], context)["lead_s"] == 2.0
    assert helpers.effective_parameters(nodes["motor_to_thrust"], context)["thrust_mps2_per_unit"] == 0.12
    (include,) = [a for a in actions if type(a).__name__ == "IncludeLaunchDescription"]
    assert dict(include.kwargs["launch_arguments"]) == {"gz_args": "-r -s /w.sdf"}
    with pytest.raises(ValueError, match=r"\bcontroller:='PID'"):
        launch_gazebo(monkeypatch, controller="PID")


def test_relay_executables_are_installed(monkeypatch):
    helpers, actions, _ = launch_gazebo(monkeypatch)
    ours = {n.kwargs["executable"] for n in _nodes(actions).values() if n.kwargs["package"] == "snn_control"}
    assert ours <= helpers.console_scripts()
