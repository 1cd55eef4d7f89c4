"""pytest-odoo set-up shared by the whole suite.

Under CI=true a skipped test is a failure: a browser test that cannot find
Chromium, or any other skip, must never pass silently.
"""

import os

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if (
        report.skipped
        and os.environ.get("CI") == "true"
        and not hasattr(report, "wasxfail")
    ):
        reason = (
            report.longrepr[-1]
            if isinstance(report.longrepr, tuple)
            else report.longrepr
        )
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which counts as a failure: {reason}"
