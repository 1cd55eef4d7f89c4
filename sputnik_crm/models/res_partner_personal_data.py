import json

from markupsafe import escape

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL, html2plaintext

from .sputnik_privacy_log import (
    CARD_FIELDS,
    CONSENT_FIELDS,
    ERASED_PARTNER_FIELDS,
    EXPORT_FORMAT,
    logged_read,
    regex_escape,
)


class ResPartner(models.Model):
    """The client's rights on their personal data: who read their passports
    and birth date (sputnik.privacy.log), the export of everything the addon
    holds about them, and their erasure."""

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

    # === PERSONAL DATA: EXPORT === #
    def action_sputnik_export_personal_data(self):
        """Everything the addon holds about this client, as one JSON file
        attached to the export's row of the personal data log."""
        self.ensure_one()
        Log = self.env["sputnik.privacy.log"]
        Log._sputnik_check_manager()
        self.check_access("read")
        data = self._sputnik_personal_data()
        content = json.dumps(data, indent=2, ensure_ascii=False, default=str)
        today = fields.Date.context_today(self)
        log = Log._sputnik_log(
            "export",
            self,
            detail=self.env._(
                "%(count)s records exported", count=data["export"]["records"]
            ),
        )
        # sudo: the file goes with the log row, which only managers read and
        # nobody writes; the user was checked as a manager who may read the client
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": f"personal-data-client-{self.id}-{today}.json",
                    "raw": content.encode(),
                    "mimetype": "application/json",
                    "res_model": log._name,
                    "res_id": log.id,
                }
            )
        )
        log.sudo().attachment_id = attachment
        self.message_post(
            body=self.env._(
                "Personal data exported by %(user)s on %(date)s.",
                user=self.env.user.name,
                date=fields.Datetime.to_string(log.date),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    def _sputnik_personal_data(self):
        """The export as a dict of sections, each a list of records whose keys
        are the fields' labels in the user's language."""
        self.ensure_one()
        _ = self.env._
        env = self.env
        clients = self.with_context(active_test=False).search(
            [("id", "child_of", self.id)]
        )
        archived = {"active_test": False}
        # sudo: the user is a manager who may read the client (checked by the
        # caller); invoices and survey answers need accounting and survey
        # rights a manager may not have: only the client's, in the manager's
        # companies, are read
        companies = env.user.company_ids.ids
        invoices = (
            env["account.move"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", clients.ids),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("company_id", "in", companies),
                ],
                order="invoice_date, id",
            )
        )
        surveys = (
            env["survey.user_input"]
            .sudo()
            .search([("partner_id", "in", clients.ids)], order="create_date, id")
        )
        bookings = (
            env["sale.order"]
            .with_context(**archived)
            .search(
                [
                    "|",
                    ("partner_id", "in", clients.ids),
                    ("sputnik_traveller_ids", "in", clients.ids),
                ],
                order="date_order, id",
            )
        )
        sections = {
            _("Client"): self._sputnik_export_rows(clients, CARD_FIELDS),
            _("Consents"): self._sputnik_export_rows(clients, CONSENT_FIELDS),
            _("Travel Documents"): self._sputnik_export_rows(
                env["sputnik.travel.document"]
                .with_context(**archived)
                .search([("partner_id", "in", clients.ids)]),
                [
                    "partner_id",
                    "document_type",
                    "number",
                    "country_id",
                    "issue_date",
                    "expiry_date",
                    "active",
                ],
            ),
            _("Household and Companions"): self._sputnik_export_rows(
                env["sputnik.client.relation"].search(
                    [
                        "|",
                        ("partner_id", "in", clients.ids),
                        ("related_partner_id", "in", clients.ids),
                    ]
                ),
                ["partner_id", "related_partner_id", "relation", "pays_for", "note"],
            ),
            _("Preferences"): self._sputnik_export_rows(
                env["sputnik.client.preference"].search(
                    [("partner_id", "in", clients.ids)]
                ),
                [
                    "kind",
                    "destination_id",
                    "tour_type",
                    "hotel_stars",
                    "meal_plan",
                    "season",
                    "budget_min",
                    "budget_max",
                    "currency_id",
                    "date_from",
                    "date_to",
                ],
            ),
            _("Interactions"): self._sputnik_export_rows(
                env["sputnik.interaction"].search(
                    [("partner_id", "in", clients.ids)], order="date, id"
                ),
                [
                    "date",
                    "name",
                    "interaction_type",
                    "direction",
                    "duration",
                    "user_id",
                    "order_id",
                    "campaign_id",
                    "stage",
                    "reaction",
                    "satisfaction",
                    "note",
                    "next_step",
                    "next_step_date",
                ],
            ),
            _("Complaints"): self._sputnik_export_rows(
                env["sputnik.complaint"].search(
                    [("partner_id", "in", clients.ids)], order="date_open, id"
                ),
                [
                    "name",
                    "date_open",
                    "subject",
                    "order_id",
                    "category",
                    "priority",
                    "stage",
                    "user_id",
                    "deadline",
                    "date_resolved",
                    "description",
                    "root_cause",
                    "resolution",
                    "satisfaction",
                    "compensation_amount",
                ],
            ),
            _("Bookings"): [
                {
                    **row,
                    _("Departures"): booking.order_line.sputnik_departure_id.mapped(
                        "display_name"
                    ),
                }
                for booking, row in zip(
                    bookings,
                    self._sputnik_export_rows(
                        bookings,
                        [
                            "name",
                            "date_order",
                            "state",
                            "sputnik_status",
                            "partner_id",
                            "sputnik_traveller_ids",
                            "sputnik_date_start",
                            "sputnik_date_end",
                            "sputnik_operator_ref",
                            "amount_total",
                            "currency_id",
                            "user_id",
                            "company_id",
                        ],
                    ),
                    strict=True,
                )
            ],
            _("Invoices"): self._sputnik_export_rows(
                invoices,
                [
                    "name",
                    "move_type",
                    "invoice_date",
                    "invoice_date_due",
                    "state",
                    "payment_state",
                    "amount_total",
                    "amount_residual",
                    "currency_id",
                    "invoice_origin",
                    "company_id",
                ],
            ),
            _("Classification History"): self._sputnik_export_rows(
                env["sputnik.client.class.history"].search(
                    [("partner_id", "in", clients.ids)], order="date, id"
                ),
                [
                    "date",
                    "source",
                    "lifecycle_old",
                    "lifecycle_new",
                    "rfm_segment_old",
                    "rfm_segment_new",
                    "abc_old",
                    "abc_new",
                    "xyz_old",
                    "xyz_new",
                    "tier_old_id",
                    "tier_new_id",
                ],
            ),
            _("Class Overrides"): self._sputnik_export_rows(
                env["sputnik.client.class.override"]
                .with_context(**archived)
                .search([("partner_id", "in", clients.ids)]),
                [
                    "create_date",
                    "dimension",
                    "value_display",
                    "reason",
                    "user_id",
                    "active",
                    "lifted_uid",
                    "lifted_date",
                ],
            ),
            _("Client Care Log"): self._sputnik_export_rows(
                env["sputnik.care.event"].search(
                    [("partner_id", "in", clients.ids)], order="date, id"
                ),
                ["date", "occasion", "channel", "order_id", "document_id", "user_id"],
            ),
            _("Survey Answers"): [
                {
                    **row,
                    _("Answers"): self._sputnik_export_rows(
                        answer.user_input_line_ids,
                        [
                            "question_id",
                            "skipped",
                            "suggested_answer_id",
                            "matrix_row_id",
                            "value_char_box",
                            "value_text_box",
                            "value_numerical_box",
                            "value_date",
                            "value_datetime",
                        ],
                    ),
                }
                for answer, row in zip(
                    surveys,
                    self._sputnik_export_rows(
                        surveys,
                        [
                            "survey_id",
                            "create_date",
                            "state",
                            "sputnik_order_id",
                            "sputnik_csat",
                            "sputnik_nps",
                            "email",
                            "nickname",
                        ],
                    ),
                    strict=True,
                )
            ],
            _("Messages"): self._sputnik_export_rows(
                env["mail.message"].search(
                    [("model", "=", "res.partner"), ("res_id", "in", clients.ids)],
                    order="date, id",
                ),
                ["date", "author_id", "message_type", "subject", "body"],
            ),
            _("Personal Data Log"): self._sputnik_export_rows(
                env["sputnik.privacy.log"].search(
                    [("client_ref", "in", clients.ids)], order="date, id"
                ),
                ["date", "kind", "user_id"],
            ),
        }
        return {
            "export": {
                "format": EXPORT_FORMAT,
                "client_id": self.id,
                "exported_on": fields.Datetime.to_string(fields.Datetime.now()),
                "exported_by": self.env.user.name,
                "company": self.env.company.name,
                "records": sum(len(rows) for rows in sections.values()),
            },
            **sections,
        }

    def _sputnik_export_rows(self, records, field_names):
        """``records`` as dicts of readable values keyed by the fields' labels."""
        names = [name for name in field_names if name in records._fields]
        labels = {}
        for name in names:
            label = records._fields[name]._description_string(self.env)
            labels[name] = label if label not in labels.values() else name
        rows = []
        for record in records:
            row = {"ID": record.id}
            for name in names:
                row[labels[name]] = self._sputnik_export_value(record, name)
            rows.append(row)
        return rows

    def _sputnik_export_value(self, record, name):
        field = record._fields[name]
        value = record[name]
        if field.type in ("boolean", "integer", "float", "monetary"):
            return value
        if not value:
            return None
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(value, value)
        if field.type == "many2one":
            return value.display_name
        if field.type in ("one2many", "many2many"):
            return value.mapped("display_name")
        if field.type == "html":
            return html2plaintext(value)
        if field.type == "date":
            return fields.Date.to_string(value)
        if field.type == "datetime":
            return fields.Datetime.to_string(value)
        return value

    # === PERSONAL DATA: ERASURE === #
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

    def _sputnik_erase_blockers(self):
        """The open bookings (confirmed, not yet back, not cancelled) of this
        client or on which the client travels, and their unpaid posted
        invoices and credit notes."""
        self.ensure_one()
        clients = self.with_context(active_test=False).search(
            [("id", "child_of", self.id)]
        )
        today = fields.Date.context_today(self)
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

    def _sputnik_check_erasable(self):
        self.ensure_one()
        bookings, invoices = self._sputnik_erase_blockers()
        if bookings or invoices:
            raise UserError(
                self.env._(
                    "%(client)s cannot be erased while they have open bookings "
                    "(%(bookings)s) or unpaid invoices (%(invoices)s): erase the "
                    "client once the trips are over and the invoices settled.",
                    client=self.display_name,
                    bookings=", ".join(bookings.mapped("name")) or "-",
                    invoices=", ".join(invoices.mapped("name")) or "-",
                )
            )
        # sudo: the accounts of the client and its contacts, whatever their state
        users = (
            self.env["res.users"]
            .sudo()
            .with_context(active_test=False)
            .search([("partner_id", "child_of", self.id)])
        )
        if users:
            raise UserError(
                self.env._(
                    "%(client)s has a user account (%(logins)s): delete or archive "
                    "it and change its login before erasing the client.",
                    client=self.display_name,
                    logins=", ".join(users.mapped("login")),
                )
            )

    def _sputnik_erase(self):
        """Anonymise this client and its contacts for good: their card, travel
        documents, household, preferences, consents, the texts of their
        interactions, complaints and survey answers, their chatter and its
        tracked values, their followers and files. What accounting must keep
        (bookings, invoices, amounts, entries) stays, now of an anonymous
        client. The caller checked that the user is a manager who may write
        the client."""
        self.ensure_one()
        self._sputnik_check_erasable()
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
        clients = env["res.partner"].search([("id", "child_of", self.id)])
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
        self.env["sputnik.privacy.log"]._sputnik_log("erasure", self, detail=detail)
        self.message_post(
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
