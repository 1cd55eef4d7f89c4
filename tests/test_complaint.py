from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import (
    BookedCase,
)


@tagged("post_install", "-at_install")
class TestComplaints(BookedCase):
    _sputnik_tour = "Complained"
    _sputnik_seats = 2

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Complaint = cls.env["sputnik.complaint"]
        cls.agent2 = new_test_user(
            cls.env,
            login="sputnik_agent2_complaints",
            name="Second Agent",
            groups="base.group_user,sputnik_crm.group_sputnik_user",
        )
        cls.accountant = new_test_user(
            cls.env,
            login="sputnik_accountant_complaints",
            name="Accountant",
            groups="base.group_user,account.group_account_invoice",
        )

    def open_complaint(self, user=None, **vals):
        action = self.booking.with_user(
            user or self.agent
        ).action_sputnik_open_complaint()
        return (
            self.Complaint.with_user(user or self.agent)
            .with_context(**action["context"])
            .create({"subject": "Room without sea view", **vals})
        )

    def test_registered_from_the_booking(self):
        complaint = self.open_complaint()
        self.assertTrue(complaint.name.startswith("CMP/"))
        self.assertEqual(complaint.partner_id, self.traveller)
        self.assertEqual(complaint.departure_id, self.departure)
        self.assertEqual(complaint.operator_id, self.tour.sputnik_operator_id)
        today = fields.Date.context_today(complaint)
        self.assertEqual(complaint.deadline, today + relativedelta(days=7))
        complaint.priority = "2"
        self.assertEqual(complaint.deadline, today + relativedelta(days=1))
        opened = self.env["sputnik.interaction"].search(
            [("event_key", "=", f"complaint_opened:{complaint.id}")]
        )
        self.assertEqual(
            (opened.interaction_type, opened.order_id), ("complaint", self.booking)
        )
        other = self.env["res.partner"].create({"name": "Someone Else"})
        with self.assertRaises(ValidationError):
            self.Complaint.create(
                {"subject": "x", "partner_id": other.id, "order_id": self.booking.id}
            )

    def test_stages(self):
        complaint = self.open_complaint()
        with self.assertRaises(UserError):
            complaint.action_close()
        complaint.action_start()
        complaint.action_wait_operator()
        self.assertEqual(complaint.stage, "waiting_operator")
        with self.assertRaises(UserError):
            complaint.action_resolve()  # no resolution written yet
        complaint.write({"resolution": "Moved to a sea-view room", "satisfaction": "4"})
        complaint.action_resolve()
        self.assertEqual(complaint.stage, "resolved")
        self.assertTrue(complaint.date_resolved)
        self.assertTrue(
            self.env["sputnik.interaction"].search(
                [("event_key", "=", f"complaint_resolved:{complaint.id}")]
            )
        )
        complaint.action_close()
        with self.assertRaises(UserError):
            complaint.action_reopen()

    def test_registered_new_in_its_company(self):
        """A complaint starts new (not resolved without its resolution date),
        and about a booking of its own company."""
        Complaint = self.Complaint.with_user(self.agent)
        values = {
            "subject": "Skipped the stages",
            "partner_id": self.traveller.id,
            "order_id": self.booking.id,
        }
        with self.assertRaises(UserError):
            Complaint.create({**values, "stage": "resolved"})
        other = self.env["res.company"].create({"name": "Complaints Elsewhere"})
        self.agent.company_ids |= other
        with self.assertRaises(UserError):
            Complaint.with_company(other).create({**values, "company_id": other.id})
        complaint = Complaint.create(values)
        self.assertEqual(complaint.stage, "new")
        self.assertFalse(complaint.date_resolved)

    def test_overdue_escalated_once(self):
        complaint = self.open_complaint(
            date_open=fields.Datetime.now() - relativedelta(days=10)
        )
        self.assertTrue(complaint.is_overdue)
        self.assertIn(complaint, self.Complaint.search([("is_overdue", "=", True)]))
        self.assertNotIn(complaint, self.Complaint.search([("is_overdue", "=", False)]))
        self.assertGreaterEqual(self.Complaint._cron_escalate(), 1)
        activities = complaint.activity_ids
        self.assertEqual(len(activities), 1)
        self.assertTrue(
            activities.user_id.has_group("sputnik_crm.group_sputnik_manager")
        )
        self.Complaint._cron_escalate()
        self.assertEqual(len(complaint.activity_ids), 1)

    def test_compensation_documents(self):
        complaint = self.open_complaint(
            compensation_amount=1500.0, recovered_amount=1000.0
        )
        with self.assertRaises(AccessError):
            complaint.with_user(self.agent).action_grant_compensation()
        complaint.with_user(self.manager).action_grant_compensation()
        credit = complaint.compensation_move_id
        self.assertEqual(
            (credit.move_type, credit.state, credit.amount_total, credit.partner_id),
            ("out_refund", "posted", 1500.0, self.traveller),
        )
        with self.assertRaises(UserError):
            complaint.with_user(self.manager).action_grant_compensation()
        complaint.with_user(self.manager).action_record_recovery()
        refund = complaint.recovered_move_id
        self.assertEqual(
            (refund.move_type, refund.state, refund.amount_total, refund.partner_id),
            ("in_refund", "posted", 1000.0, self.tour.sputnik_operator_id),
        )
        # the accountants see the compensated complaints only
        plain = self.open_complaint(subject="Late transfer")
        seen = self.Complaint.with_user(self.accountant).search([])
        self.assertIn(complaint, seen)
        self.assertNotIn(plain, seen)

    def test_access(self):
        complaint = self.open_complaint()
        self.assertFalse(
            self.Complaint.with_user(self.agent2).search([("id", "=", complaint.id)])
        )
        self.assertTrue(
            self.Complaint.with_user(self.manager).search([("id", "=", complaint.id)])
        )
        with self.assertRaises(AccessError):
            self.Complaint.with_user(self.outsider).search([])
        with self.assertRaises(ValidationError):
            complaint.compensation_amount = -5
