#!/usr/bin/env python3
"""Fails when a module, test targets included, imports a module that
Package.swift does not give it, or one at or above it in the layering that
Package.swift's header states. Also checks that the README's layout table
lists the same modules in the same order.

  scripts/check-layering.py        (from anywhere; exit 1 with every violation)
"""
import json, os, re, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Modules of the toolchain and the platform: always allowed.
PLATFORM = {"Foundation", "FoundationEssentials", "FoundationNetworking", "Glibc", "Darwin", "Dispatch", "Synchronization",
            "Testing", "XCTest", "PackageDescription", "_Concurrency"}

def header_layering(package):
    lines = package.split("\n")
    start = next(i for i, l in enumerate(lines) if l.startswith("// Layering"))
    order, test_data, test_levels = [], [], {}
    for line in lines[start + 1:]:
        if not line.startswith("//"):
            break
        m = re.match(r"^//   (\w[\w-]*): above (\w+)", line)
        if m:
            test_levels[m.group(1)] = m.group(2)
            continue
        m = re.match(r"^//   (\w[\w-]*)\s{2,}", line) or re.match(r"^//   (\w[\w-]*)$", line)
        if m:
            order.append(m.group(1))
            continue
        m = re.match(r"^// Test data, below everything: (.*)\.$", line)
        if m:
            test_data = [name.strip() for name in m.group(1).split(",")]
    return order, test_data, test_levels

def main():
    package = open(os.path.join(root, "Package.swift")).read()
    order, test_data, test_levels = header_layering(package)
    if not order:
        sys.exit("check-layering: no layering in Package.swift's header")
    dump = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=root, check=True, capture_output=True, text=True).stdout)
    targets = {t["name"]: t for t in dump["targets"]}
    level = {name: i for i, name in enumerate(order)}
    for name in test_data:
        level[name] = -1
    problems = []
    # Every target is placed: a module in the order, test data, or a test target.
    for name, target in targets.items():
        if target["type"] == "test":
            tested = test_levels.get(name, name[:-len("Tests")] if name.endswith("Tests") else None)
            if tested not in level:
                problems.append(f"{name}: tests no module of the layering (name it 'XTests', or say 'above X' in Package.swift's header)")
        elif name not in level:
            problems.append(f"{name}: not in the layering of Package.swift's header")
    module_names = {t["name"].replace("-", "_"): t["name"] for t in targets.values()}
    for name, target in targets.items():
        declared = set()
        for dependency in target["dependencies"]:
            if "byName" in dependency:
                declared.add(dependency["byName"][0])
            elif "target" in dependency:
                declared.add(dependency["target"][0])
            elif "product" in dependency:
                declared.add(dependency["product"][0])
        if target["type"] == "test":
            tested = test_levels.get(name, name[:-len("Tests")])
            own = level.get(tested, -1) + 0.5
        elif name in test_data:
            # Test data may use what it names; nothing of the product uses it.
            own = len(order)
        else:
            own = level.get(name, -1)
        path = target.get("path") or os.path.join("Tests" if target["type"] == "test" else "Sources", name)
        directory = os.path.join(root, path)
        for folder, _, files in os.walk(directory):
            for file in files:
                if not file.endswith(".swift"):
                    continue
                for number, text in enumerate(open(os.path.join(folder, file), encoding="utf-8"), 1):
                    stripped = text.strip()
                    # Imports come first; a test's Python in a string literal is not one.
                    if stripped and not stripped.startswith(("import ", "@testable", "public import", "internal import", "package import",
                                                             "@_implementationOnly", "//", "#if", "#elseif", "#else", "#endif")):
                        break
                    m = re.match(r"^\s*(?:@testable\s+|@_implementationOnly\s+)?(?:public\s+|internal\s+|package\s+|private\s+|fileprivate\s+)?import\s+(?:struct\s+|enum\s+|class\s+|func\s+)?(\w+)", text)
                    if not m:
                        continue
                    imported = m.group(1)
                    where = f"{os.path.relpath(os.path.join(folder, file), root)}:{number}"
                    if imported in PLATFORM:
                        continue
                    project = module_names.get(imported)
                    if project is not None:
                        if project not in declared:
                            problems.append(f"{where}: {name} imports {project}, which its target does not name")
                        elif level.get(project, -1) >= own and project not in test_data:
                            problems.append(f"{where}: {name} imports {project}, which is not below it in the layering")
                    elif imported not in declared:
                        problems.append(f"{where}: {name} imports {imported}, which its target does not name")
    # The README's layout table lists the modules in the same order.
    readme = open(os.path.join(root, "README.md"), encoding="utf-8").read()
    section = readme.split("## Layout", 1)[1].split("\n## ", 1)[0] if "## Layout" in readme else ""
    listed = [m.group(1) for m in re.finditer(r"^\| `([\w-]+)`", section, re.M)]
    if [name for name in listed if name in level and level[name] >= 0] != order:
        problems.append(f"README.md, Layout: the table lists {listed}, Package.swift's header {order}")
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print(f"layering: {len(targets)} targets, {len(order)} modules in order, every import declared and below its importer")

if __name__ == "__main__":
    main()
