from odoo import api, models

from .sputnik_privacy_log import logged_read


class ResPartner(models.Model):
    """The client's rights on their personal data: who read their passports
    and birth date (sputnik.privacy.log), the export of everything the addon
    holds about them (sputnik.privacy.export), and their erasure
    (sputnik.privacy.erasure, confirmed in sputnik.client.erase)."""

    _inherit = "res.partner"

    # === PERSONAL DATA: ACCESS LOG (see sputnik.privacy.log) === #
    def read(self, fields=None, load="_classic_read"):
        """A user's read of birth dates (forms, lists, RPC: ``web_read`` and
        ``web_search_read`` go through here) is logged per client."""
        result = super().read(fields, load)
        self._sputnik_log_birthdates(result)
        return result

    @api.model
    def search_read(
        self, domain=None, fields=None, offset=0, limit=None, order=None, **read_kwargs
    ):
        result = super().search_read(
            domain, fields, offset=offset, limit=limit, order=order, **read_kwargs
        )
        self._sputnik_log_birthdates(result)
        return result

    @logged_read
    def web_read(self, specification):
        # the client's form: its birth date and travel documents are logged
        return super().web_read(specification)

    def _sputnik_log_birthdates(self, result):
        if self.env.su:
            return
        ids = [
            values["id"]
            for values in result
            if isinstance(values.get("id"), int)
            and (values.get("sputnik_birthdate") or values.get("sputnik_age"))
        ]
        if ids:
            self.env["sputnik.privacy.log"]._sputnik_log_access(
                "birthdate", self.browse(ids)
            )

    # === PERSONAL DATA: EXPORT (see sputnik.privacy.export) === #
    def action_sputnik_export_personal_data(self):
        """Everything the addon holds about this client, as one JSON file
        attached to the export's row of the personal data log."""
        self.ensure_one()
        self.env["sputnik.privacy.log"]._sputnik_check_manager()
        self.check_access("read")
        return self.env["sputnik.privacy.export"]._sputnik_export(self)

    # === PERSONAL DATA: ERASURE (see sputnik.privacy.erasure) === #
    def action_sputnik_erase_personal_data(self):
        """The confirmation dialog of the erasure of this client."""
        self.ensure_one()
        self.env["sputnik.privacy.log"]._sputnik_check_manager()
        self.check_access("write")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Erase the Client's Personal Data"),
            "res_model": "sputnik.client.erase",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.id},
        }
