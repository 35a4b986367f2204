"""test_layers.py — the library's layers include only the layers below them.

    tensor <- autograd <- nn <- train, with optim and data beside nn

tensor/ includes only tensor/; autograd/ only tensor/ and autograd/; nn/ only
those and nn/; optim/ and data/ nothing above autograd (optim needs Tensor's
gradients, data only Tensor itself, and neither needs the other or nn/);
train/ anything. And no header or source includes itself back through a
chain of includes. The build checks the same order at link time (the
ember_<layer>_alone libraries of the top meson.build); this checks it where a
reader sees it, in the #include lines.

    python3 tests/test_layers.py [source-root]
"""
import re
import sys
from pathlib import Path

ALLOWED = {
    "tensor": {"tensor"},
    "autograd": {"tensor", "autograd"},
    "nn": {"tensor", "autograd", "nn"},
    "optim": {"tensor", "autograd", "optim"},
    "data": {"tensor", "autograd", "data"},
    "train": {"tensor", "autograd", "nn", "optim", "data", "train"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.MULTILINE)


def layer_of(path, root):
    return path.relative_to(root).parts[0]


def resolve(name, including, root):
    """Where the compiler finds a quoted include: beside the including file,
    then from the source root (the one include directory)."""
    for base in (including.parent, root):
        candidate = (base / name).resolve()
        if candidate.is_file():
            return candidate
    return None


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent.parent).resolve()
    files = [f.resolve() for layer in ALLOWED for f in sorted((root / layer).rglob("*"))
             if f.suffix in (".hpp", ".cpp")]
    problems = []
    graph = {}
    for f in files:
        graph[f] = []
        for name in INCLUDE.findall(f.read_text(encoding="utf-8")):
            target = resolve(name, f, root)
            where = f.relative_to(root)
            if target is None:
                problems.append(f'{where}: #include "{name}" is not in the tree')
                continue
            graph[f].append(target)
            try:
                to_layer = layer_of(target, root)
            except ValueError:
                problems.append(f'{where}: #include "{name}" is outside the tree')
                continue
            if to_layer not in ALLOWED[layer_of(f, root)]:
                problems.append(f'{where}: #include "{name}" reaches up into {to_layer}/')

    # No include cycles: depth-first, a file met again while still open closes one.
    state = {}  # file -> "open" | "done"

    def visit(f, chain):
        state[f] = "open"
        for g in graph.get(f, []):
            if state.get(g) == "open":
                cycle = chain[chain.index(g):] + [g]
                problems.append("include cycle: " +
                                " -> ".join(str(c.relative_to(root)) for c in cycle))
            elif g not in state:
                visit(g, chain + [g])
        state[f] = "done"

    sys.setrecursionlimit(10000)
    for f in files:
        if f not in state:
            visit(f, [f])

    for p in problems:
        print(p)
    print(f"{len(files)} files, {sum(map(len, graph.values()))} includes, "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
