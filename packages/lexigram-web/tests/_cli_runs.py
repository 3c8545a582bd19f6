"""Running the ``lexigram`` command in-process for the CLI tests."""

from pathlib import Path

import pytest

from lexigram.web._serve.cli import main


def refused(capsys: pytest.CaptureFixture[str], args: list[str], **modules: str) -> str:
    """Write ``modules`` (module name -> source) in the working directory, run the command,
    check it exits with 2 (a usage error), and answer what it wrote to stderr."""
    for name, source in modules.items():
        Path(f"{name}.py").write_text(source)
    assert main(args) == 2
    return capsys.readouterr().err
