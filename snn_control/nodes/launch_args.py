"""Typed ``name:=value`` launch arguments, shared by the files in ``launch/``.

A launch file declares ``OVERRIDES = {argument: (type or tuple of choices, what it sets)}``; an
argument left empty (the default) is "not given", so the parameter file decides. ``launch`` is
imported when called, inside the ``ros2 launch`` process.
"""

from __future__ import annotations

from typing import Any


def typed(overrides: dict[str, tuple[Any, str]], name: str, text: str) -> Any:
    """The typed value of ``name:=text``; a ValueError naming the argument when it does not parse."""
    kind = overrides[name][0]
    if isinstance(kind, tuple):
        if text in kind:
            return text
        expected = "one of " + " | ".join(kind)
    else:
        try:
            return kind(text)
        except ValueError:
            expected = {int: "an integer", float: "a number"}[kind]
    raise ValueError(f"launch argument {name}:={text!r}: expected {expected}")


def given(context: Any, overrides: dict[str, tuple[Any, str]], *names: str) -> dict[str, Any]:
    """{name: typed value} for each of ``names`` the user passed (non-empty) on the command line."""
    from launch.substitutions import LaunchConfiguration

    texts = {name: LaunchConfiguration(name).perform(context).strip() for name in names}
    return {name: typed(overrides, name, text) for name, text in texts.items() if text}
