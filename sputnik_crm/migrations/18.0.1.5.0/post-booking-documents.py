"""The booking's payment schedule is printed beside the contract and the
voucher: the e-mail template that sends them (kept as a bureau may have
edited it) attaches it too. Deposit invoices posted before carry their
booking's departure now, as the other invoices of a booking do. Idempotent."""

from odoo import SUPERUSER_ID, Command, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    template = env.ref(
        "sputnik_crm.mail_template_sputnik_booking_documents", raise_if_not_found=False
    )
    schedule = env.ref(
        "sputnik_crm.action_report_booking_payment_schedule", raise_if_not_found=False
    )
    if template and schedule and schedule not in template.report_template_ids:
        template.report_template_ids = [Command.link(schedule.id)]
    moves = env["account.move"].search(
        [
            ("move_type", "in", ("out_invoice", "out_refund")),
            ("sputnik_booking_id", "!=", False),
            ("sputnik_departure_id", "=", False),
        ]
    )
    if moves:
        env.add_to_compute(env["account.move"]._fields["sputnik_departure_id"], moves)
        moves._recompute_recordset(["sputnik_departure_id"])
