"""The rooms of lexigram.web import only downward and only each other's public modules.

Every module of the package is parsed with ``ast``; each import of ``lexigram.web.…`` (relative
or absolute, at module level, in a function or under ``TYPE_CHECKING``) is mapped to the room
it lands in. A room may import itself and the rooms listed before it in ``ROOMS``, and from
another room only modules whose own name has no leading underscore.
"""

import ast
from pathlib import Path

import lexigram.web

ROOMS = (
    "_declare",
    "_lifecycle",
    "_http",
    "_config",
    "_observe",
    "_broadcast",
    "middleware",
    "_routing",
    "_binding",
    "_pipeline",
    "_sse",
    "_ws",
    "_openapi",
    "_versioning",
    "_controllers",
    "_serve",
)
"""The rooms, bottom first; the modules directly in ``lexigram/web`` form the top room."""

TOP = "startup (lexigram/web/*.py)"
PACKAGE = "lexigram.web"


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([PACKAGE, *parts])


def _imported(module: str, is_package: bool, tree: ast.Module) -> list[str]:
    """The ``lexigram.web`` modules ``tree`` imports (``from x import y`` counts ``x.y`` when
    ``y`` names a submodule; callers check that against the files)."""
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                if not is_package:
                    base.pop()
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            found.append(target)
            found += [f"{target}.{alias.name}" for alias in node.names]
    return [name for name in found if name == PACKAGE or name.startswith(PACKAGE + ".")]


def _room(root: Path, path: Path) -> str:
    """The room of the module at ``path``: its folder below ``root``, or the top room."""
    parts = path.relative_to(root).parts
    return parts[0] if len(parts) > 1 else TOP


def layering_problems(root: Path, rooms: tuple[str, ...] = ROOMS) -> list[str]:
    """Every import in the package under ``root`` that breaks the room rules, one line each."""
    paths = {_module_name(root, path): path for path in sorted(root.rglob("*.py"))}
    room_of = {name: _room(root, path) for name, path in paths.items()}
    order = {room: index for index, room in enumerate(rooms)}
    order[TOP] = len(rooms)
    problems: list[str] = []
    for name, path in paths.items():
        source_room = room_of[name]
        if source_room not in order:
            problems.append(
                f"{name}: the room {source_room!r} is not in ROOMS; add it there, at its layer"
            )
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for target in _imported(name, path.name == "__init__.py", tree):
            target_room = room_of.get(target)
            if target_room is None or target_room == source_room or target_room not in order:
                continue  # not a module, the same room, or a room reported on its own
            if order[target_room] > order[source_room]:
                problems.append(
                    f"{name} imports {target}: {source_room} sits below {target_room};"
                    " move the shared piece down or invert the dependency"
                )
            if any(part.startswith("_") for part in target.split(".")[3:]):
                problems.append(
                    f"{name} imports {target}: a private module of {target_room}; give it a"
                    " public name in its room, or keep the use inside the room"
                )
    return problems


def test_rooms_import_only_rooms_below_them_and_only_public_modules() -> None:
    root = Path(lexigram.web.__file__).parent
    assert layering_problems(root) == []


def test_every_room_has_a_docstring_naming_what_it_may_import() -> None:
    root = Path(lexigram.web.__file__).parent
    for room in (room for room in ROOMS if room.startswith("_")):
        tree = ast.parse((root / room / "__init__.py").read_text(encoding="utf-8"))
        docstring = ast.get_docstring(tree)
        assert docstring, f"{room}/__init__.py needs a one-line docstring"
        assert "import" in docstring, f"{room}/__init__.py: say what the room may import"


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "web"
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_an_upward_import_is_reported_with_its_module_and_target(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "_http/__init__.py": "",
            "_http/request.py": "from .._pipeline.endpoint import Endpoint\n",
            "_pipeline/__init__.py": "",
            "_pipeline/endpoint.py": "Endpoint = object\n",
        },
    )
    assert layering_problems(root, ("_http", "_pipeline")) == [
        "lexigram.web._http.request imports lexigram.web._pipeline.endpoint: _http sits below"
        " _pipeline; move the shared piece down or invert the dependency"
    ]


def test_a_reach_into_another_rooms_private_module_is_reported(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "_http/__init__.py": "",
            "_http/_problem.py": "X = 1\n",
            "_pipeline/__init__.py": "",
            "_pipeline/endpoint.py": "def f():\n    from lexigram.web._http._problem import X\n",
            "_app.py": "from ._http import _problem\n",
        },
    )
    assert layering_problems(root, ("_http", "_pipeline")) == [
        "lexigram.web._app imports lexigram.web._http._problem: a private module of _http; give"
        " it a public name in its room, or keep the use inside the room",
        "lexigram.web._pipeline.endpoint imports lexigram.web._http._problem: a private module"
        " of _http; give it a public name in its room, or keep the use inside the room",
    ]


def test_a_room_missing_from_the_order_is_reported(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"__init__.py": "", "_cache/__init__.py": "", "_cache/store.py": ""})
    assert layering_problems(root, ()) == [
        "lexigram.web._cache: the room '_cache' is not in ROOMS; add it there, at its layer",
        "lexigram.web._cache.store: the room '_cache' is not in ROOMS; add it there, at its layer",
    ]
