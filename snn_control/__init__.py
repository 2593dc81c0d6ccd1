"""snn_control: spiking neural network controllers and perception for ROS 2 robots.

One folder per system, generic machinery once; imports point only downward
(``test/test_layers.py`` checks it):

    generic   snn/ (spiking primitives), evolve/ (strategies, population map, checkpoints, logs),
              artifacts/ (versioned model files), dictio.py, paths.py
    systems   blimp/ (altitude control: plant, sims, PID, guard, SNNs, training/),
              swimmer/ (NCAP swimmers: body, env, rate and spiking NCAP, MLP, training)
    faces     envs/ (Gymnasium registrations, lockstep pacing), nodes/ (thin rclpy adapters)
    entries   commands/, cli.py, bringup.py

No core (anything but nodes/, commands/, cli.py, bringup.py) imports rclpy or ROS messages.
"""

__version__ = "0.1.0"
