"""Campaigns at client segments: the segments' filters, the consents and the
single send per campaign, the attribution of bookings and the ROI."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .test_classification import ClassificationCase


@tagged("post_install", "-at_install")
class TestCampaigns(ClassificationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Segment = cls.env["sputnik.segment"]
        cls.campaign = cls.env["utm.campaign"].create(
            {
                "title": "Sea Campaign Test",
                "sputnik_goal": "early_booking",
                "sputnik_date_from": cls.today - timedelta(days=10),
                "sputnik_date_to": cls.today + timedelta(days=10),
                "sputnik_budget": 2000.0,
                "sputnik_cost": 1000.0,
                "company_id": cls.company.id,
            }
        )

    def classified(self, name, **classes):
        """A client with its classes written as the classification would."""
        client = self.client_(name, email=f"{name.lower().replace(' ', '.')}@ex.com")
        client.sudo().write(classes)
        return client

    def beach(self, client):
        self.env["sputnik.client.preference"].create(
            {"partner_id": client.id, "kind": "tour_type", "tour_type": "beach"}
        )

    def segment(self, **vals):
        return self.Segment.create({"name": "Test Segment", **vals})

    def clients_of(self, segment):
        return self.env["res.partner"].search(segment._get_domain())

    # --- segments ------------------------------------------------------------
    def test_vip_beach_lovers_resting_for_ten_months(self):
        eleven = self.today - relativedelta(months=11)
        resting = self.classified(
            "Seg Resting", sputnik_lifecycle="vip", sputnik_last_return_date=eleven
        )
        recent = self.classified(
            "Seg Recent",
            sputnik_lifecycle="vip",
            sputnik_last_return_date=self.today - relativedelta(months=5),
        )
        mountain = self.classified(
            "Seg Mountain", sputnik_lifecycle="regular", sputnik_last_return_date=eleven
        )
        booked = self.classified(
            "Seg Booked",
            sputnik_lifecycle="vip",
            sputnik_last_return_date=eleven,
            sputnik_next_trip_booked=True,
        )
        new = self.classified(
            "Seg New", sputnik_lifecycle="new", sputnik_last_return_date=eleven
        )
        # exactly ten months: included
        edge = self.classified(
            "Seg Edge",
            sputnik_lifecycle="regular",
            sputnik_last_return_date=self.today - relativedelta(months=10),
        )
        for client in (resting, recent, booked, new, edge):
            self.beach(client)
        segment = self.segment(
            domain="[('sputnik_lifecycle', 'in', ['vip', 'regular']), "
            "('sputnik_preference_ids', 'any', [('kind', '=', 'tour_type'), "
            "('tour_type', '=', 'beach')])]",
            no_trip_months=10,
        )
        clients = self.clients_of(segment)
        mine = resting | recent | mountain | booked | new | edge
        self.assertEqual(clients & mine, resting | edge)
        self.assertEqual(segment.partner_count, len(clients))
        self.assertEqual(segment.action_view_clients()["res_model"], "res.partner")

    def test_age_and_consent_filters(self):
        born = {age: self.today - relativedelta(years=age) for age in (17, 18, 30, 31)}
        people = {
            age: self.client_(
                f"Seg Age {age}",
                email=f"age{age}@ex.com",
                sputnik_birthdate=day,
                sputnik_consent_email=age != 30,
            )
            for age, day in born.items()
        }
        # turning 31 tomorrow: still 30
        almost = self.client_(
            "Seg Age Almost 31",
            sputnik_birthdate=born[31] + timedelta(days=1),
            email="almost@ex.com",
        )
        segment = self.segment(age_min=18, age_max=30)
        clients = self.clients_of(segment)
        self.assertIn(people[18], clients)
        self.assertIn(people[30], clients)
        self.assertIn(almost, clients)
        self.assertNotIn(people[17], clients)
        self.assertNotIn(people[31], clients)
        self.assertEqual(
            segment.no_consent_count, segment.partner_count - segment.consent_count
        )
        no_consent = self.env["res.partner"].search(
            segment.action_view_no_consent()["domain"]
        )
        self.assertIn(people[30], no_consent)
        self.assertIn(almost, no_consent)
        self.assertNotIn(people[18], no_consent)

    def test_wrong_segments_are_refused(self):
        with self.assertRaises(ValidationError):
            self.segment(domain="[('no_such_field', '=', 1)]")
        with self.assertRaises(ValidationError):
            self.segment(domain="[('name', '=',")
        # conditions are data: the relative dates of former versions are the
        # segment's own months and ages now
        with self.assertRaises(ValidationError):
            self.segment(
                domain="[('sputnik_last_return_date', '<=', "
                "context_today() - relativedelta(months=6))]"
            )
        with self.assertRaises(ValidationError):
            self.segment(age_min=40, age_max=30)
        with self.assertRaises(ValidationError):
            self.segment(no_trip_months=-1)

    # --- mailings --------------------------------------------------------------
    def mailing(self, segment):
        return self.env["mailing.mailing"].create(
            {
                "subject": "Sea offer",
                "body_html": "<p>The sea is waiting.</p>",
                "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
                "sputnik_segment_id": segment.id,
                "campaign_id": self.campaign.id,
            }
        )

    def test_mailing_respects_consent_and_sends_once_per_campaign(self):
        first = self.client_(
            "Mail Consenting One", email="one@ex.com", sputnik_consent_email=True
        )
        second = self.client_(
            "Mail Consenting Two", email="two@ex.com", sputnik_consent_email=True
        )
        silent = self.client_("Mail Silent", email="silent@ex.com")
        no_address = self.client_("Mail No Address", sputnik_consent_email=True)
        group = first | second | silent | no_address
        segment = self.segment(domain=f"[('id', 'in', {group.ids})]")
        mailing = self.mailing(segment)
        self.assertEqual(
            sorted(mailing._get_recipients()), sorted((first | second).ids)
        )
        self.assertEqual(mailing.sputnik_no_consent_count, 2)
        left_out = self.env["res.partner"].search(
            mailing.action_sputnik_view_no_consent()["domain"]
        )
        self.assertEqual(left_out, silent | no_address)
        mailing.action_send_mail()
        traces = self.env["mailing.trace"].search(
            [("mass_mailing_id", "=", mailing.id)]
        )
        self.assertEqual(sorted(traces.mapped("res_id")), sorted((first | second).ids))
        # a second mailing of the campaign reaches nobody twice
        third = self.client_(
            "Mail Consenting Three", email="three@ex.com", sputnik_consent_email=True
        )
        segment.domain = f"[('id', 'in', {(group | third).ids})]"
        again = self.mailing(segment)
        self.assertEqual(again._get_recipients(), third.ids)
        self.assertEqual(again.sputnik_campaign_mailed_count, 2)
        again.action_send_mail()
        self.assertEqual(
            self.env["mailing.trace"].search_count(
                [("campaign_id", "=", self.campaign.id), ("res_id", "in", first.ids)]
            ),
            1,
        )
        with self.assertRaises(UserError):
            self.mailing(segment).action_send_mail()
        # once the e-mails left, the campaign counts its recipients
        self.env["mailing.trace"].search(
            [("campaign_id", "=", self.campaign.id)]
        ).set_sent()
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        self.campaign.invalidate_recordset()
        self.assertEqual(self.campaign.sputnik_recipients, 3)

    # --- attribution and ROI ---------------------------------------------------
    def test_bookings_attributed_to_the_campaign_and_roi(self):
        client = self.client_("Campaign Buyer")
        order = self.trip(client, -30, revenue=30000.0, margin=3000.0)
        order.campaign_id = self.campaign
        self.trip(client, -40, revenue=50000.0, margin=9000.0)  # no campaign
        self.env["crm.lead"].create(
            {
                "name": "Sea request",
                "type": "opportunity",
                "partner_id": client.id,
                "campaign_id": self.campaign.id,
            }
        )
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        campaign = self.campaign
        campaign.invalidate_recordset()
        self.assertEqual(campaign.sputnik_bookings, 1)
        self.assertEqual(campaign.sputnik_revenue, 30000.0)
        self.assertEqual(campaign.sputnik_margin, 3000.0)
        self.assertEqual(campaign.sputnik_opportunities, 1)
        self.assertAlmostEqual(campaign.sputnik_roi, 200.0)
        report = self.env["sputnik.campaign.report"]._read_group(
            [("campaign_id", "=", campaign.id)], [], ["cost:sum", "roi:avg"]
        )[0]
        self.assertEqual(report[0], 1000.0)
        self.assertAlmostEqual(report[1], 200.0)
        action = campaign.action_sputnik_report()
        self.assertEqual(action["domain"], [("campaign_id", "=", campaign.id)])
        # the dashboard's ROI and acquisition cost over the campaign's period
        dashboard = self.env["sputnik.kpi.dashboard"].get_dashboard(
            fields.Date.to_string(self.today - timedelta(days=20)),
            fields.Date.to_string(self.today),
        )
        figures = {
            # a figure without a value is left out of the answer
            kpi["key"]: kpi["values"].get("current")
            for section in dashboard["sections"]
            for kpi in section["kpis"]
        }
        self.assertEqual(figures["campaign_cost"], 1000.0)
        self.assertAlmostEqual(figures["campaign_roi"], 200.0)
        new = figures["new"]
        self.assertEqual(figures["cac"], 1000.0 / new if new else None)

    def test_campaign_validation(self):
        with self.assertRaises(ValidationError):
            self.campaign.sputnik_date_to = self.today - timedelta(days=30)
        with self.assertRaises(ValidationError):
            self.campaign.sputnik_cost = -5
        with self.assertRaises(ValidationError):
            self.env["utm.campaign"].create(
                {"title": "No Segment"}
            ).action_sputnik_mailing()

    def test_survey_of_a_campaign_lands_on_the_client(self):
        survey = self.env.ref("sputnik_crm.survey_trip_satisfaction")
        survey.sputnik_campaign_id = self.campaign
        client = self.client_("Campaign Surveyed", email="surveyed@ex.com")
        answer = survey._create_answer(partner=client, check_attempts=False)
        question = survey.question_ids.filtered(lambda q: q.sputnik_kpi == "csat")
        answer._save_lines(question, 4)
        answer._mark_done()
        interaction = self.env["sputnik.interaction"].search(
            [("event_key", "=", f"survey_answered:{answer.id}")]
        )
        self.assertEqual(interaction.campaign_id, self.campaign)
        self.assertEqual(client.sputnik_csat_rate, 100.0)

    def test_access(self):
        segment = self.segment()
        self.assertTrue(segment.with_user(self.agent).partner_count >= 0)
        with self.assertRaises(AccessError):
            self.Segment.with_user(self.agent).create({"name": "Agent's Segment"})
        self.Segment.with_user(self.manager).create({"name": "Manager's Segment"})
        with self.assertRaises(AccessError):
            segment.with_user(self.outsider).read(["name"])
