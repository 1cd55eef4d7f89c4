from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        # a payment (or a credit note) matched with an invoice: what clients
        # owe changes in the money reports
        self.env["sputnik.report.mixin"]._sputnik_money_changed()
        return partials

    def unlink(self):
        if self:
            # a payment unmatched (reset to draft, cancelled): what clients owe
            # changes back in the money reports
            self.env["sputnik.report.mixin"]._sputnik_money_changed()
        return super().unlink()
