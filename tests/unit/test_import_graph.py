"""The package's import graph, drawn from the source (function-level imports included), has no cycle.

``recording`` sits at the bottom: it may import only ``errors``, ``paths``, ``units`` and ``hosting`` (where
the course runs: environment facts, no imports of its own) of the course. Imports sit at module level; one
inside a function says why it is lazy (``# lazy: ...``, on its line or on the comment line above its block).
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "dockerlab"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Course modules ``name`` imports anywhere in its source (module level or inside functions)."""
    is_package = path.name == "__init__.py"
    here = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = absolute(node.module or "", node.level, here)
            targets = []
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                targets.append(sub if sub in known else base)
        elif isinstance(node, ast.Call):
            targets = imported_at_run_time(node, here, known)
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            # Importing a.b.c runs package a.b's __init__ first: that is an import too (the top
            # package is the facade every import passes through, and imports nothing back).
            while target and target != "dockerlab":
                if target != name and not name.startswith(target + "."):
                    found.add(target)
                target = target.rpartition(".")[0]
    return found


def absolute(module: str, level: int, here: str) -> str:
    """The module a relative import names (``level`` dots, from the package ``here``), as an import statement reads it."""
    if not level:
        return module
    anchor = here.split(".")
    anchor = anchor[: len(anchor) - (level - 1)]
    return ".".join([*anchor, module] if module else anchor)


def _literal(node: ast.expr | None, here: str) -> object:
    """A literal argument's value (``__package__`` reads as the package ``here``); None for anything else."""
    if isinstance(node, ast.Name) and node.id == "__package__":
        return here
    try:
        return ast.literal_eval(node) if node is not None else None
    except ValueError:
        return None


def imported_at_run_time(call: ast.Call, here: str, known: set[str]) -> list[str]:
    """What ``__import__(NAME, ...)`` or ``importlib.import_module(NAME, package)`` imports when NAME is a literal string
    (relative ones too: ``level``, a leading dot with a literal ``package`` or ``__package__``); [] for any other call."""
    function = call.func
    called = function.id if isinstance(function, ast.Name) else function.attr if isinstance(function, ast.Attribute) else ""
    if called not in ("__import__", "import_module") or not call.args:
        return []
    name = _literal(call.args[0], here)
    if not isinstance(name, str) or not name.strip("."):
        return []
    keywords = {keyword.arg: keyword.value for keyword in call.keywords}
    if called == "import_module":
        level = len(name) - len(name.lstrip("."))
        package = _literal(call.args[1] if len(call.args) > 1 else keywords.get("package"), here)
        if level and not isinstance(package, str):
            return []
        return [absolute(name.lstrip("."), level, package) if level else name]
    level = _literal(call.args[4] if len(call.args) > 4 else keywords.get("level"), here) or 0
    fromlist = _literal(call.args[3] if len(call.args) > 3 else keywords.get("fromlist"), here) or ()
    base = absolute(name, level, here) if isinstance(level, int) else name
    return [base] + [f"{base}.{item}" for item in fromlist if isinstance(item, str) and f"{base}.{item}" in known]


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports_of(name, path, known) for name, path in mods.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_reader_sees_relative_and_function_level_imports(tmp_path):
    edges = graph()
    assert "dockerlab.errors" in edges["dockerlab.builder"]
    assert edges["dockerlab.errors"] == {"dockerlab.hosting"}


def test_the_reader_sees_an_import_by_a_literal_name_at_run_time(tmp_path):
    """``__import__("dockerlab.images")`` and ``importlib.import_module("dockerlab.images")`` inside a function import
    as surely as an import statement (the second is refused outside the codec below; the graph sees it all the same)."""
    known = {"dockerlab", "dockerlab.images", "dockerlab.layerfs", "dockerlab.units", "dockerlab.paths", "dockerlab.bases",
             "dockerlab.bases.catalogue", "dockerlab.errors", "dockerlab.security"}
    source = tmp_path / "security.py"
    source.write_text(
        "import importlib\n"
        "from importlib import import_module\n\n\n"
        "def tables():\n"
        "    return __import__(\"dockerlab.images\").images\n\n\n"
        "def reader():\n"
        "    return importlib.import_module(\"dockerlab.layerfs\")\n\n\n"
        "def units():\n"
        "    return import_module(\".units\", package=\"dockerlab\")\n\n\n"
        "def relative():\n"
        "    return __import__(\"paths\", globals(), locals(), [], 1)\n\n\n"
        "def nested():\n"
        "    return import_module(\"dockerlab.bases.catalogue\")\n\n\n"
        "def by_variable(name):\n"
        "    return __import__(name), importlib.import_module(name), __import__(\"json\")\n"
    )
    assert imports_of("dockerlab.security", source, known) == {"dockerlab.images", "dockerlab.layerfs", "dockerlab.units", "dockerlab.paths",
                                                               "dockerlab.bases", "dockerlab.bases.catalogue"}


def test_find_cycle_reports_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle():
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_recording_is_at_the_bottom():
    allowed = {"dockerlab.errors", "dockerlab.paths", "dockerlab.units", "dockerlab.hosting", "dockerlab.answers"}
    assert graph()["dockerlab.hosting"] == set()
    edges = graph()
    for name in [n for n in edges if n.startswith("dockerlab.recording")]:
        above = {t for t in edges[name] if not t.startswith("dockerlab.recording")} - allowed
        assert not above, f"{name} imports {sorted(above)}"


def test_no_module_reaches_the_course_around_the_graph():
    """An import the graph cannot see would hide a cycle: the package's own modules never import the top
    package (`import dockerlab`, `from dockerlab import x`, `from .. import x` of a name that is not a
    module) nor load a course module by name at run time (importlib), except the codec, which turns a
    recorded class name back into the class."""
    known = set(modules())
    around = []
    for name, path in modules().items():
        if name in ("dockerlab", "dockerlab.__main__"):
            continue
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import) and any(alias.name == "dockerlab" for alias in node.names):
                around.append(f"{name}: import dockerlab")
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = here.split(".")[: len(here.split(".")) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                if base == "dockerlab" and any(f"dockerlab.{alias.name}" not in known for alias in node.names):
                    around.append(f"{name}: from {base} import {', '.join(alias.name for alias in node.names)}")
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module" and name != "dockerlab.recording.codec":
                around.append(f"{name}: importlib.import_module")
    assert around == []


def test_import_dockerlab_loads_no_heavy_package():
    """``import dockerlab`` (every notebook's first cell, and each `dockerlab` command) stays fast: pandas,
    matplotlib, numpy, nbformat and IPython are loaded where they are used, not on import."""
    heavy = ["pandas", "matplotlib", "numpy", "nbformat", "nbclient", "IPython", "tqdm"]
    script = f"import sys, dockerlab, dockerlab.cli; print([name for name in {heavy!r} if name in sys.modules])"
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=PACKAGE.parent,
                            env={**os.environ, "PYTHONPATH": str(PACKAGE.parent)}).stdout.strip()
    assert loaded == "[]"


LAZY = "# lazy:"


def unexplained_lazy_imports(source: str) -> list[int]:
    """Line numbers of the imports inside functions of ``source`` that give no reason for being there: no
    ``# lazy: ...`` on the import's own lines, nor on a comment line directly above its block of imports."""
    lines = source.splitlines()
    found: set[int] = set()
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and not _says_why(lines, node):
                found.add(node.lineno)
    return sorted(found)


def _says_why(lines: list[str], node: ast.stmt) -> bool:
    if any(LAZY in line for line in lines[node.lineno - 1: node.end_lineno]):
        return True
    above = node.lineno - 2
    while above >= 0:
        text = lines[above].strip()
        if text.startswith(LAZY):
            return True
        if not text.startswith(("import ", "from ", "#")):  # the block of imports (and comments) ends here
            return False
        above -= 1
    return False


def test_the_reason_check_tells_a_bare_lazy_import_from_an_explained_one():
    source = """import os


def bare():
    import json
    return json


def explained():
    # lazy: costs a second at import
    import pandas
    import numpy
    return pandas, numpy


def inline():
    try:
        import IPython  # lazy: optional
    except ImportError:
        return None
    x = 1
    import shlex
    return IPython, x, shlex
"""
    assert unexplained_lazy_imports(source) == [5, 22]


def test_every_function_level_import_says_why_it_is_lazy():
    unexplained = {name: lines for name, path in modules().items() if (lines := unexplained_lazy_imports(path.read_text()))}
    assert unexplained == {}, "move these imports to the top of the module, or say why they stay lazy (# lazy: ...)"


def test_exception_classes_live_only_in_errors_py():
    # the issue's own acceptance grep: `grep -rn "^class .*\(Error\|Exception\|Missing\|Failed\|Unavailable\)" dockerlab/`
    import re

    package = Path(__file__).parents[2] / "dockerlab"
    pattern = re.compile(r"^class .*(Error|Exception|Missing|Failed|Unavailable)", re.M)
    found = [f"{path.relative_to(package)}: {match.group(0)}" for path in sorted(package.rglob("*.py")) if path.name != "errors.py"
             for match in pattern.finditer(path.read_text())]
    assert not found, found


def test_every_exception_class_is_defined_in_errors_py():
    """By base type, not name: an exception class (a subclass of BaseException: CommandInterrupted is a
    KeyboardInterrupt) defined in any other module of the package fails, whatever it is called."""
    import importlib
    import inspect
    import pkgutil

    import dockerlab

    elsewhere = []
    for module_info in pkgutil.walk_packages(dockerlab.__path__, "dockerlab."):
        if module_info.name.endswith("__main__"):
            continue
        module = importlib.import_module(module_info.name)
        elsewhere += [f"{module.__name__}.{name}" for name, value in vars(module).items()
                      if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == module.__name__
                      and module.__name__ != "dockerlab.errors"]
    assert not elsewhere, elsewhere


def test_images_py_does_one_job_in_at_most_300_lines():
    """#15: image tables only (the layer reader is layerfs, wasted space waste, differences differences)."""
    lines = (Path(__file__).parents[2] / "dockerlab" / "images.py").read_text().count("\n")
    assert lines <= 300, f"dockerlab/images.py has {lines} lines"
