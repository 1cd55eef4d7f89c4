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
