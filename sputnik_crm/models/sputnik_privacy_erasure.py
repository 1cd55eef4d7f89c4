from markupsafe import escape

from odoo import Command, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL

from .sputnik_privacy_log import ERASED_PARTNER_FIELDS, regex_escape


class SputnikPrivacyErasure(models.AbstractModel):
    """The erasure of a client's personal data (their right to be
    forgotten): what accounting must keep stays, of an anonymous client.
    Called by the erasure dialog (sputnik.client.erase), which checks that the
    user is a manager who may write the client."""

    _name = "sputnik.privacy.erasure"
    _description = "Erasure of a Client's Personal Data"

    def _sputnik_blockers(self, partner):
        """The open bookings (confirmed, not yet back, not cancelled) of
        ``partner`` or on which the client travels, and their unpaid posted
        invoices and credit notes."""
        partner.ensure_one()
        clients = partner.with_context(active_test=False).search(
            [("id", "child_of", partner.id)]
        )
        today = fields.Date.context_today(partner)
        # sudo: blockers are searched in every company and whatever the user's
        # accounting rights; the caller only shows their numbers to a manager
        bookings = (
            self.env["sale.order"]
            .sudo()
            .search(
                [
                    ("state", "=", "sale"),
                    ("sputnik_is_booking", "=", True),
                    "|",
                    ("partner_id", "in", clients.ids),
                    ("sputnik_traveller_ids", "in", clients.ids),
                    "|",
                    ("sputnik_date_end", "=", False),
                    ("sputnik_date_end", ">=", today),
                ]
            )
        )
        invoices = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", clients.ids),
                    ("state", "=", "posted"),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("payment_state", "in", ("not_paid", "partial")),
                ]
            )
        )
        return bookings, invoices

    def _sputnik_check_erasable(self, partner):
        partner.ensure_one()
        bookings, invoices = self._sputnik_blockers(partner)
        if bookings or invoices:
            raise UserError(
                self.env._(
                    "%(client)s cannot be erased while they have open bookings "
                    "(%(bookings)s) or unpaid invoices (%(invoices)s): erase the "
                    "client once the trips are over and the invoices settled.",
                    client=partner.display_name,
                    bookings=", ".join(bookings.mapped("name")) or "-",
                    invoices=", ".join(invoices.mapped("name")) or "-",
                )
            )
        # sudo: the accounts of the client and its contacts, whatever their state
        users = (
            self.env["res.users"]
            .sudo()
            .with_context(active_test=False)
            .search([("partner_id", "child_of", partner.id)])
        )
        if users:
            raise UserError(
                self.env._(
                    "%(client)s has a user account (%(logins)s): delete or archive "
                    "it and change its login before erasing the client.",
                    client=partner.display_name,
                    logins=", ".join(users.mapped("login")),
                )
            )

    def _sputnik_erase(self, partner):
        """Anonymise ``partner`` and its contacts for good: their card, travel
        documents, household, preferences, consents, the texts of their
        interactions, complaints and survey answers, their chatter and its
        tracked values, their followers and files. What accounting must keep
        (bookings, invoices, amounts, entries) stays, now of an anonymous
        client. The caller checked that the user is a manager who may write
        the client."""
        partner.ensure_one()
        self._sputnik_check_erasable(partner)
        _ = self.env._
        marker = _("[erased]")
        # sudo: erasure touches records no single role may write (the log,
        # tracking values, other users' messages); the caller checked that the
        # user is a manager allowed to write this client, and only this
        # client's records are changed
        env = self.env(
            su=True,
            context=dict(
                self.env.context,
                active_test=False,
                tracking_disable=True,
                mail_notrack=True,
            ),
        )
        clients = env["res.partner"].search([("id", "child_of", partner.id)])
        ids = clients.ids
        documents = env["sputnik.travel.document"].search([("partner_id", "in", ids)])
        # the values to hunt in free texts, held in memory only, never logged
        secrets = {
            value.strip()
            for client in clients
            for value in (
                client.name,
                client.display_name,
                client.email,
                client.phone,
                getattr(client, "mobile", False),
                client.street,
            )
            if value and len(value.strip()) >= 3
        } | {number for number in documents.mapped("number") if number}
        interactions = env["sputnik.interaction"].search([("partner_id", "in", ids)])
        complaints = env["sputnik.complaint"].search([("partner_id", "in", ids)])
        bookings = env["sale.order"].search(
            ["|", ("partner_id", "in", ids), ("sputnik_traveller_ids", "in", ids)]
        )
        moves = env["account.move"].search([("partner_id", "in", ids)])
        leads = env["crm.lead"].search([("partner_id", "in", ids)])
        answers = env["survey.user_input"].search([("partner_id", "in", ids)])
        relations = env["sputnik.client.relation"].search(
            ["|", ("partner_id", "in", ids), ("related_partner_id", "in", ids)]
        )
        preferences = env["sputnik.client.preference"].search(
            [("partner_id", "in", ids)]
        )
        overrides = env["sputnik.client.class.override"].search(
            [("partner_id", "in", ids)]
        )
        exports = env["sputnik.privacy.log"].search(
            [("client_ref", "in", ids), ("kind", "=", "export")]
        )
        detail = _(
            "Deleted: %(documents)s travel documents, %(relations)s household "
            "links, %(preferences)s preferences, %(overrides)s class overrides, "
            "%(exports)s export files; anonymised: %(interactions)s interactions, "
            "%(complaints)s complaints, %(answers)s survey answers; kept: "
            "%(bookings)s bookings, %(moves)s journal entries.",
            documents=len(documents),
            relations=len(relations),
            preferences=len(preferences),
            overrides=len(overrides),
            exports=len(exports),
            interactions=len(interactions),
            complaints=len(complaints),
            answers=len(answers),
            bookings=len(bookings),
            moves=len(moves),
        )

        # the threads whose whole chatter is the client's
        own_threads = [
            ("res.partner", ids),
            ("sputnik.interaction", interactions.ids),
            ("sputnik.complaint", complaints.ids),
            ("crm.lead", leads.ids),
        ]
        # the threads the client only appears in (kept for accounting)
        other_threads = [
            ("sale.order", bookings.ids),
            ("account.move", moves.ids),
            ("survey.user_input", answers.ids),
        ]

        def on_threads(threads):
            """The records attached to these threads ((model, ids) pairs)."""
            return expression.OR(
                [
                    [("res_model", "=", model), ("res_id", "in", res_ids)]
                    for model, res_ids in threads
                ]
            )

        env["mail.activity"].search(on_threads(own_threads)).unlink()
        env["ir.attachment"].search(on_threads(own_threads)).unlink()
        exports.attachment_id.unlink()
        # mail threads: their unlink deletes their messages and followers
        documents.unlink()
        overrides.unlink()
        relations.unlink()
        preferences.unlink()
        env["mail.followers"].search([("partner_id", "in", ids)]).unlink()
        # e-mails to, from or about the client (the notifications of its threads)
        env["mail.mail"].search(
            expression.OR(
                [
                    [("recipient_ids", "in", ids)],
                    [("author_id", "in", ids)],
                    *(
                        [("model", "=", model), ("res_id", "in", res_ids)]
                        for model, res_ids in own_threads
                    ),
                ]
            )
        ).unlink()

        interactions.write(
            {
                "name": _("Erased interaction"),
                "note": False,
                "next_step": False,
                "next_step_date": False,
            }
        )
        complaints.write(
            {
                "subject": _("Erased complaint"),
                "description": False,
                "root_cause": False,
                "resolution": False,
            }
        )
        leads.write(
            {
                name: False
                for name in (
                    "contact_name",
                    "partner_name",
                    "email_from",
                    "email_cc",
                    "phone",
                    "mobile",
                    "street",
                    "street2",
                    "zip",
                    "city",
                    "function",
                    "website",
                    "description",
                )
                if name in leads._fields
            }
        )
        answers.write({"email": False, "nickname": False})
        # bank accounts stay for the payments that used them, without their
        # number; by SQL, as Odoo locks the number of a trusted account
        env["res.partner.bank"].flush_model()
        env.cr.execute(
            SQL(
                """
                UPDATE res_partner_bank
                   SET acc_number = %(marker)s || ' ' || id,
                       sanitized_acc_number = %(marker)s || ' ' || id,
                       acc_holder_name = NULL
                 WHERE partner_id IN %(ids)s
                """,
                marker=marker,
                ids=tuple(ids),
            )
        )
        env["res.partner.bank"].invalidate_model()
        if answers:
            # free answers hold what the client wrote; by SQL, as a filled
            # answer of a text question must keep a value
            env.cr.execute(
                SQL(
                    """
                    UPDATE survey_user_input_line
                       SET value_char_box = CASE WHEN value_char_box IS NULL
                                                 THEN NULL ELSE %(marker)s END,
                           value_text_box = CASE WHEN value_text_box IS NULL
                                                 THEN NULL ELSE %(marker)s END
                     WHERE user_input_id IN %(answers)s
                    """,
                    marker=marker,
                    answers=tuple(answers.ids),
                )
            )
        for client in clients:
            client.write(
                {
                    "name": _("Erased client #%(id)s", id=client.id),
                    "category_id": [Command.clear()],
                    **{
                        name: False
                        for name in ERASED_PARTNER_FIELDS
                        if name in client._fields
                    },
                }
            )
        env.flush_all()
        self._sputnik_erase_chatter(own_threads, other_threads, ids, secrets, marker)
        env.invalidate_all()
        self.env["sputnik.privacy.log"]._sputnik_log("erasure", partner, detail=detail)
        partner.message_post(
            body=_(
                "Personal data erased by %(user)s on %(date)s.",
                user=self.env.user.name,
                date=fields.Datetime.to_string(fields.Datetime.now()),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def _sputnik_erase_chatter(self, own_threads, other_threads, ids, secrets, marker):
        """The chatter of the erased client: on its own threads, every message
        emptied and its tracked values deleted; on the threads it appears in,
        its values replaced by ``marker`` in the messages and tracked values;
        its e-mail address dropped from every message it wrote."""
        cr = self.env.cr

        def thread_condition(threads):
            return SQL(" OR ").join(
                SQL("(m.model = %s AND m.res_id IN %s)", model, tuple(res_ids))
                for model, res_ids in threads
                if res_ids
            ) or SQL("FALSE")

        own = thread_condition(own_threads)
        cr.execute(
            SQL(
                """
                DELETE FROM mail_tracking_value t
                 USING mail_message m
                 WHERE m.id = t.mail_message_id AND (%s)
                """,
                own,
            )
        )
        cr.execute(
            SQL(
                """
                UPDATE mail_message m
                   SET body = '', subject = NULL, record_name = NULL,
                       email_from = NULL, reply_to = NULL
                 WHERE (%s) OR m.author_id IN %s
                """,
                own,
                tuple(ids),
            )
        )
        if not secrets:
            return
        values = sorted(secrets, key=len, reverse=True)
        escaped = sorted(
            {str(escape(value)) for value in values}, key=len, reverse=True
        )
        body = SQL("m.body")
        for value in escaped:
            body = SQL("replace(%s, %s, %s)", body, value, marker)
        others = thread_condition(other_threads)
        cr.execute(
            SQL(
                "UPDATE mail_message m SET body = %s WHERE (%s) AND m.body ~ %s",
                body,
                others,
                "|".join(regex_escape(value) for value in escaped),
            )
        )
        # tracked values naming the client: many2one values pointing at it
        # anywhere, char values equal to one of its values in its threads
        cr.execute(
            SQL(
                """
                UPDATE mail_tracking_value t
                   SET old_value_char = CASE
                           WHEN t.old_value_integer IN %(ids)s
                             OR t.old_value_char IN %(values)s
                           THEN %(marker)s ELSE t.old_value_char END,
                       new_value_char = CASE
                           WHEN t.new_value_integer IN %(ids)s
                             OR t.new_value_char IN %(values)s
                           THEN %(marker)s ELSE t.new_value_char END
                  FROM ir_model_fields f, mail_message m
                 WHERE f.id = t.field_id AND m.id = t.mail_message_id
                   AND (
                        (f.ttype = 'many2one' AND f.relation = 'res.partner'
                         AND (t.old_value_integer IN %(ids)s
                              OR t.new_value_integer IN %(ids)s))
                     OR ((%(others)s) AND (t.old_value_char IN %(values)s
                                           OR t.new_value_char IN %(values)s))
                   )
                """,
                ids=tuple(ids),
                values=tuple(values),
                marker=marker,
                others=others,
            )
        )
        cr.execute(
            SQL(
                """
                UPDATE sale_order
                   SET sputnik_passport_override_reason = %s
                 WHERE id IN %s AND sputnik_passport_override_reason ~ %s
                """,
                marker,
                tuple(dict(other_threads)["sale.order"] or [0]),
                "|".join(regex_escape(value) for value in values),
            )
        )
