"""The public methods of the addon, called as an outside client would: over
XML-RPC (``execute_kw``) to the test server, as each role of the bureau.

- every public method checks the caller's rights (and the group it is meant
  for) before any privileged step (issue 14, finding 3);
- every public method returns something XML-RPC can send (finding 7);
- the "public method" part of the access policy, one table asserted against
  the server.
"""

import xmlrpc.client

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import (
    buy_seats,
    confirm,
    make_booking,
    make_departure,
    make_tour,
    make_travellers,
)

ROLES = ("agent", "manager", "accountant", "salesman", "portal", "agent_b")
# The public methods of the access policy: who may call which method on a
# record of the first company (a model method: record "-"); refused means an
# AccessError and nothing done.
# roles: ag(ent), ma(nager), ac(countant), sa(lesman), po(rtal), b: agent of
# the second company
METHOD_POLICY = """
model.method                                  record           ag  ma  ac  sa  po  b
sale.order.action_sputnik_invoice_balance     booking          yes yes yes no  no  no
sale.order.action_sputnik_issue_documents     booking          yes yes no  no  no  no
sale.order.action_sputnik_override_passport   booking          no  yes no  no  no  no
sale.order.action_sputnik_send_documents      booking          yes yes no  no  no  no
product.template.action_sputnik_book          tour             yes yes no  yes no  no
sputnik.departure.action_sputnik_book         departure        yes yes no  yes no  no
sputnik.departure.action_close                departure        yes yes no  no  no  no
sputnik.departure.action_open                 closed_departure yes yes no  no  no  no
sputnik.departure.action_cancel               empty_departure  no  yes no  no  no  no
sputnik.departure.action_buy_seats            departure        no  yes no  no  no  no
sputnik.waitlist.action_cancel                waitlist         yes yes no  no  no  no
sputnik.sales.plan.action_activate            plan             no  yes no  no  no  no
sputnik.complaint.action_grant_compensation   complaint        no  yes no  no  no  no
res.partner.action_sputnik_classify           -                no  yes no  no  no  no
res.partner.action_sputnik_traveller_passport client           yes yes no  no  no  yes
res.partner.sputnik_rfm_grid                  -                yes yes no  no  no  yes
sputnik.booking.report.action_sputnik_refresh -                no  yes no  no  no  no
sputnik.kpi.dashboard.get_dashboard           -                yes yes no  no  no  yes
sputnik.kpi.dashboard.action_print            -                yes yes no  no  no  yes
res.partner.action_sputnik_bill_operator      agency_operator  no  yes yes no  no  no
sale.order.action_sputnik_view_operator_bills agency_booking   no  yes yes no  no  no
"""
# the fault code of an AccessError on /xmlrpc/2 (odoo/addons/base/controllers/rpc.py)
ACCESS_ERROR = 4


class Rollback(Exception):
    """Raised to undo one call of a table (see ``call_isolated``)."""

    def __init__(self, outcome):
        super().__init__()
        self.outcome = outcome


@tagged("post_install", "-at_install")
class TestSecurityMethods(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        env = cls.env
        cls.company = env.company
        cls.company.write(
            {
                "sputnik_deposit_percent": 30.0,
                "sputnik_balance_days": 21,
                "sputnik_passport_months": 6,
            }
        )
        cls.company_b = env["res.company"].create({"name": "Sputnik Methods West"})
        internal = "base.group_user"
        cls.users = {
            "agent": new_test_user(
                env,
                login="sec_methods_agent",
                groups=f"{internal},sputnik_crm.group_sputnik_user",
            ),
            "manager": new_test_user(
                env,
                login="sec_methods_manager",
                groups=f"{internal},sputnik_crm.group_sputnik_manager",
            ),
            "accountant": new_test_user(
                env,
                login="sec_methods_accountant",
                groups=f"{internal},account.group_account_invoice",
            ),
            "salesman": new_test_user(
                env,
                login="sec_methods_salesman",
                groups=f"{internal},sales_team.group_sale_salesman",
            ),
            "agent_b": new_test_user(
                env,
                login="sec_methods_agent_b",
                groups=f"{internal},sputnik_crm.group_sputnik_user",
                company_id=cls.company_b.id,
                company_ids=[cls.company_b.id],
            ),
        }
        # a client of the bureau with a portal account, who has a booking
        cls.client = env["res.partner"].create(
            {
                "name": "Portal Client Methods",
                "email": "portal.client.methods@example.com",
                "user_id": cls.users["agent"].id,
            }
        )
        cls.users["portal"] = new_test_user(
            env,
            login="sec_methods_portal",
            groups="base.group_portal",
            partner_id=cls.client.id,
        )
        cls.tour = make_tour(env, name="Methods Tour")
        # a tour of the first company: the second company's agent cannot book it
        cls.tour.company_id = cls.company
        cls.departure = make_departure(env, cls.tour)
        buy_seats(env, cls.departure, 5)
        cls.closed_departure = make_departure(env, cls.tour, start_in_days=90)
        buy_seats(env, cls.closed_departure, 2)
        cls.closed_departure.action_close()
        cls.empty_departure = make_departure(env, cls.tour, start_in_days=120)
        travellers = make_travellers(env, 2, prefix="Methods")
        cls.booking = make_booking(env, cls.departure, travellers, customer=cls.client)
        cls.booking.user_id = cls.users["agent"]
        confirm(cls.booking)
        cls.booking.message_subscribe(cls.client.ids)
        # a tour sold as the operator's agent, billed once a month: a confirmed
        # booking waits for the operator's bill
        cls.agency_tour = make_tour(env, name="Methods Agency Tour")
        cls.agency_tour.company_id = cls.company
        cls.agency_operator = cls.agency_tour.sputnik_operator_id
        cls.agency_operator.with_company(cls.company).write(
            {
                "sputnik_sale_mode": "agent",
                "sputnik_commission_percent": 10.0,
                "sputnik_operator_bill_mode": "period",
            }
        )
        agency_departure = make_departure(env, cls.agency_tour)
        agency_departure.allotment_seats = 4
        cls.agency_booking = make_booking(
            env,
            agency_departure,
            make_travellers(env, 1, prefix="Methods Agency"),
        )
        confirm(cls.agency_booking)
        cls.waitlist = env["sputnik.waitlist"].create(
            {"departure_id": cls.departure.id, "partner_id": cls.client.id}
        )
        cls.plan = env["sputnik.sales.plan"].create(
            {"name": "Methods Plan", "period_type": "quarter"}
        )
        cls.complaint = env["sputnik.complaint"].create(
            {
                "partner_id": cls.client.id,
                "subject": "Room with a view of the car park",
                "order_id": cls.booking.id,
                "compensation_amount": 500.0,
            }
        )
        cls.preference = env["sputnik.client.preference"].create(
            {
                "partner_id": cls.client.id,
                "kind": "destination",
                "destination_id": cls.tour.sputnik_destination_id.id,
            }
        )
        today = fields.Date.context_today(cls.booking)
        cls.tomorrow = today + relativedelta(days=1)
        cls.period = (
            fields.Date.to_string(today - relativedelta(months=1)),
            fields.Date.to_string(today),
        )
        # an activity of another company's user, on another company's client
        cls.client_b = env["res.partner"].create(
            {"name": "West Client Methods", "company_id": cls.company_b.id}
        )
        cls.activity_b = env["mail.activity"].create(
            {
                "res_model_id": env["ir.model"]._get_id("res.partner"),
                "res_id": cls.client_b.id,
                "user_id": cls.users["agent_b"].id,
                "summary": "Call the West client back",
                "date_deadline": today + relativedelta(days=3),
            }
        )
        cls.interaction = (
            env["sputnik.interaction"]
            .with_user(cls.users["agent"])
            .create({"name": "First call", "partner_id": cls.client.id})
        )

    # --- helpers -----------------------------------------------------------
    def call(self, role, model, method, ids=None, *args, **kwargs):
        """``model.method`` over XML-RPC as ``role``: ``ids`` (a list) for a
        record method, None for a model method."""
        user = self.users[role]
        params = ([ids] if ids is not None else []) + list(args)
        result = self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, user.id, user.login, model, method, params, kwargs
        )
        self.env.invalidate_all()
        return result

    def call_isolated(self, role, model, method, ids=None, *args):
        """:meth:`call` undone afterwards: ``("ok", result)``, ``("access",
        message)`` for an AccessError or ``("fault", message)`` for any other
        fault."""
        try:
            with self.env.cr.savepoint():
                try:
                    outcome = ("ok", self.call(role, model, method, ids, *args))
                except xmlrpc.client.Fault as fault:
                    kind = "access" if fault.faultCode == ACCESS_ERROR else "fault"
                    outcome = (kind, fault.faultString)
                raise Rollback(outcome)
        except Rollback as rollback:
            self.env.invalidate_all()
            return rollback.outcome

    def assertAccessFault(self, role, model, method, ids=None, *args):
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.call(role, model, method, ids, *args)
        fault = caught.exception
        self.assertEqual(fault.faultCode, ACCESS_ERROR, fault.faultString)
        return caught.exception.faultString

    # --- finding 3 ---------------------------------------------------------
    def test_portal_customer_cannot_invoice_their_balance(self):
        invoices = self.booking.invoice_ids
        self.assertEqual(len(invoices), 1, "the deposit invoice")
        self.assertEqual(self.booking.invoice_status, "to invoice")
        message = self.assertAccessFault(
            "portal", "sale.order", "action_sputnik_invoice_balance", self.booking.ids
        )
        self.assertIn("Travel agent", message)
        self.assertEqual(self.booking.invoice_ids, invoices)
        self.assertFalse(
            self.env["account.move"].search(
                [
                    ("partner_id", "=", self.client.id),
                    ("id", "not in", invoices.ids),
                ]
            )
        )
        # the customer still reads their booking: the refusal is of the action
        self.assertTrue(
            self.call(
                "portal", "sale.order", "read", self.booking.ids, ["name", "state"]
            )
        )

    def test_accountant_and_salesman_cannot_close_or_open_departures(self):
        for role in ("accountant", "salesman"):
            with self.subTest(role=role):
                message = self.assertAccessFault(
                    role, "sputnik.departure", "action_close", self.departure.ids
                )
                self.assertEqual(self.departure.state, "open")
                self.assertAccessFault(
                    role, "sputnik.departure", "action_open", self.closed_departure.ids
                )
                self.assertEqual(self.closed_departure.state, "closed")
                self.assertIn("travel agents", message)

    def test_agent_cannot_point_next_activity_at_another_users_activity(self):
        activity = self.activity_b
        before = (
            activity.summary,
            activity.user_id,
            activity.date_deadline,
            activity.res_id,
        )
        self.assertAccessFault(
            "agent",
            "sputnik.interaction",
            "write",
            self.interaction.ids,
            {
                "next_activity_id": activity.id,
                "next_step": "Hijacked",
                "next_step_date": fields.Date.to_string(self.tomorrow),
            },
        )
        self.assertAccessFault(
            "agent",
            "sputnik.interaction",
            "create",
            None,
            {
                "name": "Second call",
                "partner_id": self.client.id,
                "next_activity_id": activity.id,
                "next_step": "Hijacked",
                "next_step_date": fields.Date.to_string(self.tomorrow),
            },
        )
        activity.invalidate_recordset()
        self.assertEqual(
            (
                activity.summary,
                activity.user_id,
                activity.date_deadline,
                activity.res_id,
            ),
            before,
        )
        self.assertFalse(self.interaction.next_activity_id)
        # the next step itself is the agent's: its activity is on their client
        self.call(
            "agent",
            "sputnik.interaction",
            "write",
            self.interaction.ids,
            {
                "next_step": "Send the offer",
                "next_step_date": fields.Date.to_string(self.tomorrow),
            },
        )
        planned = self.interaction.next_activity_id
        self.assertEqual(
            (planned.res_model, planned.res_id, planned.summary),
            ("res.partner", self.client.id, "Send the offer"),
        )

    def test_stale_next_activity_is_never_rewritten(self):
        """Data pointing at a foreign activity (written before the field was
        protected): the next step plans a new activity instead."""
        self.interaction.sudo().next_activity_id = self.activity_b
        self.call(
            "agent",
            "sputnik.interaction",
            "write",
            self.interaction.ids,
            {
                "next_step": "Send the offer",
                "next_step_date": fields.Date.to_string(self.tomorrow),
            },
        )
        self.activity_b.invalidate_recordset()
        self.assertEqual(self.activity_b.summary, "Call the West client back")
        self.assertEqual(self.activity_b.user_id, self.users["agent_b"])
        planned = self.interaction.next_activity_id
        self.assertNotEqual(planned, self.activity_b)
        self.assertEqual(
            (planned.res_id, planned.summary), (self.client.id, "Send the offer")
        )

    # --- finding 7 ---------------------------------------------------------
    def test_public_actions_return_what_xmlrpc_can_send(self):
        """Each public action, called as the user it is meant for on a
        suitable record, answers without a marshalling fault."""
        cases = [
            # (role, model, method, ids, args)
            ("agent", "sputnik.departure", "action_close", self.departure.ids, ()),
            (
                "agent",
                "sputnik.departure",
                "action_open",
                self.closed_departure.ids,
                (),
            ),
            (
                "manager",
                "sputnik.departure",
                "action_cancel",
                self.empty_departure.ids,
                (),
            ),
            (
                "agent",
                "sputnik.departure",
                "action_view_bookings",
                self.departure.ids,
                (),
            ),
            (
                "agent",
                "sputnik.departure",
                "action_view_waitlist",
                self.departure.ids,
                (),
            ),
            (
                "agent",
                "sputnik.departure",
                "action_view_overdue_bookings",
                self.departure.ids,
                (),
            ),
            (
                "manager",
                "sputnik.departure",
                "action_buy_seats",
                self.departure.ids,
                (),
            ),
            ("agent", "sputnik.waitlist", "action_mark_booked", self.waitlist.ids, ()),
            ("agent", "sputnik.waitlist", "action_cancel", self.waitlist.ids, ()),
            ("agent", "sputnik.waitlist", "action_reset", self.waitlist.ids, ()),
            ("manager", "sputnik.sales.plan", "action_activate", self.plan.ids, ()),
            ("manager", "sputnik.sales.plan", "action_close", self.plan.ids, ()),
            ("manager", "sputnik.sales.plan", "action_draft", self.plan.ids, ()),
            ("manager", "sputnik.sales.plan", "action_view_report", self.plan.ids, ()),
            (
                "agent",
                "sputnik.client.preference",
                "action_end",
                self.preference.ids,
                (),
            ),
            (
                "agent",
                "res.partner",
                "action_sputnik_add_companions",
                self.client.ids,
                (),
            ),
            (
                "agent",
                "res.partner",
                "action_sputnik_log_interaction",
                self.client.ids,
                (),
            ),
            ("agent", "res.partner", "action_sputnik_history", self.client.ids, ()),
            (
                "agent",
                "res.partner",
                "action_sputnik_interactions",
                self.client.ids,
                (),
            ),
            (
                "agent",
                "res.partner",
                "action_sputnik_overdue_bookings",
                self.client.ids,
                (),
            ),
            (
                "manager",
                "res.partner",
                "action_sputnik_override_class",
                self.client.ids,
                (),
            ),
            (
                "agent",
                "sale.order",
                "action_sputnik_issue_documents",
                self.booking.ids,
                (),
            ),
            (
                "agent",
                "sale.order",
                "action_sputnik_invoice_balance",
                self.booking.ids,
                (),
            ),
            (
                "agent",
                "sale.order",
                "action_sputnik_open_complaint",
                self.booking.ids,
                (),
            ),
            (
                "agent",
                "sale.order",
                "action_sputnik_log_interaction",
                self.booking.ids,
                (),
            ),
            (
                "manager",
                "sale.order",
                "action_sputnik_override_passport",
                self.booking.ids,
                (),
            ),
            (
                "agent",
                "product.template",
                "action_sputnik_open_departures",
                self.tour.ids,
                (),
            ),
            ("agent", "product.template", "action_sputnik_book", self.tour.ids, ()),
            (
                "agent",
                "sputnik.departure",
                "action_sputnik_book",
                self.departure.ids,
                (),
            ),
            (
                "agent",
                "sputnik.destination",
                "action_open_tours",
                self.tour.sputnik_destination_id.ids,
                (),
            ),
            ("manager", "res.partner", "action_sputnik_classify", None, ()),
            # a period whose previous and last-year figures have no value
            ("agent", "sputnik.kpi.dashboard", "get_dashboard", None, self.period),
            ("agent", "sputnik.kpi.dashboard", "action_print", None, self.period),
        ]
        # the dashboard's period has figures without a value (None)
        raw = (
            self.env["sputnik.kpi.dashboard"]
            .with_user(self.users["agent"])
            ._sputnik_dashboard(*self.period)
        )
        self.assertIn(
            None,
            [
                value
                for section in raw["sections"]
                for kpi in section["kpis"]
                for value in kpi["values"].values()
            ],
        )
        wrong = []
        for role, model, method, ids, args in cases:
            kind, result = self.call_isolated(role, model, method, ids, *args)
            if kind != "ok" or not (result is True or isinstance(result, dict)):
                wrong.append(f"{model}.{method} as {role}: {kind} {result}"[-600:])
        self.assertEqual(wrong, [], "\n".join(wrong))

    # --- the public-method policy -----------------------------------------
    def test_public_method_policy(self):
        """method x role: allowed (the call goes through) or refused (an
        AccessError, nothing done), asserted against the server."""
        wrong = []
        for name, record, *allowed in (
            line.split() for line in METHOD_POLICY.strip().splitlines()[1:]
        ):
            model, method = name.rsplit(".", 1)
            ids = getattr(self, record).ids if record != "-" else None
            args = self.period if model == "sputnik.kpi.dashboard" else ()
            for role, expected in zip(ROLES, allowed, strict=True):
                expected = expected == "yes"
                kind, result = self.call_isolated(role, model, method, ids, *args)
                if kind != ("ok" if expected else "access"):
                    wrong.append(
                        f"{model}.{method} as {role}: expected "
                        f"{'allowed' if expected else 'refused'}, got {kind} "
                        f"{str(result)[-300:]}"
                    )
        self.assertEqual(wrong, [], "\n".join(wrong))

    def test_refused_calls_change_nothing(self):
        """A refused call leaves the record as it was (one of each kind)."""
        self.assertAccessFault(
            "agent_b", "sputnik.departure", "action_close", self.departure.ids
        )
        self.assertEqual(self.departure.state, "open")
        self.assertAccessFault(
            "accountant",
            "sale.order",
            "action_sputnik_issue_documents",
            self.booking.ids,
        )
        self.assertFalse(self.booking.sputnik_documents_issued)
        self.assertAccessFault(
            "agent", "sputnik.departure", "action_cancel", self.empty_departure.ids
        )
        self.assertEqual(self.empty_departure.state, "planned")
