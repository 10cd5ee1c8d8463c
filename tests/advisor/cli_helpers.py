"""Runs the CLI in-process with its outside world (streams, environment) replaced."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from advisor.cli import Env, main


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str


def run_cli(args: list[str], home: Path, stdin: str = "", **environ: str) -> Outcome:
    """Output is as wide as it needs to be unless the test sets COLUMNS: most tests read content."""
    env = Env(
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        stdin=io.StringIO(stdin),
        environ={"COLAB_ADVISOR_HOME": str(home), "COLUMNS": "1000", **environ},
    )
    code = main(args, env)
    return Outcome(code, env.stdout.getvalue(), env.stderr.getvalue())
