"""Fields the system keeps are refused on create and write over the external API,
whatever the user: a number, a flag set by a process, a date stamped by an
action, a link made by an action, a stored computed figure."""

import xmlrpc.client

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import (
    BookedCase,
    make_booking,
    post_invoice,
)


@tagged("post_install", "-at_install")
class TestSystemFieldsOverRpc(BookedCase, HttpCase):
    _sputnik_tour = "System Fields Tour"
    _sputnik_seats = 4

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.complaint = (
            cls.env["sputnik.complaint"]
            .with_user(cls.agent)
            .create(
                {
                    "subject": "Noisy room",
                    "partner_id": cls.traveller.id,
                    "order_id": cls.booking.id,
                }
            )
        )
        today = fields.Date.today()
        # a posted credit note that an agent would pass off as a compensation
        cls.credit_note = post_invoice(
            cls.env, cls.traveller, 5000.0, today, today, move_type="out_refund"
        )

    # --- helpers ---------------------------------------------------------------
    def rpc(self, user, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs
        )

    def assertRefused(self, user, model, method, *args, **kwargs):
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.rpc(user, model, method, *args, **kwargs)
        self.assertIn("kept by the system", caught.exception.faultString)
        self.env.invalidate_all()

    def assertWriteRefused(self, user, record, values):
        """Each value written alone is refused and the field keeps its value."""
        for name, value in values.items():
            before = record.sudo()[name]
            self.assertRefused(user, record._name, "write", record.ids, {name: value})
            self.assertEqual(record.sudo()[name], before, f"{record._name}.{name}")

    # --- finding: the complaint's number, escalation, dates and documents -------
    def test_complaint_system_fields(self):
        complaint = self.complaint
        self.assertTrue(complaint.name.startswith("CMP/"))
        self.assertWriteRefused(
            self.agent,
            complaint,
            {
                "name": "CMP/FAKE",
                "escalated": True,
                "date_resolved": "2020-01-01 10:00:00",
                "compensation_move_id": self.credit_note.id,
                "recovered_move_id": self.credit_note.id,
            },
        )
        # a manager may not either: the documents come from the buttons
        self.assertWriteRefused(
            self.manager, complaint, {"compensation_move_id": self.credit_note.id}
        )
        self.assertFalse(complaint.compensation_move_id)
        # nor at creation
        self.assertRefused(
            self.agent,
            "sputnik.complaint",
            "create",
            {
                "subject": "Cold pool",
                "partner_id": self.traveller.id,
                "escalated": True,
                "name": "CMP/MINE",
            },
        )
        # nor through a default in the context
        complaint_id = self.rpc(
            self.agent,
            "sputnik.complaint",
            "create",
            {"subject": "Cold pool", "partner_id": self.traveller.id},
            context={"default_escalated": True, "default_name": "CMP/MINE"},
        )
        created = self.env["sputnik.complaint"].browse(complaint_id)
        self.assertFalse(created.escalated)
        self.assertTrue(created.name.startswith("CMP/"))
        # the stage buttons still stamp the resolution date
        self.rpc(self.agent, "sputnik.complaint", "action_start", [complaint_id])
        self.rpc(
            self.agent,
            "sputnik.complaint",
            "write",
            [complaint_id],
            {"resolution": "Heated"},
        )
        self.rpc(self.agent, "sputnik.complaint", "action_resolve", [complaint_id])
        self.env.invalidate_all()
        self.assertEqual(created.stage, "resolved")
        self.assertTrue(created.date_resolved)

    # --- finding: an interaction's event key and capture flag -------------------
    def test_interaction_capture_cannot_be_forged(self):
        order = make_booking(self.env, self.departure, self.traveller)
        order.user_id = self.agent
        key = f"booking_confirmed:{order.id}"
        base = {
            "name": "Call",
            "partner_id": self.traveller.id,
            "order_id": order.id,
        }
        self.assertRefused(
            self.agent,
            "sputnik.interaction",
            "create",
            {**base, "event_key": key, "automatic": True},
        )
        self.assertRefused(
            self.agent, "sputnik.interaction", "create", {**base, "automatic": True}
        )
        interaction_id = self.rpc(
            self.agent,
            "sputnik.interaction",
            "create",
            base,
            context={"default_event_key": key, "default_automatic": True},
        )
        interaction = self.env["sputnik.interaction"].browse(interaction_id)
        self.assertFalse(interaction.event_key)
        self.assertFalse(interaction.automatic)
        self.assertWriteRefused(
            self.agent, interaction, {"event_key": key, "automatic": True}
        )
        # the confirmation is still captured, as the system's own interaction
        self.rpc(self.agent, "sale.order", "action_confirm", order.ids)
        self.env.invalidate_all()
        self.assertEqual(order.state, "sale")
        captured = self.env["sputnik.interaction"].search([("event_key", "=", key)])
        self.assertEqual(len(captured), 1)
        self.assertTrue(captured.automatic)
        self.assertNotEqual(captured, interaction)

    # --- finding: the client's birthday greeting and classification ------------
    def test_client_system_fields(self):
        self.assertWriteRefused(
            self.agent,
            self.traveller,
            {
                "sputnik_birthday_year": 2999,
                "sputnik_lifecycle": "vip",
                "sputnik_trip_count": 40,
                "sputnik_next_trip_call_date": "2030-01-01",
            },
        )
        self.assertRefused(
            self.agent,
            "res.partner",
            "create",
            {"name": "Pre-greeted", "sputnik_birthday_year": 2999},
        )

    # --- other system-kept fields of departures, bookings and invoices --------
    def test_departure_booking_and_invoice_system_fields(self):
        self.assertWriteRefused(
            self.agent,
            self.departure,
            {
                "state": "closed",
                "name": "Renamed",
                "nights": 99,
                "release_notified_date": "2020-01-01",
                "is_abroad": False,
            },
        )
        self.assertWriteRefused(
            self.agent,
            self.booking,
            {
                "sputnik_date_start": "2000-01-01",
                "sputnik_is_booking": False,
                "sputnik_client_id": self.agent.partner_id.id,
            },
        )
        # even a manager gives a passport override through its wizard only
        self.assertWriteRefused(
            self.manager,
            self.booking,
            {
                "sputnik_passport_override_reason": "Because",
                "sputnik_passport_override_uid": self.agent.id,
            },
        )
        invoice = post_invoice(
            self.env, self.traveller, 100.0, fields.Date.today(), fields.Date.today()
        )
        self.assertWriteRefused(
            self.manager, invoice, {"sputnik_booking_id": self.booking.id}
        )

    def test_class_override_is_stamped_by_the_system(self):
        self.assertRefused(
            self.manager,
            "sputnik.client.class.override",
            "create",
            {
                "partner_id": self.traveller.id,
                "dimension": "abc",
                "abc": "a",
                "reason": "Key account",
                "user_id": self.agent.id,
            },
        )
        override_id = self.rpc(
            self.manager,
            "sputnik.client.class.override",
            "create",
            {
                "partner_id": self.traveller.id,
                "dimension": "abc",
                "abc": "a",
                "reason": "Key account",
            },
        )
        override = self.env["sputnik.client.class.override"].browse(override_id)
        self.assertEqual(override.user_id, self.manager)
        self.rpc(
            self.manager, "sputnik.client.class.override", "action_lift", [override_id]
        )
        self.env.invalidate_all()
        self.assertFalse(override.active)
        self.assertEqual(override.lifted_uid, self.manager)

    def test_records_are_still_duplicated(self):
        """A copy carries no system-kept value, so that duplicating stays open to
        the users who may create."""
        order = self.booking.with_user(self.agent).copy()
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.sputnik_passport_override_reason)
        captured = self.env["sputnik.interaction"].search(
            [("event_key", "=", f"booking_confirmed:{self.booking.id}")]
        )
        self.assertTrue(captured.automatic)
        duplicate = captured.with_user(self.agent).copy({"date": captured.date})
        self.assertFalse(duplicate.automatic)
        self.assertFalse(duplicate.event_key)
        complaint = self.complaint.with_user(self.agent).copy()
        self.assertTrue(complaint.name.startswith("CMP/"))
        self.assertNotEqual(complaint.name, self.complaint.name)
