"""Every public function of the package (in a module's ``__all__``), and every public method of a public
class, says in its docstring what it raises: ``Raises ...`` (a sentence or a ``Raises:`` section),
``Raises nothing`` when nothing can go wrong with the inputs its signature asks for."""
import importlib
import inspect
import pkgutil

import pytest

import dockerlab


def public_functions():
    seen = set()
    for found in pkgutil.walk_packages(dockerlab.__path__, "dockerlab."):
        if found.name.endswith("__main__"):  # running it runs the CLI
            continue
        module = importlib.import_module(found.name)
        for name in getattr(module, "__all__", []):
            value = getattr(module, name, None)
            if isinstance(value, type) and value.__module__ == module.__name__:
                yield from _public_methods(f"{module.__name__}.{name}", value, seen)
                continue
            if not callable(value) or isinstance(value, type):
                continue
            function = inspect.unwrap(value)
            if getattr(function, "__module__", "") == module.__name__ and id(function) not in seen:
                seen.add(id(function))
                yield f"{module.__name__}.{name}", value


def _public_methods(prefix: str, kind: type, seen: set):
    """The public methods a public class defines itself (plain, static and class methods; not properties,
    not what it inherits)."""
    for name, member in vars(kind).items():
        if name.startswith("_"):
            continue
        if isinstance(member, (staticmethod, classmethod)):
            member = member.__func__
        function = inspect.unwrap(member) if callable(member) else None
        if inspect.isfunction(function) and id(function) not in seen:
            seen.add(id(function))
            yield f"{prefix}.{name}", member


def test_there_are_public_functions_to_check():
    assert len(list(public_functions())) > 200


def test_public_methods_of_public_classes_are_checked_too():
    names = {name for name, _ in public_functions()}
    assert {"dockerlab.containers.Container.remove", "dockerlab.compose.ComposeProject.ps", "dockerlab.registry.LocalRegistry.push",
            "dockerlab.columns.Table.family_problem"} <= names


@pytest.mark.parametrize("name, function", list(public_functions()), ids=lambda value: value if isinstance(value, str) else "")
def test_each_public_function_says_what_it_raises(name, function):
    assert "Raises" in (function.__doc__ or ""), f"{name}: say what it raises (Raises ... / Raises nothing.)"


def _raised_here(function) -> set[str]:
    """The course's exception classes ``function``'s own body raises by name (``raise ImageNotFound(...)``)."""
    import ast
    import textwrap

    from dockerlab import errors

    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(inspect.unwrap(function))))
    except (OSError, TypeError):
        return set()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            name = getattr(node.exc.func, "id", None) or getattr(node.exc.func, "attr", None)
            if name in errors.__all__:
                found.add(name)
    return found


@pytest.mark.parametrize("name, function", list(public_functions()), ids=lambda value: value if isinstance(value, str) else "")
def test_each_error_a_public_function_raises_itself_is_named_in_its_docstring(name, function):
    missing = sorted(error for error in _raised_here(function) if error not in (function.__doc__ or ""))
    assert not missing, f"{name} raises {missing}: say so (Raises ...), or when and by whom it is turned into a verdict"
