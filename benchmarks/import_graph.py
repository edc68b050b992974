"""The import graph of the project's packages: cycles and private names across modules.

Reads the source (no import is executed) of ``graphs/``, ``routing/``, ``gpx/`` and
``web/``, and reports

* ``cycles``: strongly connected groups of modules importing each other at module
  level (imports inside functions run when called, after both modules exist, so
  they make no import-time cycle and are listed apart as ``deferred_cycles``);
* ``private``: ``from module import _name`` of a module's private name from another
  module (``__future__`` and a package's own ``__init__`` re-exports excluded);
* ``upward``: imports against the layering ``graphs → routing → gpx, web``.

    python benchmarks/import_graph.py          # prints JSON, exit 1 if anything is found
"""
from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("graphs", "routing", "gpx", "web")
#: Which packages a package may import (the layout's arrows).
LAYERS = {"graphs": {"graphs"}, "routing": {"graphs", "routing"},
          "gpx": {"graphs", "routing", "gpx"}, "web": set(PACKAGES)}


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(current: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = current.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(path: Path, modules: set[str], root: Path = ROOT):
    """``(target module, imported names, at module level, line)`` of each import."""
    current = module_name(path, root)
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text("utf-8"), str(path))
    top = {id(node) for node in tree.body}
    # Imports under "if TYPE_CHECKING:" never run.
    typing_only = {id(n) for node in tree.body if isinstance(node, ast.If)
                   and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)}
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in PACKAGES:
                    yield alias.name, [], id(node) in top, node.lineno
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(current, is_package, node)
            if target.split(".")[0] not in PACKAGES:
                continue
            names = [a.name for a in node.names]
            # "from pkg import module" imports the submodule
            subs = [f"{target}.{n}" for n in names if f"{target}.{n}" in modules]
            for sub in subs:
                yield sub, [], id(node) in top, node.lineno
            rest = [n for n in names if f"{target}.{n}" not in modules]
            if rest or not subs:
                yield target, rest, id(node) in top, node.lineno


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, out, counter = {}, {}, set(), [], [], [0]
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        out.append(sorted(group))
    return out


def analyse(root: Path = ROOT) -> dict:
    """The report (see the module docstring)."""
    files = sorted(p for pkg in PACKAGES for p in (root / pkg).rglob("*.py")
                   if "migrations" not in p.parts)
    modules = {module_name(p, root) for p in files}
    eager: dict[str, set[str]] = {m: set() for m in modules}
    every: dict[str, set[str]] = {m: set() for m in modules}
    private, upward = [], []
    for path in files:
        current = module_name(path, root)
        for target, names, at_top, line in imports(path, modules, root):
            if target not in modules:
                target = target.rsplit(".", 1)[0] if target.rsplit(".", 1)[0] in modules else target
            if target in modules and target != current:
                every[current].add(target)
                if at_top:
                    eager[current].add(target)
            own_package = current.split(".")[0] == target.split(".")[0] and \
                path.name == "__init__.py"
            for name in names:
                if name.startswith("_") and not name.startswith("__") and not own_package:
                    private.append(f"{current}:{line} imports {target}.{name}")
            if target.split(".")[0] not in LAYERS[current.split(".")[0]]:
                upward.append(f"{current}:{line} imports {target}")
    cycles = _cycles(eager)
    in_cycle = {frozenset(c) for c in cycles}
    deferred = [c for c in _cycles(every) if frozenset(c) not in in_cycle]
    return {"modules": len(modules), "cycles": cycles, "deferred_cycles": deferred,
            "private": private, "upward": upward}


def main() -> int:
    report = analyse()
    json.dump(report, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 1 if report["cycles"] or report["private"] or report["upward"] else 0


if __name__ == "__main__":
    sys.exit(main())
