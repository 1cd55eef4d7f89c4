from odoo import fields, models


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "sputnik.system.fields.mixin"]

    sputnik_interaction_ids = fields.One2many(
        "sputnik.interaction", "lead_id", string="Interactions"
    )
    sputnik_interaction_count = fields.Integer(
        string="Interactions Count", compute="_compute_sputnik_interaction_count"
    )

    def _compute_sputnik_interaction_count(self):
        counts = dict(
            self.env["sputnik.interaction"]._read_group(
                [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]
            )
        )
        for lead in self:
            lead.sputnik_interaction_count = counts.get(lead, 0)

    def action_sputnik_log_interaction(self):
        self.ensure_one()
        return self.env["sputnik.interaction"]._log_action(
            self.partner_id,
            {"default_lead_id": self.id, "default_campaign_id": self.campaign_id.id},
        )

    def action_sputnik_interactions(self):
        self.ensure_one()
        return self.env["sputnik.interaction"]._list_action([("lead_id", "=", self.id)])
