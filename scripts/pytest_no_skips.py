"""A pytest plugin loaded by the nox sessions: in CI (``CI`` set), a skipped test fails the run.

Nothing the test suite covers may be skipped silently on CI: a missing binary or
package must fail loudly instead.
"""

from __future__ import annotations

import os

import pytest

_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skipped and os.environ.get("CI"):
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            skipped = ", ".join(_skipped)
            reporter.write_line(f"CI forbids skipped tests; skipped: {skipped}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
