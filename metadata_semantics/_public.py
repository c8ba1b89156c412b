"""Make public classes name the package, not their private module, as their home."""

from __future__ import annotations

import types

__all__ = ["claim"]


def _functions(member: object) -> tuple[object, ...]:
    # A function, the function a classmethod wraps, or a property's accessors.
    if isinstance(member, property):
        return (member.fget, member.fset, member.fdel)
    return (member, getattr(member, "__func__", None))


def claim(package: str, *classes: type) -> None:
    """Set ``__module__`` to ``package`` on each class and on the functions defined in it.

    help(), tracebacks and the API reference then name the package a class is
    imported from, and pickles find it there. Functions a class shares with
    others (such as those :mod:`dataclasses` adds) keep their own module.
    """
    for cls in classes:
        home = cls.__module__
        cls.__module__ = package
        for member in vars(cls).values():
            for function in _functions(member):
                if isinstance(function, types.FunctionType) and function.__module__ == home:
                    function.__module__ = package
