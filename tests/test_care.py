from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import tagged

from .test_classification import ClassificationCase


@tagged("post_install", "-at_install")
class TestClientCare(ClassificationCase):
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
        Partner = self.env["res.partner"]
        Partner._cron_sputnik_birthdays()
        Partner._cron_sputnik_birthdays()
        self.assertEqual(self.greeted(consenting), 1)
        self.assertEqual(consenting.sputnik_birthday_year, self.today.year)
        self.assertEqual(self.greeted(silent), 0)
        self.assertEqual(self.greeted(other_day), 0)
        self.assertTrue(
            self.env["sputnik.interaction"].search(
                [("event_key", "=", f"birthday:{consenting.id}:{self.today.year}")]
            )
        )
        # switched off in Settings: nobody is greeted
        self.env["res.company"].search([]).sputnik_care_birthday = False
        late = self.client_("Birthday Late", **vals, sputnik_consent_email=True)
        Partner._cron_sputnik_birthdays()
        self.assertEqual(self.greeted(late), 0)

    def test_dormant_client_reactivated_once(self):
        client = self.client_("Turning Dormant")
        self.trip(client, 310)  # returned about ten months ago
        self.classify()
        self.assertEqual(client.sputnik_lifecycle, "new")
        self.company.sputnik_dormant_months = 9
        self.classify()
        self.assertEqual(client.sputnik_lifecycle, "dormant")
        todo = client.activity_ids.filtered(
            lambda a: a.summary == "Bring back a dormant client"
        )
        self.assertEqual(len(todo), 1)
        self.assertEqual(todo.user_id, self.agent)
        self.assertEqual(todo.date_deadline, fields.Date.context_today(client))
        self.classify()
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
        self.assertEqual(other.sputnik_lifecycle, "dormant")
        self.assertFalse(
            other.activity_ids.filtered(
                lambda a: a.summary == "Bring back a dormant client"
            )
        )
