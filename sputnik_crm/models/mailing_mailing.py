from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError


class MailingMailing(models.Model):
    _name = "mailing.mailing"
    _inherit = ["mailing.mailing", "sputnik.system.fields.mixin"]

    sputnik_segment_id = fields.Many2one(
        "sputnik.segment",
        string="Client Segment",
        help="The mailing goes to the segment's clients as of the day it is sent, "
        "those who agreed to e-mail marketing, once per campaign.",
    )
    sputnik_company_id = fields.Many2one(
        "res.company",
        string="Clients of Company",
        compute="_compute_sputnik_company_id",
        store=True,
        readonly=False,
        precompute=True,
        help="A mailing to a segment reaches only the clients of this company and "
        "those shared by all companies, as its responsible may see them; the "
        "company's marketing consent setting applies to its mailings to contacts.",
    )
    sputnik_consent_required = fields.Boolean(
        string="Marketing Consent Required",
        compute="_compute_sputnik_consent_required",
        help="Only contacts who agreed to e-mail marketing receive this mailing: "
        "always for a mailing to a client segment, and for every mailing to "
        "contacts when the company requires it (Settings).",
    )
    sputnik_no_consent_count = fields.Integer(
        string="Not Mailed: No Consent",
        compute="_compute_sputnik_exclusions",
        help="Contacts the mailing targets who did not agree to e-mail marketing "
        "(or have no e-mail address): they are left out.",
    )
    sputnik_campaign_mailed_count = fields.Integer(
        string="Not Mailed: Already in the Campaign",
        compute="_compute_sputnik_exclusions",
        help="Contacts another mailing of the same campaign already reached: "
        "nobody is mailed twice within one campaign.",
    )

    @api.depends("sputnik_segment_id", "campaign_id")
    def _compute_sputnik_company_id(self):
        for mailing in self:
            mailing.sputnik_company_id = (
                mailing.sputnik_segment_id.company_id
                or mailing.sputnik_company_id
                or mailing.campaign_id.company_id
                or self.env.company
            )

    @api.depends(
        "mailing_model_real",
        "mailing_type",
        "sputnik_segment_id",
        "sputnik_company_id.sputnik_consent_all_mailings",
    )
    def _compute_sputnik_consent_required(self):
        for mailing in self:
            mailing.sputnik_consent_required = mailing._sputnik_consent_applies()

    @api.depends(
        "mailing_domain",
        "mailing_model_id",
        "sputnik_segment_id",
        "sputnik_company_id",
        "campaign_id",
        "user_id",
    )
    def _compute_sputnik_exclusions(self):
        for mailing in self:
            mailing.sputnik_no_consent_count = 0
            mailing.sputnik_campaign_mailed_count = 0
            if not mailing.id or not mailing._sputnik_consent_applies():
                continue
            try:
                targets = mailing._sputnik_target_ids()
            except (UserError, AccessError, ValueError, SyntaxError):
                # a mailing its responsible cannot send yet: nothing excluded
                continue
            consenting = mailing._sputnik_consenting(targets)
            mailing.sputnik_no_consent_count = len(targets) - len(consenting)
            mailed = mailing._sputnik_campaign_mailed()
            mailing.sputnik_campaign_mailed_count = len(consenting & mailed)

    def _compute_total(self):
        segment_mailings = self.filtered("sputnik_segment_id").filtered(
            lambda mailing: mailing.mailing_model_real == "res.partner"
        )
        result = super(MailingMailing, self - segment_mailings)._compute_total()
        for mailing in segment_mailings:
            try:
                total = len(mailing._sputnik_segment_recipient_ids())
            except (UserError, AccessError):
                total = 0
            # as Odoo counts the share of an A/B test
            if total and mailing.ab_testing_enabled and mailing.ab_testing_pc < 100:
                total = max(int(total / 100.0 * mailing.ab_testing_pc), 1)
            mailing.total = total
        return result

    @api.constrains("sputnik_segment_id", "sputnik_company_id", "user_id")
    def _check_sputnik_company(self):
        for mailing in self:
            if not mailing.sputnik_segment_id:
                continue
            responsible = mailing.user_id or self.env.user
            if mailing.sputnik_company_id not in responsible.company_ids:
                raise ValidationError(
                    self.env._(
                        "%(user)s, responsible of mailing %(mailing)s, does not "
                        "work for %(company)s, whose clients it addresses.",
                        user=responsible.display_name,
                        mailing=mailing.display_name,
                        company=mailing.sputnik_company_id.display_name,
                    )
                )
            company = mailing.sputnik_segment_id.company_id
            if company and company != mailing.sputnik_company_id:
                raise ValidationError(
                    self.env._(
                        "Segment %(segment)s is for the clients of %(company)s: "
                        "its mailing %(mailing)s must be too.",
                        segment=mailing.sputnik_segment_id.display_name,
                        company=company.display_name,
                        mailing=mailing.display_name,
                    )
                )

    @api.onchange("sputnik_segment_id")
    def _onchange_sputnik_segment_id(self):
        if self.sputnik_segment_id:
            self.mailing_model_id = self.env["ir.model"]._get("res.partner")
            self.mailing_domain = self.sputnik_segment_id._static_domain()

    # === RECIPIENTS === #
    def _sputnik_consent_applies(self):
        """Consent protects the bureau's clients where the bureau asked for it:
        always for a mailing to a client segment, and for every e-mail mailing
        to contacts if the mailing's company requires it. Other mailings (Odoo's
        own newsletters) keep the recipients they had without the addon."""
        self.ensure_one()
        if self.mailing_model_real != "res.partner" or self.mailing_type != "mail":
            return False
        company = self.sputnik_company_id or self.env.company
        return bool(self.sputnik_segment_id or company.sputnik_consent_all_mailings)

    def _sputnik_partners_of_sender(self):
        """res.partner with the rights of the mailing's responsible, in the
        mailing's company only: the segment is searched as they may see it,
        never under sudo(), whoever sends (the mailing queue runs as the
        superuser)."""
        self.ensure_one()
        sender = self.user_id or self.write_uid or self.env.user
        company = self.sputnik_company_id or self.env.company
        if company not in sender.company_ids:
            raise UserError(
                self.env._(
                    "%(user)s, responsible of mailing %(mailing)s, does not work "
                    "for %(company)s, whose clients it addresses.",
                    user=sender.display_name,
                    mailing=self.display_name,
                    company=company.display_name,
                )
            )
        return (
            self.env["res.partner"]
            .with_user(sender)
            .with_context(allowed_company_ids=company.ids, active_test=True)
        )

    def _sputnik_segment_recipient_ids(self):
        """The segment's clients of the mailing's company (or shared by all
        companies) that its responsible may see."""
        self.ensure_one()
        Partner = self._sputnik_partners_of_sender()
        segment = self.sputnik_segment_id.with_env(Partner.env)
        company = Partner.env.company
        domain = [
            *segment._get_domain(),
            ("company_id", "in", [company.id, False]),
        ]
        return Partner.search(domain).ids

    def _get_recipients_domain(self):
        if self.sputnik_segment_id and self.mailing_model_real == "res.partner":
            return [("id", "in", self._sputnik_segment_recipient_ids())]
        return super()._get_recipients_domain()

    def _sputnik_target_ids(self):
        """The contacts the mailing targets before the addon's exclusions, with
        the rights of whoever looks (as Odoo counts a mailing's total)."""
        self.ensure_one()
        if self.sputnik_segment_id:
            return self._sputnik_segment_recipient_ids()
        return self.env["res.partner"].search(self._get_recipients_domain()).ids

    def _sputnik_consenting(self, partner_ids):
        """Those of ``partner_ids`` who agreed to e-mail marketing and have an
        address."""
        self.check_access("read")
        if not partner_ids:
            return set()
        # sudo: the consent fields are for Sputnik users only, and a marketing
        # user sending a newsletter must honour them too. Safe: it only narrows
        # ids the mailing already targets and returns no value of the partners.
        return set(
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("id", "in", list(partner_ids)),
                    ("sputnik_consent_email", "=", True),
                    ("email", "!=", False),
                ]
            )
            .ids
        )

    def _sputnik_campaign_mailed(self):
        """Partners another mailing of this mailing's campaign reached."""
        self.ensure_one()
        if not self.campaign_id:
            return set()
        traces = self.env["mailing.trace"].search_read(
            [
                ("campaign_id", "=", self.campaign_id.id),
                ("model", "=", "res.partner"),
                ("mass_mailing_id", "!=", self.id),
            ],
            ["res_id"],
        )
        return {trace["res_id"] for trace in traces}

    def _get_recipients(self):
        """Where consent applies: only who agreed, and once per campaign."""
        res_ids = super()._get_recipients()
        if not res_ids or not self._sputnik_consent_applies():
            return res_ids
        consenting = self._sputnik_consenting(res_ids)
        mailed = self._sputnik_campaign_mailed()
        return [
            res_id
            for res_id in res_ids
            if res_id in consenting and res_id not in mailed
        ]

    # === ACTIONS === #
    def action_send_mail(self, res_ids=None):
        """Records given explicitly go through the same rules as the
        mailing's own recipients where consent applies: only the segment's
        clients of the mailing's company, who agreed, once per campaign."""
        guarded = self.filtered(lambda mailing: mailing._sputnik_consent_applies())
        if not res_ids or not guarded:
            return super().action_send_mail(res_ids)
        if self - guarded:
            super(MailingMailing, self - guarded).action_send_mail(res_ids)
        for mailing in guarded:
            targets = mailing._sputnik_target_ids()
            allowed = mailing._sputnik_consenting(targets)
            allowed -= mailing._sputnik_campaign_mailed()
            ids = [res_id for res_id in res_ids if res_id in allowed]
            if not ids:
                # an empty list would make Odoo mail every remaining recipient
                raise UserError(
                    self.env._(
                        "None of the records given may receive mailing "
                        "%(mailing)s: they are not among its recipients, did not "
                        "agree to e-mail marketing or were already mailed in the "
                        "campaign.",
                        mailing=mailing.display_name,
                    )
                )
            super(MailingMailing, mailing).action_send_mail(ids)
        return True

    def action_sputnik_view_no_consent(self):
        """The contacts the mailing leaves out for want of consent."""
        self.ensure_one()
        targets = self._sputnik_target_ids()
        consenting = self._sputnik_consenting(targets)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Not mailed: no e-mail consent"),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("id", "in", [t for t in targets if t not in consenting])],
            "context": {"create": False},
        }
