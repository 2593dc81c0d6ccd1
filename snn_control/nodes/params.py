"""Declare a node's configuration dataclass as ROS parameters (the rclpy side of the schemas).

The schemas themselves (the ``Config`` dataclasses in ``blimp/config.py`` and
``swimmer/config.py``) and their validation (:mod:`snn_control.dictio`) need no ROS.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from snn_control.dictio import BUILTIN_PARAMS, config_from_mapping, field_types

C = TypeVar("C")


def declare_config(node: Any, cls: type[C]) -> C:
    """Declare ``cls``'s fields as parameters of ``node`` and return the validated config.

    Raises:
        ValueError: An override names no field, or a value has the wrong type or range (the
            message names the node and the key).
    """
    from rcl_interfaces.msg import ParameterDescriptor

    types = field_types(cls)
    overrides = set(getattr(node, "_parameter_overrides", {}) or {})
    unknown = sorted(overrides - set(types) - BUILTIN_PARAMS)
    if unknown:
        raise ValueError(f"{node.get_name()}.{unknown[0]}: unknown parameter (known: {', '.join(sorted(types))})")
    values = {}
    for f in dataclasses.fields(cls):
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
        if isinstance(default, tuple):
            default = list(default)
        param = node.declare_parameter(f.name, default, ParameterDescriptor(dynamic_typing=True))
        values[f.name] = param.value
    return config_from_mapping(cls, values, node.get_name())
