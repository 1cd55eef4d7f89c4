from odoo import models


class MailingTrace(models.Model):
    _inherit = "mailing.trace"

    def set_sent(self, domain=None):
        traces = super().set_sent(domain=domain)
        traces._sputnik_capture("sent")
        return traces

    def set_opened(self, domain=None):
        traces = super().set_opened(domain=domain)
        traces._sputnik_capture("opened")
        return traces

    def set_clicked(self, domain=None):
        traces = super().set_clicked(domain=domain)
        traces._sputnik_capture("clicked")
        return traces

    def set_replied(self, domain=None):
        traces = super().set_replied(domain=domain)
        traces._sputnik_capture("replied")
        return traces

    def _sputnik_capture(self, event):
        """A mailing sent to a client, or their opening, click or reply, in the
        client's interactions, once each."""
        subjects = {
            "sent": self.env._("Mailing sent: %(subject)s"),
            "opened": self.env._("Mailing opened: %(subject)s"),
            "clicked": self.env._("Mailing link clicked: %(subject)s"),
            "replied": self.env._("Mailing replied to: %(subject)s"),
        }
        # sudo: called after Odoo's set_* wrote the traces with the caller's
        # rights (or from the tracking controllers); the client and the mailing
        # are read only to record the event in the client's interactions
        traces = self.sudo().filtered(lambda t: t.model == "res.partner" and t.res_id)
        partners = (
            self.env["res.partner"].sudo().browse(traces.mapped("res_id")).exists()
        )
        self.env["sputnik.interaction"]._capture(
            [
                {
                    "event_key": f"mailing_{event}:{trace.id}",
                    "name": subjects[event]
                    % {"subject": trace.mass_mailing_id.subject or "-"},
                    "interaction_type": "email",
                    "direction": "outbound" if event == "sent" else "inbound",
                    "partner_id": self.env["res.partner"]
                    .browse(trace.res_id)
                    .commercial_partner_id.id,
                    "campaign_id": trace.campaign_id.id,
                    "user_id": trace.mass_mailing_id.user_id.id,
                    "stage": "pre_sale",
                }
                for trace in traces
                if trace.res_id in partners.ids
            ]
        )
