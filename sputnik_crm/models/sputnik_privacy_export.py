import json

from odoo import fields, models
from odoo.tools import html2plaintext

from .sputnik_privacy_log import CARD_FIELDS, CONSENT_FIELDS, EXPORT_FORMAT


class SputnikPrivacyExport(models.AbstractModel):
    """The export of everything the addon holds about a client (their right
    of access), as one JSON file attached to the personal data log. Called by
    ``res.partner.action_sputnik_export_personal_data``, which checks that the
    user is a manager who may read the client."""

    _name = "sputnik.privacy.export"
    _description = "Export of a Client's Personal Data"

    def _sputnik_export(self, partner):
        """Everything the addon holds about ``partner``, as one JSON file
        attached to the export's row of the personal data log, and the action
        that downloads it."""
        partner.ensure_one()
        Log = self.env["sputnik.privacy.log"]
        data = self._sputnik_personal_data(partner)
        content = json.dumps(data, indent=2, ensure_ascii=False, default=str)
        today = fields.Date.context_today(partner)
        log = Log._sputnik_log(
            "export",
            partner,
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
                    "name": f"personal-data-client-{partner.id}-{today}.json",
                    "raw": content.encode(),
                    "mimetype": "application/json",
                    "res_model": log._name,
                    "res_id": log.id,
                }
            )
        )
        log.sudo().attachment_id = attachment
        partner.message_post(
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

    def _sputnik_personal_data(self, partner):
        """The export as a dict of sections, each a list of records whose keys
        are the fields' labels in the user's language."""
        partner.ensure_one()
        _ = self.env._
        env = self.env
        clients = partner.with_context(active_test=False).search(
            [("id", "child_of", partner.id)]
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
            _("Client"): self._sputnik_rows(clients, CARD_FIELDS),
            _("Consents"): self._sputnik_rows(clients, CONSENT_FIELDS),
            _("Travel Documents"): self._sputnik_rows(
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
            _("Household and Companions"): self._sputnik_rows(
                env["sputnik.client.relation"].search(
                    [
                        "|",
                        ("partner_id", "in", clients.ids),
                        ("related_partner_id", "in", clients.ids),
                    ]
                ),
                ["partner_id", "related_partner_id", "relation", "pays_for", "note"],
            ),
            _("Preferences"): self._sputnik_rows(
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
            _("Interactions"): self._sputnik_rows(
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
            _("Complaints"): self._sputnik_rows(
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
                    self._sputnik_rows(
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
            _("Invoices"): self._sputnik_rows(
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
            _("Classification History"): self._sputnik_rows(
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
            _("Class Overrides"): self._sputnik_rows(
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
            _("Client Care Log"): self._sputnik_rows(
                env["sputnik.care.event"].search(
                    [("partner_id", "in", clients.ids)], order="date, id"
                ),
                ["date", "occasion", "channel", "order_id", "document_id", "user_id"],
            ),
            _("Survey Answers"): [
                {
                    **row,
                    _("Answers"): self._sputnik_rows(
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
                    self._sputnik_rows(
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
            _("Messages"): self._sputnik_rows(
                env["mail.message"].search(
                    [("model", "=", "res.partner"), ("res_id", "in", clients.ids)],
                    order="date, id",
                ),
                ["date", "author_id", "message_type", "subject", "body"],
            ),
            _("Personal Data Log"): self._sputnik_rows(
                env["sputnik.privacy.log"].search(
                    [("client_ref", "in", clients.ids)], order="date, id"
                ),
                ["date", "kind", "user_id"],
            ),
        }
        return {
            "export": {
                "format": EXPORT_FORMAT,
                "client_id": partner.id,
                "exported_on": fields.Datetime.to_string(fields.Datetime.now()),
                "exported_by": self.env.user.name,
                "company": self.env.company.name,
                "records": sum(len(rows) for rows in sections.values()),
            },
            **sections,
        }

    def _sputnik_rows(self, records, field_names):
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
                row[labels[name]] = self._sputnik_value(record, name)
            rows.append(row)
        return rows

    def _sputnik_value(self, record, name):
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
