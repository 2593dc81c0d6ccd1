"""Shared fixtures of the in-process ROS tests: one rclpy context per test."""

import pytest

rclpy = pytest.importorskip("rclpy")


@pytest.fixture
def context():
    ctx = rclpy.Context()
    rclpy.init(args=[], context=ctx)
    yield ctx
    if ctx.ok():
        rclpy.shutdown(context=ctx)
