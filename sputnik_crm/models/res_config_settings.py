from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sputnik_deposit_percent = fields.Float(
        related="company_id.sputnik_deposit_percent", readonly=False
    )
    sputnik_balance_days = fields.Integer(
        related="company_id.sputnik_balance_days", readonly=False
    )
    sputnik_passport_months = fields.Integer(
        related="company_id.sputnik_passport_months", readonly=False
    )
    sputnik_cancel_fee = fields.Monetary(
        related="company_id.sputnik_cancel_fee",
        readonly=False,
        currency_field="company_currency_id",
    )
    sputnik_regular_trips = fields.Integer(
        related="company_id.sputnik_regular_trips", readonly=False
    )
    sputnik_vip_trips = fields.Integer(
        related="company_id.sputnik_vip_trips", readonly=False
    )
    sputnik_vip_margin = fields.Monetary(
        related="company_id.sputnik_vip_margin",
        readonly=False,
        currency_field="company_currency_id",
    )
    sputnik_dormant_months = fields.Integer(
        related="company_id.sputnik_dormant_months", readonly=False
    )
    sputnik_lost_months = fields.Integer(
        related="company_id.sputnik_lost_months", readonly=False
    )
    sputnik_rfm_months = fields.Integer(
        related="company_id.sputnik_rfm_months", readonly=False
    )
    sputnik_abc_a = fields.Float(related="company_id.sputnik_abc_a", readonly=False)
    sputnik_abc_b = fields.Float(related="company_id.sputnik_abc_b", readonly=False)
    sputnik_xyz_x = fields.Float(related="company_id.sputnik_xyz_x", readonly=False)
    sputnik_xyz_y = fields.Float(related="company_id.sputnik_xyz_y", readonly=False)
    sputnik_xyz_years = fields.Integer(
        related="company_id.sputnik_xyz_years", readonly=False
    )
    sputnik_clv_years = fields.Integer(
        related="company_id.sputnik_clv_years", readonly=False
    )
    sputnik_next_trip_days = fields.Integer(
        related="company_id.sputnik_next_trip_days", readonly=False
    )
    sputnik_release_days = fields.Integer(
        related="company_id.sputnik_release_days", readonly=False
    )
    sputnik_consent_all_mailings = fields.Boolean(
        related="company_id.sputnik_consent_all_mailings", readonly=False
    )
    sputnik_care_birthday = fields.Boolean(
        related="company_id.sputnik_care_birthday", readonly=False
    )
    sputnik_care_reactivation = fields.Boolean(
        related="company_id.sputnik_care_reactivation", readonly=False
    )
    sputnik_care_passport = fields.Boolean(
        related="company_id.sputnik_care_passport", readonly=False
    )
    sputnik_care_passport_days = fields.Integer(
        related="company_id.sputnik_care_passport_days", readonly=False
    )
    sputnik_care_departure = fields.Boolean(
        related="company_id.sputnik_care_departure", readonly=False
    )
    sputnik_care_balance_days = fields.Integer(
        related="company_id.sputnik_care_balance_days", readonly=False
    )
    sputnik_care_survey = fields.Boolean(
        related="company_id.sputnik_care_survey", readonly=False
    )
    sputnik_care_survey_days = fields.Integer(
        related="company_id.sputnik_care_survey_days", readonly=False
    )
    sputnik_care_survey_id = fields.Many2one(
        related="company_id.sputnik_care_survey_id", readonly=False
    )
    sputnik_complaint_days_normal = fields.Integer(
        related="company_id.sputnik_complaint_days_normal", readonly=False
    )
    sputnik_complaint_days_high = fields.Integer(
        related="company_id.sputnik_complaint_days_high", readonly=False
    )
    sputnik_complaint_days_urgent = fields.Integer(
        related="company_id.sputnik_complaint_days_urgent", readonly=False
    )
    sputnik_last_classification_id = fields.Many2one(
        "sputnik.classification.run",
        string="Last Classification",
        compute="_compute_sputnik_last_classification",
    )
    sputnik_agent_count = fields.Integer(
        string="Travel Agents",
        compute="_compute_sputnik_team_counts",
    )
    sputnik_manager_count = fields.Integer(
        string="Sputnik Managers",
        compute="_compute_sputnik_team_counts",
    )

    @api.depends("company_id")
    def _compute_sputnik_team_counts(self):
        agents = self.env.ref("sputnik_crm.group_sputnik_user")
        managers = self.env.ref("sputnik_crm.group_sputnik_manager")
        counts = dict(
            self.env["res.users"]._read_group(
                [("share", "=", False), ("groups_id", "in", (agents + managers).ids)],
                groupby=["groups_id"],
                aggregates=["__count"],
            )
        )
        for settings in self:
            settings.sputnik_agent_count = counts.get(agents, 0)
            settings.sputnik_manager_count = counts.get(managers, 0)

    def _compute_sputnik_last_classification(self):
        last = self.env["sputnik.classification.run"].search([], limit=1)
        for settings in self:
            settings.sputnik_last_classification_id = last

    def action_sputnik_classify(self):
        return self.env["res.partner"].action_sputnik_classify()

    def _sputnik_users_action(self, group_xmlid, name):
        group = self.env.ref(group_xmlid)
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "res.users",
            "view_mode": "list,form",
            "domain": [("share", "=", False), ("groups_id", "in", group.ids)],
            "context": {"default_groups_id": [group.id]},
        }

    def action_sputnik_open_agents(self):
        return self._sputnik_users_action(
            "sputnik_crm.group_sputnik_user", self.env._("Travel Agents")
        )

    def action_sputnik_open_managers(self):
        return self._sputnik_users_action(
            "sputnik_crm.group_sputnik_manager", self.env._("Sputnik Managers")
        )
