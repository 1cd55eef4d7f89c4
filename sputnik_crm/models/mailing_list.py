from odoo import fields, models
from odoo.exceptions import AccessError


class MailingList(models.Model):
    _inherit = "mailing.list"

    def action_sputnik_record_email_consent(self):
        """Record the e-mail marketing consent of the contacts subscribed to
        these lists (not opted out, not blacklisted), with the list as its
        source and today as its date. A consent already recorded keeps its own
        date and source."""
        if not self.env.user.has_group("sputnik_crm.group_sputnik_manager"):
            raise AccessError(
                self.env._("Only Sputnik managers record consents in bulk.")
            )
        self.check_access("read")
        Partner = self.env["res.partner"]
        Partner.check_access("write")
        today = fields.Date.context_today(self)
        recorded = Partner
        for mailing_list in self:
            emails = {
                subscription.contact_id.email_normalized
                for subscription in mailing_list.subscription_ids
                if not subscription.opt_out
                and subscription.contact_id.email_normalized
                and not subscription.contact_id.is_blacklisted
            }
            if not emails:
                continue
            # with the manager's rights: only the contacts they may see
            partners = Partner.search(
                [
                    ("email_normalized", "in", sorted(emails)),
                    ("sputnik_consent_email", "=", False),
                    ("is_blacklisted", "=", False),
                ]
            )
            partners.write(
                {
                    "sputnik_consent_email": True,
                    "sputnik_consent_email_date": today,
                    "sputnik_consent_email_source": "mailing_list",
                    "sputnik_consent_email_origin": self.env._(
                        "Mailing list %(name)s", name=mailing_list.name
                    ),
                }
            )
            recorded |= partners
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "E-mail consent recorded for %(count)s contacts subscribed to "
                    "the list.",
                    count=len(recorded),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
