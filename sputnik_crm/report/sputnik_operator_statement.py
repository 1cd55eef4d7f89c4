from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

COLUMNS = ("gross", "commission", "net", "billed", "paid", "amount_open")


class ReportOperatorStatement(models.AbstractModel):
    """The statement sent to a tour operator: its agency bookings still open
    between the bureau and the operator, and those departing in the last
    twelve months, each with its gross, commission, net, billed, paid and
    still due, and their totals (the rows of Operator Settlements)."""

    _name = "report.sputnik_crm.report_operator_statement"
    _description = "Tour Operator Statement"

    @api.model
    def _get_report_values(self, docids, data=None):
        operators = self.env["res.partner"].browse(docids)
        since = fields.Date.context_today(self) - relativedelta(years=1)
        # read with the user's rights: managers and accountants of the
        # companies selected (access rules of the report)
        rows = self.env["sputnik.operator.settlement"].search(
            [
                ("operator_id", "in", operators.ids),
                "|",
                ("amount_open", "!=", 0),
                ("date_start", ">=", since),
            ],
            order="operator_id, date_start, id",
        )
        statements = {}
        for operator in operators:
            own = rows.filtered(
                lambda row, operator=operator: row.operator_id == operator
            )
            if not own:
                raise UserError(
                    self.env._(
                        "%(operator)s has no booking sold as its agent to state.",
                        operator=operator.display_name,
                    )
                )
            statements[operator.id] = {
                "rows": own,
                "currency": own[:1].currency_id,
                "since": since,
                "totals": {name: sum(own.mapped(name)) for name in COLUMNS},
            }
        return {
            "doc_ids": docids,
            "doc_model": "res.partner",
            "docs": operators,
            "statements": statements,
        }
