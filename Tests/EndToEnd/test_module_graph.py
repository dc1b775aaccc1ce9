"""The layering docs/architecture.md promises, checked on the package itself.

- The tracker never links libmilter: no dependency path from `Tracker` to `Milter`,
  `CMilter` or `TrackingMilter` in `swift package describe`.
- `Tracking` is pure: no file, clock or system random access in its sources; its one
  project dependency is the libcrypto system library.
- The executable holds no message-processing code.
"""

from __future__ import annotations

import json
import pathlib
import re
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def targets() -> dict[str, list[str]]:
    if not shutil.which("swift"):
        pytest.skip("swift is not on PATH")
    out = subprocess.run(
        ["swift", "package", "describe", "--type", "json"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    described = json.loads(out[out.index("{"):])
    return {t["name"]: t.get("target_dependencies", []) for t in described["targets"]}


def reachable(targets: dict[str, list[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        for dep in targets.get(name, []):
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return seen


def test_tracker_reaches_no_milter_module(targets):
    assert "Tracker" in targets
    reached = reachable(targets, "Tracker")
    assert {"Tracking", "TrackingRuntime"} <= reached
    assert not reached & {"Milter", "CMilter", "TrackingMilter"}, sorted(reached)


def test_runtime_reaches_no_milter_module(targets):
    reached = reachable(targets, "TrackingRuntime")
    assert not reached & {"Milter", "CMilter", "TrackingMilter", "Tracker"}, sorted(reached)


def test_tracking_depends_on_no_project_module(targets):
    # CLibcrypto is a system library (a module map and a header), the cipher of the sealer.
    assert set(targets["Tracking"]) == {"CLibcrypto"}, targets["Tracking"]
    assert targets.get("CLibcrypto") == [], targets.get("CLibcrypto")
    assert (ROOT / "Sources" / "CLibcrypto" / "module.modulemap").is_file()


FORBIDDEN_IN_TRACKING = ["FileManager", "fopen", "Date()", "CocoaError", "SystemRandomNumberGenerator",
                         "contentsOfFile", "clock_gettime", "getrandom", "arc4random", "SymmetricKey(size"]


def test_tracking_sources_are_pure():
    hits = []
    for path in sorted((ROOT / "Sources" / "Tracking").rglob("*.swift")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("//", 1)[0]
            for word in FORBIDDEN_IN_TRACKING:
                if word in code:
                    hits.append(f"{path.relative_to(ROOT)}:{number}: {word}")
    assert not hits, "\n".join(hits)


def test_executable_holds_no_message_processing():
    words = re.compile(r"\b(MessageProcessor|MIMERewriter|TrackedRewrite|SealedURLMaker|TokenSealer|\.body\()")
    hits = []
    for path in sorted((ROOT / "Sources" / "tracking-milter").rglob("*.swift")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if words.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not hits, "\n".join(hits)
