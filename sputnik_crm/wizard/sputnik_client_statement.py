from datetime import date

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError


class SputnikClientStatement(models.TransientModel):
    """A client statement (reconciliation statement) for a period: the
    client's posted invoices, credit notes and payments on their receivable
    accounts, in the company currency, between an opening and a closing
    balance."""

    _name = "sputnik.client.statement"
    _inherit = ["sputnik.system.fields.mixin"]
    _description = "Client Statement"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        required=True,
        ondelete="cascade",
        domain="[('parent_id', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: date(fields.Date.context_today(self).year, 1, 1),
    )
    date_to = fields.Date(
        string="To",
        required=True,
        default=lambda self: date(fields.Date.context_today(self).year, 12, 31),
    )

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for statement in self:
            if statement.date_to < statement.date_from:
                raise ValidationError(
                    self.env._("The statement's period ends before it starts.")
                )

    def action_print(self):
        self.ensure_one()
        return self.env.ref("sputnik_crm.action_report_client_statement").report_action(
            self
        )

    def _sputnik_statement(self):
        """Opening balance, one row per accounting document of the period
        (debit: the client owes more; credit: less) and closing balance, in
        the company currency."""
        self.ensure_one()
        self.partner_id.check_access("read")
        if self.company_id not in self.env.user.company_ids:
            raise AccessError(
                self.env._(
                    "You may not print statements of %(company)s.",
                    company=self.company_id.name,
                )
            )
        # sudo: a travel agent reads the client's invoices but Odoo's sales
        # rules hide the payments' journal entries from them; the wizard is
        # for the agents and the accountants (access rights), and only the
        # receivable lines of a client they may read, in a company of theirs,
        # are summed and their documents named here
        Line = self.env["account.move.line"].sudo()
        domain = [
            ("partner_id", "child_of", self.partner_id.commercial_partner_id.id),
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("company_id", "=", self.company_id.id),
        ]
        [(opening,)] = Line._read_group(
            domain + [("date", "<", self.date_from)], aggregates=["balance:sum"]
        )
        opening = opening or 0.0
        rows = {}
        for line in Line.search(
            domain + [("date", ">=", self.date_from), ("date", "<=", self.date_to)],
            order="date, move_name, id",
        ):
            row = rows.setdefault(
                line.move_id.id,
                {"move": line.move_id, "date": line.date, "debit": 0.0, "credit": 0.0},
            )
            row["debit"] += line.debit
            row["credit"] += line.credit
        balance = opening
        for row in rows.values():
            move = row["move"]
            # named in the template, in the client's language
            if move.origin_payment_id or move.statement_line_id:
                row["kind"] = "payment"
            elif move.move_type in ("out_invoice", "out_refund"):
                row["kind"] = move.move_type
            else:
                row["kind"] = "entry"
            balance += row["debit"] - row["credit"]
            row["balance"] = balance
        rows = list(rows.values())
        return {
            "opening": opening,
            "rows": rows,
            "debit": sum(row["debit"] for row in rows),
            "credit": sum(row["credit"] for row in rows),
            "closing": balance,
        }
