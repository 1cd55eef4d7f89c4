from . import controllers
from . import models
from . import demo
from . import report
from . import wizard


def _sputnik_post_init(env):
    """The stored reports were computed when their models were set up, before
    the data and demo files: compute them again with what those brought; the
    probable duplicates' match keys of the partners already in the base (see
    sputnik.client.duplicate's init)."""
    env["sputnik.client.duplicate"]._sputnik_rebuild_keys()
    env["sputnik.report.mixin"]._sputnik_refresh()
