from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import (
    SputnikCase,
    buy_seats,
    confirm,
    make_booking,
    make_departure,
    make_tour,
    make_travellers,
)


@tagged("post_install", "-at_install")
class TestInteractions(SputnikCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Interaction = cls.env["sputnik.interaction"]
        cls.agent2 = new_test_user(
            cls.env,
            login="sputnik_agent2_test",
            name="Second Agent Test",
            groups="base.group_user,sputnik_crm.group_sputnik_user",
        )
        cls.other_client = cls.env["res.partner"].create(
            {"name": "Client of the Second Agent", "user_id": cls.agent2.id}
        )

    def log(self, user, partner, **vals):
        return self.Interaction.with_user(user).create(
            {"name": "Call", "partner_id": partner.id, **vals}
        )

    def test_booking_and_payment_captured_once(self):
        self.company.sputnik_deposit_percent = 30.0
        departure = make_departure(self.env, make_tour(self.env, name="Captured"))
        buy_seats(self.env, departure, 2)
        traveller = make_travellers(self.env, 1, prefix="Captured")
        booking = make_booking(self.env, departure, traveller)
        booking.user_id = self.agent
        confirm(booking)
        captured = self.Interaction.search([("order_id", "=", booking.id)])
        self.assertEqual(len(captured), 1)
        self.assertEqual(captured.event_key, f"booking_confirmed:{booking.id}")
        self.assertEqual(
            (captured.interaction_type, captured.partner_id, captured.user_id),
            ("booking", traveller, self.agent),
        )
        self.assertTrue(captured.automatic)
        # the same event processed again records nothing more
        booking._sputnik_capture("confirmed")
        self.assertEqual(
            self.Interaction.search_count([("order_id", "=", booking.id)]), 1
        )
        # the deposit paid
        deposit = booking.invoice_ids
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=deposit.ids
        ).create({})._create_payments()
        paid = self.Interaction.search(
            [("event_key", "=", f"invoice_paid:{deposit.id}")]
        )
        self.assertEqual(paid.interaction_type, "payment")
        self.assertEqual(paid.order_id, booking)
        deposit._invoice_paid_hook()
        self.assertEqual(
            self.Interaction.search_count(
                [("event_key", "=", f"invoice_paid:{deposit.id}")]
            ),
            1,
        )
        booking._action_cancel()
        cancelled = self.Interaction.search(
            [("event_key", "=", f"booking_cancelled:{booking.id}")]
        )
        self.assertEqual(len(cancelled), 1)
        self.assertEqual(traveller.sputnik_interaction_count, 3)

    def test_next_step_is_an_activity(self):
        day = fields.Date.context_today(self.Interaction) + relativedelta(days=3)
        call = self.log(
            self.agent, self.client, next_step="Send the offers", next_step_date=day
        )
        activity = call.next_activity_id
        self.assertEqual(
            (activity.res_model, activity.res_id, activity.user_id),
            ("res.partner", self.client.id, self.agent),
        )
        self.assertEqual(activity.date_deadline, day)
        call.next_step_date = day + relativedelta(days=1)
        self.assertEqual(activity.date_deadline, day + relativedelta(days=1))
        self.assertEqual(self.client.sputnik_interaction_count, 1)
        self.assertEqual(self.client.sputnik_last_contact, call.date)

    def test_wrong_input_refused(self):
        with self.assertRaises(ValidationError):
            self.log(
                self.agent,
                self.client,
                date=fields.Datetime.now() + relativedelta(days=1),
            )
        with self.assertRaises(ValidationError):
            self.log(self.agent, self.client, next_step="Call again")
        with self.assertRaises(ValidationError):
            self.log(self.agent, self.client, duration=-1)

    def test_access(self):
        own = self.log(self.agent, self.client)
        other = self.log(self.agent2, self.other_client)
        # the agent's call about another agent's client stays visible to them
        mine_about_other = self.log(self.agent, self.other_client)
        visible = self.Interaction.with_user(self.agent).search([])
        self.assertIn(own, visible)
        self.assertIn(mine_about_other, visible)
        self.assertNotIn(other, visible)
        with self.assertRaises(AccessError):
            other.with_user(self.agent).read(["name"])
        manager_sees = self.Interaction.with_user(self.manager).search([])
        self.assertTrue(own | other | mine_about_other <= manager_sees)
        with self.assertRaises(AccessError):
            self.Interaction.with_user(self.outsider).search([])
        with self.assertRaises(AccessError):
            self.log(self.outsider, self.client)


@tagged("post_install", "-at_install")
class TestClientTimeline(SputnikCase):
    def test_history_in_one_place(self):
        self.company.sputnik_deposit_percent = 30.0
        departure = make_departure(self.env, make_tour(self.env, name="History"))
        buy_seats(self.env, departure, 2)
        traveller = make_travellers(self.env, 1, prefix="History")
        traveller.user_id = self.agent
        call = self.env["sputnik.interaction"].create(
            {
                "name": "Asked about Turkey",
                "partner_id": traveller.id,
                "user_id": self.agent.id,
                "date": fields.Datetime.now() - relativedelta(days=2),
            }
        )
        booking = make_booking(self.env, departure, traveller)
        confirm(booking)
        deposit = booking.invoice_ids
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=deposit.ids
        ).create({})._create_payments()
        other = self.env["sputnik.interaction"].create(
            {
                "name": "Someone else's call",
                "partner_id": self.client.id,
                "user_id": self.manager.id,
            }
        )
        other.partner_id.user_id = self.manager

        # the timeline is read in a request of its own, once these are written
        self.env.flush_all()
        action = traveller.with_user(self.agent).action_sputnik_history()
        Timeline = self.env["sputnik.client.timeline"].with_user(self.agent)
        rows = Timeline.search(action["domain"])
        self.assertEqual(
            set(rows.mapped("kind")), {"interaction", "booking", "invoice", "payment"}
        )
        self.assertEqual(rows[-1].res_id, call.id, "newest first, the call is oldest")
        self.assertIn(
            f"booking_confirmed:{booking.id}",
            self.env["sputnik.interaction"]
            .search([("partner_id", "=", traveller.id)])
            .mapped("event_key"),
        )
        booking_row = rows.filtered(lambda r: r.kind == "booking")
        self.assertEqual(booking_row.amount, booking.amount_total)
        # the detail in words of the reader's language, never a raw key
        status = booking.sputnik_status
        labels = dict(
            self.env["sale.order"]
            ._fields["sputnik_status"]
            ._description_selection(self.env)
        )
        self.assertEqual(booking_row.detail_key, status)
        self.assertEqual(booking_row.detail, labels[status])
        self.assertNotEqual(booking_row.detail, status)
        self.assertNotEqual(
            booking_row.with_context(lang="uk_UA").detail, labels[status]
        )
        call_row = rows.filtered(
            lambda r: r.kind == "interaction" and r.res_id == call.id
        )
        self.assertEqual(call_row.detail, "Call")
        opened = booking_row.action_open_document()
        self.assertEqual(
            (opened["res_model"], opened["res_id"]), ("sale.order", booking.id)
        )
        # another agent's client's interactions stay out of the agent's view
        self.assertFalse(
            Timeline.search([("kind", "=", "interaction"), ("res_id", "=", other.id)])
        )
        self.assertTrue(
            self.env["sputnik.client.timeline"]
            .with_user(self.manager)
            .search([("kind", "=", "interaction"), ("res_id", "=", other.id)])
        )
        with self.assertRaises(AccessError):
            self.env["sputnik.client.timeline"].with_user(self.outsider).search([])


@tagged("post_install", "-at_install")
class TestMarketingCaptured(SputnikCase):
    def test_mailing_events_captured_once(self):
        campaign = self.env["utm.campaign"].create({"name": "Early Booking Summer"})
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "Early booking: summer in Turkey",
                "campaign_id": campaign.id,
                "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
                "body_html": "<p>Book now</p>",
            }
        )
        trace = self.env["mailing.trace"].create(
            {
                "mass_mailing_id": mailing.id,
                "model": "res.partner",
                "res_id": self.client.id,
                "email": self.client.email,
            }
        )
        for _twice in range(2):
            trace.set_sent()
            trace.set_opened()
            trace.set_clicked()
        captured = self.env["sputnik.interaction"].search(
            [("partner_id", "=", self.client.id), ("interaction_type", "=", "email")]
        )
        self.assertEqual(
            sorted(captured.mapped("event_key")),
            sorted(f"mailing_{e}:{trace.id}" for e in ("sent", "opened", "clicked")),
        )
        self.assertEqual(set(captured.mapped("campaign_id")), {mailing.campaign_id})

    def test_survey_answer_captured_once(self):
        survey = self.env["survey.survey"].create({"title": "How was your trip?"})
        answer = self.env["survey.user_input"].create(
            {"survey_id": survey.id, "partner_id": self.client.id}
        )
        answer._mark_done()
        answer._mark_done()
        feedback = self.env["sputnik.interaction"].search(
            [("event_key", "=", f"survey_answered:{answer.id}")]
        )
        self.assertEqual(len(feedback), 1)
        self.assertEqual(
            (feedback.interaction_type, feedback.partner_id),
            ("feedback", self.client),
        )
