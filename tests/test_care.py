from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import tagged

from .test_classification import ClassificationCase


@tagged("post_install", "-at_install")
class TestClientCare(ClassificationCase):
    def care(self):
        """The daily client-care run."""
        return self.env["sputnik.care.event"]._cron_sputnik_care()

    def mails_of(self, record):
        return self.env["mail.mail"].search(
            [("model", "=", record._name), ("res_id", "=", record.id)]
        )

    def greeted(self, client):
        return self.env["mail.mail"].search_count([("recipient_ids", "in", client.ids)])

    def test_birthday_greetings_once_with_consent(self):
        born = self.today - relativedelta(years=35)
        vals = {"email": "birthday@example.com", "sputnik_birthdate": born}
        consenting = self.client_(
            "Birthday Consenting", **vals, sputnik_consent_email=True
        )
        silent = self.client_("Birthday Without Consent", **vals)
        other_day = self.client_(
            "Birthday Another Day",
            email="other@example.com",
            sputnik_birthdate=born - relativedelta(days=1),
            sputnik_consent_email=True,
        )
        self.care()
        self.care()
        self.assertEqual(self.greeted(consenting), 1)
        self.assertEqual(consenting.sputnik_birthday_year, self.today.year)
        self.assertEqual(self.greeted(silent), 0)
        self.assertEqual(self.greeted(other_day), 0)
        self.assertTrue(
            self.env["sputnik.interaction"].search(
                [
                    (
                        "event_key",
                        "=",
                        f"care:birthday:{consenting.id}:{self.today.year}",
                    )
                ]
            )
        )
        # switched off in Settings: nobody is greeted
        self.env["res.company"].search([]).sputnik_care_birthday = False
        late = self.client_("Birthday Late", **vals, sputnik_consent_email=True)
        self.care()
        self.assertEqual(self.greeted(late), 0)

    def test_dormant_client_reactivated_once(self):
        client = self.client_("Turning Dormant")
        self.trip(client, 310)  # returned about ten months ago
        self.classify()
        self.assertEqual(client.sputnik_lifecycle, "new")
        self.care()
        self.company.sputnik_dormant_months = 9
        self.classify()
        self.care()
        self.assertEqual(client.sputnik_lifecycle, "dormant")
        todo = client.activity_ids.filtered(
            lambda a: a.summary == "Bring back a dormant client"
        )
        self.assertEqual(len(todo), 1)
        self.assertEqual(todo.user_id, self.agent)
        self.assertEqual(todo.date_deadline, fields.Date.context_today(client))
        self.classify()
        self.care()
        self.care()
        self.assertEqual(
            len(
                client.activity_ids.filtered(
                    lambda a: a.summary == "Bring back a dormant client"
                )
            ),
            1,
        )
        # switched off: no activity
        self.company.sputnik_care_reactivation = False
        self.company.sputnik_dormant_months = 12
        other = self.client_("Also Dormant")
        self.trip(other, 310)
        self.classify()
        self.company.sputnik_dormant_months = 9
        self.classify()
        self.care()
        self.assertEqual(other.sputnik_lifecycle, "dormant")
        self.assertFalse(
            other.activity_ids.filtered(
                lambda a: a.summary == "Bring back a dormant client"
            )
        )

    def test_daily_run_twice_does_everything_once(self):
        self.company.write(
            {
                "sputnik_care_birthday": True,
                "sputnik_care_reactivation": True,
                "sputnik_care_departure": True,
                "sputnik_care_survey": True,
                "sputnik_care_survey_days": 2,
            }
        )
        consenting = {"sputnik_consent_email": True}
        birthday = self.client_(
            "Twice Birthday",
            email="twice.birthday@example.com",
            sputnik_birthdate=self.today - relativedelta(years=40),
            **consenting,
        )
        dormant = self.client_("Twice Dormant")
        self.trip(dormant, 310)
        soon = self.client_("Twice Soon")
        self.trip(soon, 320)  # next trip expected in 45 days: a call
        back = self.client_("Twice Back", email="twice.back@example.com", **consenting)
        survey_order = self.trip(back, 9)  # came back two days ago: the survey
        leaving = self.client_("Twice Leaving", email="twice.leaving@example.com")
        ready = self.trip(leaving, -40)
        ready.sputnik_documents_issued = True
        self.classify()
        self.company.sputnik_dormant_months = 9
        self.classify()  # the 310-day client turns dormant
        self.assertEqual(dormant.sputnik_lifecycle, "dormant")
        Care = self.env["sputnik.care.event"]

        def done():
            return (
                Care.search_count([]),
                self.env["mail.mail"].search_count([]),
                self.env["mail.activity"].search_count([]),
                self.env["sputnik.interaction"].search_count([]),
            )

        before = done()
        first = self.care()
        after_first = done()
        second = self.care()
        self.assertEqual(done(), after_first)
        self.assertFalse([key for keys in second.values() for key in keys])
        # the first run did each occasion of these clients, once
        clients = birthday | dormant | soon | back | leaving
        events = Care.search([("partner_id", "in", clients.ids)])
        self.assertEqual(
            sorted(events.mapped(lambda e: (e.partner_id.name, e.occasion))),
            [
                ("Twice Back", "trip_survey"),
                ("Twice Birthday", "birthday"),
                ("Twice Dormant", "dormant_reactivation"),
                ("Twice Dormant", "next_trip_call"),  # expected in 55 days
                ("Twice Leaving", "documents_ready"),
                ("Twice Leaving", "passport_trip"),  # no passport on file
                ("Twice Soon", "dormant_reactivation"),
                ("Twice Soon", "next_trip_call"),
            ],
        )
        self.assertEqual(
            after_first[0] - before[0], sum(len(keys) for keys in first.values())
        )
        self.assertEqual(self.greeted(birthday), 1)
        self.assertEqual(len(survey_order.sputnik_survey_answer_ids), 1)
        # documents ready and passport not valid: each told once, by e-mail
        # (service messages: no consent needed)
        self.assertEqual(self.greeted(leaving), 2)
        self.assertEqual(len(self.mails_of(ready)), 2)
        self.assertFalse(ready.activity_ids)
        for client, summary in (
            (dormant, "Bring back a dormant client"),
            (dormant, "Offer the next trip"),
            (soon, "Bring back a dormant client"),
            (soon, "Offer the next trip"),
        ):
            self.assertEqual(
                len(client.activity_ids.filtered(lambda a, s=summary: s in a.summary)),
                1,
            )
        self.assertEqual(
            len(survey_order.activity_ids.filtered(lambda a: "trip" in a.summary)), 1
        )
