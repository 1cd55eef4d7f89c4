from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

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
class TestCareMessages(SputnikCase):
    """Passport reminders, before-departure messages and the after-return
    survey: each on its day (frozen clock), each once, each as the consents
    and the Settings allow."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.company.write(
            {
                "sputnik_deposit_percent": 30.0,
                "sputnik_balance_days": 21,
                "sputnik_passport_months": 6,
                "sputnik_care_passport": True,
                "sputnik_care_passport_days": 90,
                "sputnik_care_departure": True,
                "sputnik_care_balance_days": 3,
                "sputnik_care_survey": True,
                "sputnik_care_survey_days": 2,
                "sputnik_care_survey_id": False,
            }
        )
        cls.tour = make_tour(cls.env, name="Care Tour")
        cls.departure = make_departure(cls.env, cls.tour, start_in_days=40)
        buy_seats(cls.env, cls.departure, 8)
        cls.Care = cls.env["sputnik.care.event"]
        cls.survey = cls.env.ref("sputnik_crm.survey_trip_satisfaction")

    def setUp(self):
        super().setUp()
        # only this test's occasions: the demo's are handled already
        self.env["sputnik.care.event"].search([]).unlink()

    def booking(self, consent=True, email=True, prefix="Care", lang="en_US"):
        travellers = make_travellers(self.env, 1, prefix=prefix)
        travellers.write(
            {
                "lang": lang,
                "user_id": self.agent.id,
                "sputnik_consent_email": consent,
                "email": travellers.email if email else False,
            }
        )
        order = make_booking(self.env, self.departure, travellers)
        order.user_id = self.agent
        confirm(order)
        return order

    def run_care(self, day):
        with freeze_time(day):
            self.Care._cron_sputnik_care()

    def mails(self, record, subject=""):
        return self.env["mail.mail"].search(
            [
                ("model", "=", record._name),
                ("res_id", "=", record.id),
                ("subject", "ilike", subject),
            ]
        )

    def events(self, occasion, **where):
        domain = [("occasion", "=", occasion)]
        domain += [(name, "=", value.id) for name, value in where.items()]
        return self.Care.search(domain)

    def pay(self, invoice):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()

    def activities(self, record, summary):
        return record.activity_ids.filtered(lambda a: a.summary == summary)

    # --- passports -----------------------------------------------------------
    def test_passport_expiring_reminded_once_with_consent(self):
        holder = make_travellers(self.env, 1, passport_years=0, prefix="Expiring")
        passport = holder.sputnik_travel_document_ids
        passport.expiry_date = self.today + relativedelta(days=100)
        silent = make_travellers(self.env, 1, passport_years=0, prefix="Silent")
        (holder | silent).write({"lang": "en_US"})
        holder.sputnik_consent_email = True
        silent.sputnik_travel_document_ids.expiry_date = passport.expiry_date
        subject = "Your passport expires"
        # 100 days ahead: not yet
        self.run_care(self.today)
        self.assertFalse(self.mails(passport, subject))
        # 90 days ahead: reminded, once however often the cron runs
        self.run_care(self.today + relativedelta(days=10))
        self.run_care(self.today + relativedelta(days=11))
        self.assertEqual(len(self.mails(passport, subject)), 1)
        self.assertEqual(self.mails(passport, subject).recipient_ids, holder)
        event = self.events("passport_expiring", document_id=passport)
        self.assertEqual(event.channel, "email")
        self.assertEqual(
            event.key, f"passport_expiring:{passport.id}:{passport.expiry_date}"
        )
        self.assertTrue(
            self.env["sputnik.interaction"].search(
                [("event_key", "=", f"care:{event.key}")]
            )
        )
        # without consent: nothing, until the client gives it
        other = silent.sputnik_travel_document_ids
        self.assertFalse(self.mails(other, subject))
        self.assertFalse(self.events("passport_expiring", document_id=other))
        silent.sputnik_consent_email = True
        self.run_care(self.today + relativedelta(days=12))
        self.assertEqual(len(self.mails(other, subject)), 1)
        # expired passports are not reminded
        self.assertEqual(len(self.mails(passport, subject)), 1)
        self.run_care(self.today + relativedelta(days=101))
        self.assertEqual(len(self.mails(passport, subject)), 1)

    def test_passport_not_valid_for_the_trip(self):
        order = self.booking(prefix="Renewing")
        subject = "not valid long enough"
        self.run_care(self.today)
        self.assertFalse(self.mails(order, subject))
        # the passport turns out to expire a month after the return
        passport = order.sputnik_traveller_ids.sputnik_travel_document_ids
        passport.expiry_date = order.sputnik_date_end + relativedelta(months=1)
        self.run_care(self.today)
        self.run_care(self.today + relativedelta(days=1))
        mail = self.mails(order, subject)
        self.assertEqual(len(mail), 1)
        self.assertIn(order.sputnik_traveller_ids.name, mail.body_html)
        # no e-mail address: the agent is asked to tell the client, once
        order2 = self.booking(email=False, prefix="Unreachable")
        passport2 = order2.sputnik_traveller_ids.sputnik_travel_document_ids
        passport2.expiry_date = order2.sputnik_date_end
        self.run_care(self.today)
        self.run_care(self.today + relativedelta(days=1))
        self.assertFalse(self.mails(order2, subject))
        todo = self.activities(
            order2, "Tell the client: Passport not valid for the trip"
        )
        self.assertEqual(len(todo), 1)
        self.assertEqual(todo.user_id, self.agent)
        self.assertEqual(
            self.events("passport_trip", order_id=order2).channel, "activity"
        )

    # --- before departure ----------------------------------------------------
    def test_documents_ready_told_at_once_and_once(self):
        order = self.booking(consent=False)
        subject = "travel documents are ready"
        order.action_sputnik_issue_documents()
        # a service message: sent without the marketing consent
        self.assertEqual(len(self.mails(order, subject)), 1)
        self.run_care(self.today)
        order.action_sputnik_issue_documents()
        self.assertEqual(len(self.mails(order, subject)), 1)
        # in the client's language
        ukrainian = self.booking(prefix="Ukrainian", lang="uk_UA")
        ukrainian.action_sputnik_issue_documents()
        self.assertEqual(len(self.mails(ukrainian, "ваші проїзні документи готові")), 1)
        # switched off: nothing
        self.company.sputnik_care_departure = False
        other = self.booking(prefix="Switched Off")
        other.action_sputnik_issue_documents()
        self.run_care(self.today)
        self.assertFalse(self.mails(other, subject))

    def test_balance_due_reminded_before_the_due_date(self):
        order = self.booking()
        due = order.sputnik_balance_due_date
        self.assertEqual(due, self.departure.date_start - relativedelta(days=21))
        subject = "the balance is due"
        # the deposit is invoiced and paid: 70 % is left to pay
        self.assertEqual(order.sputnik_amount_to_pay, order.amount_total)
        self.pay(order.invoice_ids)
        order.invalidate_recordset(["sputnik_amount_to_pay"])
        self.assertAlmostEqual(
            order.sputnik_amount_to_pay, order.amount_total * 0.7, places=2
        )
        self.run_care(due - relativedelta(days=4))
        self.assertFalse(self.mails(order, subject))
        self.run_care(due - relativedelta(days=3))
        self.run_care(due - relativedelta(days=2))
        self.run_care(due)
        mail = self.mails(order, subject)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, order.partner_id)
        # a booking paid in full is not reminded
        paid = self.booking(prefix="Paid")
        invoices = (
            self.env["sputnik.booking.invoicing"]._sputnik_invoice_balance(paid)
            | paid.invoice_ids
        )
        for invoice in invoices.filtered(lambda m: m.amount_residual):
            self.pay(invoice)
        paid.invalidate_recordset(["sputnik_amount_to_pay"])
        self.assertEqual(paid.sputnik_amount_to_pay, 0)
        self.run_care(due - relativedelta(days=1))
        self.assertFalse(self.mails(paid, subject))

    # --- after return --------------------------------------------------------
    def answer(self, user_input, csat, nps):
        questions = self.survey.question_ids
        for question, value in (
            (questions.filtered(lambda q: q.sputnik_kpi == "csat"), csat),
            (questions.filtered(lambda q: q.sputnik_kpi == "nps"), nps),
        ):
            user_input._save_lines(question, value)
        user_input._mark_done()

    def test_trip_survey_after_return_and_its_answers(self):
        order = self.booking()
        client = order.partner_id
        back = order.sputnik_date_end
        self.run_care(back + relativedelta(days=1))
        self.assertFalse(order.sputnik_survey_answer_ids)
        self.run_care(back + relativedelta(days=2))
        self.run_care(back + relativedelta(days=3))
        user_input = order.sputnik_survey_answer_ids
        self.assertEqual(len(user_input), 1)
        self.assertEqual(user_input.survey_id, self.survey)
        self.assertEqual(user_input.partner_id, client)
        mail = self.mails(user_input, "How was your trip")
        self.assertEqual(len(mail), 1)
        self.assertIn(user_input.access_token, mail.body_html)
        follow_up = self.activities(order, "Ask how the trip went")
        self.assertEqual(len(follow_up), 1)
        self.assertEqual(follow_up.user_id, self.agent)
        # an unhappy answer: figures on the client, feedback, a call back
        self.answer(user_input, csat=2, nps=5)
        self.assertEqual(user_input.sputnik_csat, 2)
        self.assertEqual(user_input.sputnik_nps_category, "detractor")
        self.assertEqual(client.sputnik_survey_count, 1)
        self.assertEqual(client.sputnik_csat_rate, 0.0)
        self.assertEqual(client.sputnik_nps_last, 5)
        self.assertEqual(client.sputnik_nps_category, "detractor")
        feedback = self.env["sputnik.interaction"].search(
            [("event_key", "=", f"survey_answered:{user_input.id}")]
        )
        self.assertEqual(feedback.interaction_type, "feedback")
        self.assertEqual(feedback.satisfaction, "2")
        self.assertEqual(feedback.order_id, order)
        self.assertEqual(
            len(self.activities(order, "Unhappy client: call them back")), 1
        )
        # a second, happy trip: CSAT is the share of satisfied answers, NPS the last
        second = self.survey._create_answer(
            partner=client, check_attempts=False, sputnik_order_id=order.id
        )
        self.answer(second, csat=5, nps=10)
        self.assertEqual(client.sputnik_survey_count, 2)
        self.assertEqual(client.sputnik_csat_rate, 50.0)
        self.assertEqual(client.sputnik_nps_last, 10)
        self.assertEqual(client.sputnik_nps_category, "promoter")
        # nobody types the figures
        with self.assertRaises(UserError):
            client.with_user(self.manager).write({"sputnik_nps_last": 9})

    def test_trip_survey_needs_consent_but_the_agent_still_calls(self):
        order = self.booking(consent=False, prefix="No Survey")
        self.run_care(order.sputnik_date_end + relativedelta(days=2))
        self.assertFalse(order.sputnik_survey_answer_ids)
        self.assertFalse(self.mails(order.partner_id))
        self.assertEqual(len(self.activities(order, "Ask how the trip went")), 1)
        self.assertEqual(self.events("trip_survey", order_id=order).channel, "none")
        # switched off: no survey, no call
        self.company.sputnik_care_survey = False
        other = self.booking(prefix="Survey Off")
        self.run_care(other.sputnik_date_end + relativedelta(days=2))
        self.assertFalse(self.activities(other, "Ask how the trip went"))
        self.assertFalse(self.events("trip_survey", order_id=other))

    # --- the engine ----------------------------------------------------------
    def test_claims_are_unique(self):
        order = self.booking()
        vals = {
            "key": f"documents_ready:{order.id}",
            "occasion": "documents_ready",
            "channel": "email",
            "order_id": order.id,
            "partner_id": order.partner_id.id,
        }
        self.assertEqual(self.Care._claim([vals, dict(vals)]), {vals["key"]})
        self.assertEqual(self.Care._claim([vals]), set())
        self.assertEqual(self.Care.search_count([("key", "=", vals["key"])]), 1)

    def test_wrong_settings_and_questions_are_refused(self):
        with self.assertRaises(ValidationError):
            self.company.sputnik_care_balance_days = -1
        with self.assertRaises(ValidationError):
            self.company.sputnik_care_survey_id = self.env["survey.survey"].create(
                {"title": "Public Survey", "access_mode": "public"}
            )
        with self.assertRaises(ValidationError):
            self.env["survey.question"].create(
                {
                    "survey_id": self.survey.id,
                    "title": "Recommend us?",
                    "question_type": "scale",
                    "scale_min": 1,
                    "scale_max": 5,
                    "sputnik_kpi": "nps",
                }
            )

    def test_access_to_the_log(self):
        self.booking().action_sputnik_issue_documents()
        self.assertTrue(self.Care.with_user(self.manager).search_count([]))
        with self.assertRaises(AccessError):
            self.Care.with_user(self.agent).search_count([])
