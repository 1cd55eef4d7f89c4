from odoo import api, fields, models
from odoo.osv import expression


class MailingMailing(models.Model):
    _name = "mailing.mailing"
    _inherit = ["mailing.mailing", "sputnik.system.fields.mixin"]

    sputnik_segment_id = fields.Many2one(
        "sputnik.segment",
        string="Client Segment",
        help="The mailing goes to the segment's clients as of the day it is sent.",
    )
    sputnik_no_consent_count = fields.Integer(
        string="Not Mailed: No Consent",
        compute="_compute_sputnik_exclusions",
        help="Clients the mailing targets who did not agree to e-mail marketing "
        "(or have no e-mail address): they are left out.",
    )
    sputnik_campaign_mailed_count = fields.Integer(
        string="Not Mailed: Already in the Campaign",
        compute="_compute_sputnik_exclusions",
        help="Clients another mailing of the same campaign already reached: "
        "nobody is mailed twice within one campaign.",
    )

    @api.onchange("sputnik_segment_id")
    def _onchange_sputnik_segment_id(self):
        if self.sputnik_segment_id:
            self.mailing_model_id = self.env["ir.model"]._get("res.partner")
            self.mailing_domain = self.sputnik_segment_id._static_domain()

    def _sputnik_applies(self):
        self.ensure_one()
        return self.mailing_model_real == "res.partner" and self.mailing_type == "mail"

    def _get_recipients_domain(self):
        if self.sputnik_segment_id and self.mailing_model_real == "res.partner":
            return self.sputnik_segment_id.sudo()._get_domain()
        return super()._get_recipients_domain()

    def _sputnik_campaign_mailed(self):
        """Partners another mailing of this mailing's campaign reached."""
        self.ensure_one()
        if not self.campaign_id:
            return set()
        traces = (
            self.env["mailing.trace"]
            .sudo()
            .search_read(
                [
                    ("campaign_id", "=", self.campaign_id.id),
                    ("model", "=", "res.partner"),
                    ("mass_mailing_id", "!=", self.id),
                ],
                ["res_id"],
            )
        )
        return {trace["res_id"] for trace in traces}

    def _get_recipients(self):
        """Clients only with their e-mail consent, and once per campaign."""
        res_ids = super()._get_recipients()
        if not self._sputnik_applies() or not res_ids:
            return res_ids
        consenting = set(
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("id", "in", res_ids),
                    ("sputnik_consent_email", "=", True),
                    ("email", "!=", False),
                ]
            )
            .ids
        )
        mailed = self._sputnik_campaign_mailed()
        return [
            res_id
            for res_id in res_ids
            if res_id in consenting and res_id not in mailed
        ]

    @api.depends(
        "mailing_domain", "mailing_model_id", "sputnik_segment_id", "campaign_id"
    )
    def _compute_sputnik_exclusions(self):
        Partner = self.env["res.partner"].sudo()
        for mailing in self:
            mailing.sputnik_no_consent_count = 0
            mailing.sputnik_campaign_mailed_count = 0
            if not mailing.id or not mailing._sputnik_applies():
                continue
            try:
                domain = mailing._get_recipients_domain()
            except (ValueError, SyntaxError):
                continue
            mailing.sputnik_no_consent_count = Partner.search_count(
                expression.AND([domain, mailing._sputnik_no_consent_domain()])
            )
            mailed = mailing._sputnik_campaign_mailed()
            if mailed:
                mailing.sputnik_campaign_mailed_count = Partner.search_count(
                    expression.AND([domain, [("id", "in", list(mailed))]])
                )

    def _sputnik_no_consent_domain(self):
        return ["|", ("sputnik_consent_email", "=", False), ("email", "=", False)]

    def action_sputnik_view_no_consent(self):
        """The clients the mailing leaves out for want of consent."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Not mailed: no e-mail consent"),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": expression.AND(
                [self._get_recipients_domain(), self._sputnik_no_consent_domain()]
            ),
            "context": {"create": False},
        }
