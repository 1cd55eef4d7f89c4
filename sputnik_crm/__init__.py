from . import controllers
from . import models
from . import demo
from . import report
from . import wizard


def _sputnik_post_init(env):
    """The stored reports were computed when their models were set up, before
    the data and demo files: compute them again with what those brought."""
    env["sputnik.report.mixin"]._sputnik_refresh()
