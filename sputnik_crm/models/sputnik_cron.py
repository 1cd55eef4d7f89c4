def trigger_cron_once(env, xmlid):
    """Trigger the addon's cron ``xmlid`` to run just after this transaction
    commits, once per transaction (a mark on it, which no request can set)."""
    cr = env.cr
    mark = f"sputnik_triggered:{xmlid}"
    if cr.precommit.data.get(mark):
        return
    cr.precommit.data[mark] = True
    # the cron by its xml id (cached), without env.ref's check that it
    # exists: _trigger reads it anyway
    cron_id = env["ir.model.data"]._xmlid_to_res_id(xmlid, raise_if_not_found=False)
    if cron_id:
        # sudo: the trigger of the addon's own cron, for any user whose
        # change queued its work; no value of the caller's is used
        env["ir.cron"].browse(cron_id).sudo()._trigger()
