"""``to_dict``/``from_dict`` for the frozen parameter dataclasses, and parameter-file schemas.

YAML/JSON stays at the edges. :class:`DictIO` gives a dataclass its dict round trip. The functions
below check a node's parameters against its configuration dataclass (the *schema*: field names,
types and defaults; the dataclass's ``__post_init__`` checks the values): :func:`config_from_mapping`
for one node, :func:`validate_params` for a whole ROS parameter file
(``node_name: {ros__parameters: {...}}``), so a file is validated, naming the file and the key,
without rclpy and before any node exists.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import asdict, fields
from typing import Any, TypeVar

T = TypeVar("T", bound="DictIO")
C = TypeVar("C")

# Parameters every rclpy node has, which a parameter file may set.
BUILTIN_PARAMS = {"use_sim_time"}


class DictIO:
    """Mixin for dataclasses: ``to_dict()`` and ``from_dict(data)`` that rejects unknown keys
    (the dataclass's own ``__post_init__`` validates the values)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls: type[T], data: dict[str, Any]) -> T:
        unknown = set(data) - {f.name for f in fields(cls)}  # type: ignore[arg-type]
        if unknown:
            raise ValueError(f"{cls.__name__}: unknown keys {sorted(unknown)}")
        return cls(**data)


def field_types(cls: type) -> dict[str, Any]:
    """``{field name: type}`` of a dataclass, with string annotations resolved."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def coerce(value: Any, kind: Any, where: str) -> Any:
    """Check ``value`` against a field type and return it as that type.

    Args:
        value: A parameter value as YAML or ROS gives it.
        kind: ``bool``, ``int``, ``float`` (an int is accepted), ``str``, or a ``tuple``/``list`` of
            one of them (returned as a tuple).
        where: Names the value in the error, e.g. ``"blimp.yaml: blimp_sim.seed"``.

    Raises:
        ValueError: The value has another type (``bool`` is never an ``int`` or ``float``).
    """
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
    """Build the dataclass ``cls`` from a mapping, rejecting unknown keys and wrong types.

    Keys of :data:`BUILTIN_PARAMS` are allowed and ignored. Raises ``ValueError`` prefixed with
    ``where``: ``"<where>.<key>: ..."`` for a key, ``"<where>: ..."`` for a value ``cls`` rejects.
    """
    types = field_types(cls)
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

    Args:
        source: Names the file in errors.
        data: The parsed file: ``{node_name: {"ros__parameters": {...}}}`` (None: empty).
        configs: ``{node_name: configuration dataclass}`` of the graph.

    Returns:
        ``{node_name: {param: value}}`` as written (``use_sim_time`` kept).

    Raises:
        ValueError: Naming ``source`` and the offending node or key.
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


def require_numbers(obj: Any, minimum: float | None = None) -> None:
    """Every field of dataclass ``obj`` is a finite number (not a bool), ``>= minimum`` if given;
    else ``ValueError`` naming ``Class.field``."""
    import math

    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        ok = not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v)
        if not ok or (minimum is not None and v < minimum):
            bound = "" if minimum is None else f" >= {minimum:g}"
            raise ValueError(f"{type(obj).__name__}.{f.name} must be a finite number{bound}, got {v!r}")
