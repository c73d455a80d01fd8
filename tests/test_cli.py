"""The command line as a shell user meets it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parent.parent


def test_a_reader_that_goes_away_ends_the_command_quietly() -> None:
    """`kpbrief i18n status | head -1`: once the pipe's reader has gone, the command stops
    without a traceback (exit 141, as a shell reports a command ended by SIGPIPE)."""
    command = [sys.executable, "-m", "kpbrief", "i18n", "status", "--source", str(REPO)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before the command has printed anything
    errors = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141, errors
    assert "Traceback" not in errors and "BrokenPipe" not in errors, errors
