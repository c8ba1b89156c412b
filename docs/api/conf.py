"""Sphinx settings for the API reference; ``python tools/build_api_docs.py`` builds it."""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, Any

from sphinx.pycode import ModuleAnalyzer
from sphinx.util.nodes import make_refnode

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

PACKAGE = "metadata_semantics"

project = "metadata-semantics"
extensions = ["sphinx.ext.autodoc"]
html_theme = "alabaster"

# Every cross-reference must resolve; with -W a broken one fails the build.
nitpicky = True
# Standard library and Hypothesis types are not documented here, and no
# inventory of theirs is fetched: the build needs no network.
nitpick_ignore_regex = [
    (r"py:.*", r"(collections\.abc|typing|types|enum|json)\..*"),
    (r"py:.*", r"(hypothesis\.strategies|st)\.SearchStrategy"),
    (r"py:meth", r"BaseException\.add_note"),
    (r"py:mod", r"json"),
    # The type variable of ``Omittable[T]``, shown in "alias of _T | Omitted".
    (r"py:obj", r"metadata_semantics\._sentinel\._T"),
]

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True, "show-inheritance": True}

# A role may name an object of these kinds: type aliases are data here, and a
# signature refers to them as classes.
_KINDS_FOR_ROLE = {
    "class": {"class", "exception", "type", "data"},
    "exc": {"class", "exception"},
    "data": {"data", "type", "attribute"},
    "func": {"function"},
    "meth": {"method", "classmethod", "staticmethod"},
    "attr": {"attribute", "property"},
    "obj": None,
}


def _defining_docs() -> dict[str, list[str]]:
    """The docstring of each module-level name, from the private module that defines it."""
    docs: dict[str, list[str]] = {}
    package = importlib.import_module(PACKAGE)
    for module in pkgutil.iter_modules(package.__path__):
        if not module.name.startswith("_") or module.name == "__main__":
            continue
        analyzer = ModuleAnalyzer.for_module(f"{PACKAGE}.{module.name}")
        for (scope, name), lines in analyzer.find_attr_docs().items():
            if scope == "":
                docs.setdefault(name, list(lines))
    return docs


_DOCS = _defining_docs()


def _reexported_docstring(
    _app: Sphinx, what: str, name: str, _obj: object, _options: Any, lines: list[str]
) -> None:
    # A table or type alias re-exported by the package is documented where it
    # is defined, in a private module; show that text under its public name.
    module, _, short = name.rpartition(".")
    if what == "data" and module == PACKAGE and short in _DOCS:
        lines[:] = _DOCS[short]


def _resolve_in_package(
    _app: Sphinx, env: BuildEnvironment, node: nodes.Element, contnode: nodes.Element
) -> nodes.Element | None:
    """Resolve a name used in a docstring against the package's public namespace.

    Docstrings in the private modules and in ``conformance`` speak of the
    package's public names (``MetadataError``, ``JSONValue``) without the
    package prefix. A name found nowhere is still a broken reference.
    """
    if node.get("refdomain") != "py":
        return None
    target = str(node["reftarget"]).lstrip("~.")
    kinds = _KINDS_FOR_ROLE.get(str(node["reftype"]), set())
    domain: Any = env.get_domain("py")
    for candidate in (target, f"{PACKAGE}.{target}"):
        entry = domain.objects.get(candidate)
        if entry is not None and (kinds is None or entry.objtype in kinds):
            builder = _app.builder
            return make_refnode(
                builder, node["refdoc"], entry.docname, entry.node_id, contnode, candidate
            )
    return None


def setup(app: Sphinx) -> None:
    """Connect the two hooks above."""
    app.connect("autodoc-process-docstring", _reexported_docstring)
    app.connect("missing-reference", _resolve_in_package)
