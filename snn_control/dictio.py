"""``to_dict``/``from_dict`` for the frozen parameter dataclasses (YAML/JSON stays at the edges)."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any, TypeVar

T = TypeVar("T", bound="DictIO")


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
