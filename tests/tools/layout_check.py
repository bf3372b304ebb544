#!/usr/bin/env python3
"""The layout rules of DESIGN.md that the compiler does not check.

- No import circle between the modules of a crate (`crate::a` using
  `crate::b` using `crate::a`), between files and between the top-level
  modules that hold them.
- No source file over 500 lines unless its first lines say why ("Over 500
  lines:").
- SQL text only in store modules: the events crate, the projections (each
  owns its tables), and the files listed in STORE_MODULES.

Exits 1 and names each breach.
"""

import collections
import os
import re
import sys

CRATES = {"src": "salle", "events/src": "salle-events", "domain/src": "salle-domain",
          "projections/src": "salle-projections", "web/src": "salle-web"}
MAX_LINES = 500
STORE_MODULES = {
    "src/app/accounts/store.rs",
    "src/app/calendars/store.rs",
    "src/app/invitations/store.rs",
    "src/app/registration/store.rs",
    "src/commands/free_texts.rs",
    "src/commands/identifiers.rs",
    "src/commands/personal_data.rs",
    "src/mail/outbox.rs",
    "src/mail/recipients.rs",
    "src/payments/simulated/store.rs",
    "src/process/payments/store.rs",
    # The store benchmark's floor: a raw INSERT beside the store's own append.
    "src/bench.rs",
}
SQL = re.compile(r'"\s*(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|CREATE TABLE)\b')


def module_of(root, path):
    parts = os.path.relpath(path, root)[:-3].split(os.sep)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)


def without_tests(text):
    return re.sub(r"#\[cfg\(test\)\]\s*mod tests\s*\{.*", "", text, flags=re.S)


def code_only(text):
    """Without the tests and the comments (a doc link is not an import)."""
    return re.sub(r"//[^\n]*", "", without_tests(text))


def imports(root, files):
    modules = set(files)
    graph = collections.defaultdict(set)
    for module, path in files.items():
        text = code_only(open(path, encoding="utf-8").read())
        refs = [m.group(1).split("::") for m in re.finditer(r"\bcrate::((?:\w+::)*\w+)", text)]
        refs += [list(module[:-1]) + m.group(1).split("::")
                 for m in re.finditer(r"\bsuper::((?:\w+::)*\w+)", text)]
        for parts in refs:
            target = next((tuple(parts[:i]) for i in range(len(parts), 0, -1) if tuple(parts[:i]) in modules), None)
            related = target is None or target[: len(module)] == module or module[: len(target)] == target
            if not related:
                graph[module].add(target)
    return graph


def cycles(graph):
    index, low, stack, on, found = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10_000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(component)

    for v in list(graph):
        if v not in index:
            visit(v)
    return found


def main():
    problems = []
    for root, crate in CRATES.items():
        files = {}
        for directory, _, names in os.walk(root):
            for name in names:
                if name.endswith(".rs"):
                    path = os.path.join(directory, name)
                    files[module_of(root, path)] = path
        graph = imports(root, files)
        # At every depth: between files, and between the top-level modules
        # that hold them (`app` using `seed` using `app` is a circle even
        # when no single file closes it).
        for depth in (None, 1):
            collapsed = collections.defaultdict(set)
            for a, targets in graph.items():
                for b in targets:
                    a2, b2 = (a, b) if depth is None else (a[:depth], b[:depth])
                    if a2 != b2:
                        collapsed[a2].add(b2)
            for component in cycles(collapsed):
                names = ", ".join(sorted("::".join(m) or "(root)" for m in component))
                problems.append(f"{crate}: an import circle between {names}")
        for path in sorted(files.values()):
            text = open(path, encoding="utf-8").read()
            lines = text.count("\n")
            if lines > MAX_LINES and "Over 500 lines:" not in "\n".join(text.splitlines()[:12]):
                problems.append(f"{path}: {lines} lines, and no « Over 500 lines: » reason at its top")
            allowed = root in ("events/src", "projections/src") or path in STORE_MODULES
            if not allowed and SQL.search(without_tests(text)):
                problems.append(f"{path}: SQL outside a store module")
    for p in problems:
        print(f"layout: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"layout: no import circle, no long file without a reason, SQL only in store modules")


if __name__ == "__main__":
    main()
