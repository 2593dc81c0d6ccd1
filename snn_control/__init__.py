"""snn_control: spiking neural network controllers and perception for ROS 2 robots.

Layers (imports point only downward):
    1. cores      snn/, control/, evolve/, envs/, perception/, coordinator/, artifacts/
                  (numpy, DEAP, MuJoCo; never rclpy or ROS messages)
    2. nodes      nodes/ (thin rclpy adapters)
    3. entries    cli.py, bringup.py, commands/
"""

__version__ = "0.1.0"
