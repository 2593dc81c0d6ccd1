"""ROS 2 nodes: thin rclpy adapters around the cores (declare parameters, build a core object,
convert messages to arrays and back, publish). Executables share the file names: ``blimp_sim``,
``altitude_controller``, ``setpoint_schedule``.
"""
