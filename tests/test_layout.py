"""The package's structure, checked statically: the layers import downwards
only, skorch only in the training package, scikit-learn's private names
only in ``_compat.py``, and no module or function grows too long to read."""

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "skae"
MODULES = sorted(PACKAGE.rglob("*.py"))

#: Longest module, in lines, and longest function body (without its
#: docstring), in lines.
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 40


def _name(path):
    return path.relative_to(PACKAGE.parent).with_suffix("").as_posix() \
        .replace("/", ".").removesuffix(".__init__")


def _imports(path):
    """``(imported module, names)`` of every import in ``path``, relative
    ones resolved."""
    tree = ast.parse(path.read_text())
    package = _name(path) if path.name == "__init__.py" \
        else _name(path).rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module
                                          else []))
            else:
                module = node.module
            yield module, [alias.name for alias in node.names]


def test_modules_are_short():
    long = {_name(p): n for p in MODULES
            if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}
    assert not long, long


def _body_lines(node):
    body = node.body
    if isinstance(body[0], ast.Expr) and isinstance(
            getattr(body[0], "value", None), ast.Constant) and isinstance(
            body[0].value.value, str):
        if len(body) == 1:
            return 0
        body = body[1:]
    return node.end_lineno - body[0].lineno + 1


def test_functions_are_short():
    long = {}
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if (n := _body_lines(node)) > MAX_FUNCTION_LINES:
                    long[f"{_name(path)}.{node.name}"] = n
    assert not long, long


def test_skorch_is_imported_by_the_training_package_only():
    outside = {_name(p) for p in MODULES
               if not _name(p).startswith("skae._training")
               and any(m.split(".")[0] == "skorch" for m, _ in _imports(p))}
    assert not outside, outside


def test_networks_know_torch_only():
    # skae.nn imports the standard library, torch and other networks only
    found = {(_name(p), m) for p in MODULES
             if _name(p).startswith("skae.nn") for m, _ in _imports(p)
             if not (m.split(".")[0] in sys.stdlib_module_names
                     or m.split(".")[0] == "torch"
                     or m.startswith("skae.nn"))}
    assert not found, found


def test_no_module_imports_the_package_top():
    # the package top imports every module: a module that imports it
    # back runs the import upwards (and in cycles)
    found = {_name(p) for p in MODULES if p != PACKAGE / "__init__.py"
             and any(m == "skae" for m, _ in _imports(p))}
    assert not found, found


@pytest.mark.parametrize("library", ["sklearn", "skorch"])
def test_private_names_come_from_compat_only(library):
    found = set()
    for path in MODULES:
        if path.name == "_compat.py":
            continue
        for module, names in _imports(path):
            if module.split(".")[0] != library:
                continue
            private = [n for n in names if n.startswith("_")]
            if private or any(part.startswith("_")
                              for part in module.split(".")):
                found.add((_name(path), module, tuple(private)))
    assert not found, found
