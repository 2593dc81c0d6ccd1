"""Node configuration as frozen dataclasses, declared as ROS parameters and validated once.

A node's ``Config`` dataclass lists its parameters (name, type, default). :func:`declare_config`
declares them on the node, reads the values set from a YAML file or launch, rejects unknown keys
and wrong types with a message naming the node and the key, and builds the dataclass (whose
``__post_init__`` checks ranges). :func:`validate_params` does the same for a YAML mapping before
any node exists, so ``snn-control launch`` can name the file too.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any, TypeVar

C = TypeVar("C")

# Parameters every rclpy node has, which a YAML may set.
BUILTIN_PARAMS = {"use_sim_time"}


def _field_types(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def coerce(value: Any, kind: Any, where: str) -> Any:
    """Check ``value`` against a field type (bool, int, float, str, list[float|int|str])."""
    origin = typing.get_origin(kind)
    if origin in (list, tuple):
        (item,) = typing.get_args(kind)[:1]
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"{where}: expected a list of {item.__name__}, got {value!r}")
        return tuple(coerce(v, item, f"{where}[{i}]") for i, v in enumerate(value))
    if kind is bool:
        if isinstance(value, bool):
            return value
    elif kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif kind is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif kind is str:
        if isinstance(value, str):
            return value
    else:  # pragma: no cover - programming error in a Config
        raise TypeError(f"{where}: unsupported parameter type {kind!r}")
    raise ValueError(f"{where}: expected {kind.__name__}, got {type(value).__name__} {value!r}")


def config_from_mapping(cls: type[C], values: dict[str, Any], where: str) -> C:
    """Build ``cls`` from a mapping, rejecting unknown keys and wrong types."""
    types = _field_types(cls)
    unknown = sorted(set(values) - set(types) - BUILTIN_PARAMS)
    if unknown:
        raise ValueError(f"{where}.{unknown[0]}: unknown parameter (known: {', '.join(sorted(types))})")
    kwargs = {k: coerce(v, types[k], f"{where}.{k}") for k, v in values.items() if k in types}
    try:
        return cls(**kwargs)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def validate_params(source: str, data: Any, configs: dict[str, type]) -> dict[str, dict[str, Any]]:
    """Validate a ROS parameter file's content for the nodes in ``configs``.

    Returns ``{node_name: {param: value}}`` (``use_sim_time`` kept). Raises ``ValueError`` naming
    ``source`` and the offending key.
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValueError(f"{source}: expected a mapping of node names to ros__parameters")
    out: dict[str, dict[str, Any]] = {}
    for node_name, section in data.items():
        if node_name not in configs:
            raise ValueError(f"{source}: {node_name}: unknown node (this graph has {', '.join(configs)})")
        if not isinstance(section, dict) or set(section) != {"ros__parameters"}:
            raise ValueError(f"{source}: {node_name}: expected exactly one key, ros__parameters")
        params = section["ros__parameters"] or {}
        if not isinstance(params, dict):
            raise ValueError(f"{source}: {node_name}.ros__parameters: expected a mapping")
        config_from_mapping(configs[node_name], params, f"{source}: {node_name}")
        if "use_sim_time" in params and not isinstance(params["use_sim_time"], bool):
            raise ValueError(f"{source}: {node_name}.use_sim_time: expected bool")
        out[node_name] = dict(params)
    return out


def declare_config(node: Any, cls: type[C]) -> C:
    """Declare ``cls``'s fields as parameters of ``node`` and return the validated config."""
    from rcl_interfaces.msg import ParameterDescriptor

    types = _field_types(cls)
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
