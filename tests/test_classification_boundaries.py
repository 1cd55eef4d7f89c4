"""The classification at its boundaries, each expected value derived from the
clients made here: RFM scores under ties, the XYZ years and the expected next
trip across 29 February, churn at exactly 1.5 times the usual gap, the 90-day
minimum gap, lost clients, and the days late of an open overdue invoice.

Dates across 29 February are fixed with ``freeze_time``: the trips are made
first (all of them before the real today, so none is booked ahead), then the
classification runs on the frozen day.
"""

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .test_classification import ClassificationCase

# compared between the two runs of the same data, and between a one-client
# update and the full run after it
RFM = [
    "sputnik_rfm_r",
    "sputnik_rfm_f",
    "sputnik_rfm_m",
    "sputnik_rfm_segment",
]


class BoundaryCase(ClassificationCase):
    def trip_on(self, client, start, **kwargs):
        """A confirmed trip of ``client`` leaving on the date ``start``."""
        return self.trip(client, (self.today - start).days, **kwargs)

    def scores(self, clients):
        return [tuple(client[name] for name in RFM) for client in clients]


@tagged("post_install", "-at_install")
class TestRfmTies(BoundaryCase):
    """Ten clients, most of them alike, as a travel base is:

    * six one-trip clients, returned 100 days ago, margin 1,000;
    * two clients of two trips, returned 40 days ago, margin 3,000;
    * one of four trips, returned 20 days ago, margin 4,000;
    * one of eight trips, returned 10 days ago, margin 8,000.

    A value shared by ``same`` clients with ``below`` clients before it (by
    recency, fewest days first; by margin, lowest first) scores on
    k = floor(5 (2 below + same) / 20):

    * recency 10: k = floor(5/20) = 0, R 5; 20: floor(15/20) = 0, R 5;
      40: floor(30/20) = 1, R 4; 100: floor(70/20) = 3, R 2;
    * margin 1,000: floor(30/20) = 1, M 2; 3,000: floor(70/20) = 3, M 4;
      4,000: floor(85/20) = 4, M 5; 8,000: floor(95/20) = 4, M 5;
    * F by band: 1 trip 1, 2 trips 2, 4 trips 3, 8 trips 5.

    fm = (F + M + 1) // 2: one-trip 2 (R 2: Hibernating), two-trip 3 (R 4:
    Potential Loyalists), four- and eight-trip 4 and 5 (R 5: Champions).
    Quintile cuts gave here F 1 to every one-trip client and 4 or 5 to all
    the others (cuts 1, 1, 1, 2)."""

    def setUp(self):
        super().setUp()
        self.once = [self.client_(f"Once {i}") for i in range(6)]
        for client in self.once:
            self.trip(client, 107, margin=1000.0)
        self.twice = [self.client_(f"Twice {i}") for i in range(2)]
        for client in self.twice:
            self.trip(client, 247, margin=1500.0)
            self.trip(client, 47, margin=1500.0)
        self.four = self.client_("Four trips")
        for k in range(4):
            self.trip(self.four, 27 + 30 * k, margin=1000.0)
        self.eight = self.client_("Eight trips")
        for k in range(8):
            self.trip(self.eight, 17 + 30 * k, margin=1000.0)
        self.clients = [*self.once, *self.twice, self.four, self.eight]

    def test_ties_spread_and_share_scores(self):
        self.classify()
        self.assertEqual(
            set(self.scores(self.once)), {(2, 1, 2, "hibernating")}, "equal: equal"
        )
        self.assertEqual(set(self.scores(self.twice)), {(4, 2, 4, "potential")})
        self.assertEqual(
            self.scores([self.four, self.eight]),
            [(5, 3, 5, "champions"), (5, 5, 5, "champions")],
        )
        for name in RFM[:3]:
            self.assertGreater(
                len({client[name] for client in self.clients}), 2, f"{name} spreads"
            )

    def test_same_data_same_classes(self):
        """Classified twice, the same data gives the same scores and segments:
        the second run writes nothing."""
        self.classify()
        first = self.scores(self.clients)
        second = self.classify()
        self.assertEqual((second.changed_count, second.history_count), (0, 0))
        for client in self.clients:
            client.invalidate_recordset()
        self.assertEqual(self.scores(self.clients), first)

    def test_a_day_later_same_segments(self):
        """A day later with nothing new, every recency is a day longer: the
        order of the clients, so their ranks and scores, stay: no client
        changes segment, no history line is written."""
        self.classify()
        first = self.scores(self.clients)
        with freeze_time(self.today + relativedelta(days=1)):
            run = self.classify()
            for client in self.clients:
                client.invalidate_recordset()
            self.assertEqual(run.history_count, 0)
            self.assertEqual(self.scores(self.clients), first)
            self.assertEqual(self.once[0].sputnik_recency_days, 101)

    def test_one_client_update_agrees_with_the_full_run(self):
        """Above the scan limit (here 0), a booking places its client against
        the stored cuts: r = [20, 40, 40, 100] (the highest recency of R 5, 4,
        3, 2) and m = [1000, 3000, 3000, 4000] (the lowest margin of M 2, 3, 4,
        5). A one-trip client travels again: returned 40 days ago, margin
        2,000 more (3,000 in all). Stored cuts: 40 > 20 only, R 4; 3,000 >=
        1,000 and twice 3,000, M 4; two trips, F 2: Potential Loyalists. The
        full run after it finds the ties grown (three at 40 days and at
        3,000, five at 100 days and at 1,000) and the same scores for every
        client: k = floor(5 (4 + 3) / 20) = 1 for recency 40, floor(5 (10 +
        3) / 20) = 3 for margin 3,000, floor(5 (10 + 5) / 20) = 3 for recency
        100, floor(5 * 5 / 20) = 1 for margin 1,000."""
        self.env["ir.config_parameter"].sudo().set_param(
            "sputnik_crm.classification_scan_limit", "0"
        )
        run = self.classify()
        self.assertEqual(run.cuts["r"], [20, 40, 40, 100])
        self.assertEqual(run.cuts["m"], [1000, 3000, 3000, 4000])
        before = {client: self.scores(client) for client in self.clients}
        client = self.once[0]
        self.trip(client, 47, margin=2000.0)
        client._sputnik_classify(source="booking")
        self.assertEqual(self.scores(client), [(4, 2, 4, "potential")])
        booked = client.read(
            [
                *RFM,
                "sputnik_lifecycle",
                "sputnik_abc",
                "sputnik_xyz",
                "sputnik_churn_risk",
                "sputnik_next_trip_date",
                "sputnik_rfm_monetary",
            ]
        )[0]
        self.classify()
        for other in self.clients:
            other.invalidate_recordset()
        self.assertEqual(client.read(list(booked))[0], booked)
        for other in self.clients[1:]:
            self.assertEqual(self.scores(other), before[other], other.name)

    def test_grid_labels_and_segments(self):
        """The RFM grid an agent opens: recency rows 5 to 1, frequency columns
        labelled with their bands of trips, each cell with its count and its
        segments (as derived above); the one-trip clients returned 100 days
        ago. A user outside Sputnik does not read the classes."""
        self.classify()
        grid = self.env["res.partner"].with_user(self.agent).sputnik_rfm_grid()
        self.assertIn("Recency score", grid["row_title"])
        self.assertIn("24 months", grid["column_title"])
        self.assertEqual([row["score"] for row in grid["rows"]], [5, 4, 3, 2, 1])
        self.assertEqual(
            [column["label"] for column in grid["columns"]],
            ["up to 1", "2", "3-4", "5-7", "8 or more"],
        )
        self.assertEqual(
            [column["count"] for column in grid["columns"]], [6, 2, 1, 0, 1]
        )
        self.assertEqual(grid["total"], 10)
        filled = {
            (row["score"], cell["f"]): (
                cell["count"],
                [(s["key"], s["label"], s["count"]) for s in cell["segments"]],
            )
            for row in grid["rows"]
            for cell in row["cells"]
            if cell["count"]
        }
        self.assertEqual(
            filled,
            {
                (2, 1): (6, [("hibernating", "Hibernating", 6)]),
                (4, 2): (2, [("potential", "Potential Loyalists", 2)]),
                (5, 3): (1, [("champions", "Champions", 1)]),
                (5, 5): (1, [("champions", "Champions", 1)]),
            },
        )
        returned = fields.Date.to_string(self.today - relativedelta(days=100))
        row_2 = grid["rows"][3]
        self.assertEqual(
            (row_2["first_return"], row_2["last_return"], row_2["count"]),
            (returned, returned, 6),
        )
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.outsider).sputnik_rfm_grid()


@tagged("post_install", "-at_install")
class TestXyzCalendarYears(BoundaryCase):
    def test_trip_on_the_year_boundary_across_29_february(self):
        """Today 1 March 2025: year 0 is 2 March 2024 - 1 March 2025, year 1
        2 March 2023 - 1 March 2024, year 2 2 March 2022 - 1 March 2023.

        * Calendar: trips on 1 February 2025, 1 March 2024, 1 March 2023 of
          100,000 each, one a year: spend 100,000 every year, variation 0, X.
          Counted in days of 365.25, 1 March 2024 (365 days back) fell in
          year 0 and 1 March 2023 (731 days) in year 2: Z.
        * Day after: 2 March 2024 is in year 0 with 1 February 2025: spends
          200,000, 0, 0, mean 66,667, standard deviation 94,281: 141.4 %.
        * 29 February 2024 is before 1 March 2024, in year 1: spends 100,000,
          100,000, 0: mean 66,667, deviation 47,140: 70.7 %."""
        calendar = self.client_("Calendar")
        day_after = self.client_("Day after")
        leap = self.client_("29 February")
        for start in ("2025-02-01", "2024-03-01", "2023-03-01"):
            self.trip_on(calendar, fields.Date.to_date(start), revenue=100000.0)
        for client, start in ((day_after, "2024-03-02"), (leap, "2024-02-29")):
            self.trip_on(client, fields.Date.to_date("2025-02-01"), revenue=100000.0)
            self.trip_on(client, fields.Date.to_date(start), revenue=100000.0)
        with freeze_time("2025-03-01"):
            self.classify()
        self.assertEqual((calendar.sputnik_xyz, calendar.sputnik_spend_cv), ("x", 0.0))
        self.assertEqual(
            (day_after.sputnik_xyz, day_after.sputnik_spend_cv), ("z", 141.4)
        )
        self.assertEqual((leap.sputnik_xyz, leap.sputnik_spend_cv), ("z", 70.7))


@tagged("post_install", "-at_install")
class TestChurnBoundaries(BoundaryCase):
    def test_churn_ratio_boundaries(self):
        """Two trips 200 days apart (the usual gap 200 days), returned (7
        nights) 300 days ago: 300 / 200 = 1.5, medium (included), score 75;
        a day more, 1.505: high. Returned 200 days ago: 1.0, medium (from
        the gap on); 199 days: low. Two trips 30 days apart count a gap of
        90 days (the minimum): returned 113 days ago, 113 / 90 = 1.26,
        medium (not 113 / 30, high)."""
        expected = {}
        for name, last, gap, risk in (
            ("1.5 times", 307, 200, "medium"),
            ("Past 1.5 times", 308, 200, "high"),
            ("Once the gap", 207, 200, "medium"),
            ("Before the gap", 206, 200, "low"),
            ("Close trips", 120, 30, "medium"),
        ):
            client = self.client_(name)
            self.trip(client, last + gap)
            self.trip(client, last)
            expected[client] = risk
        self.classify()
        for client, risk in expected.items():
            self.assertEqual(client.sputnik_churn_risk, risk, client.name)
        exact = next(iter(expected))
        self.assertEqual(exact.sputnik_recency_days, 300)
        self.assertEqual(exact.sputnik_churn_score, 75)


@tagged("post_install", "-at_install")
class TestNextTripBoundaries(BoundaryCase):
    def test_minimum_gap_and_lost_clients(self):
        """Two trips 30 days apart, the last 20 days ago: the usual gap counts
        90 days, so expected 90 days after the last departure (in 70 days),
        not 30 (in 10). A client whose last return is more than 24 months
        back is lost: no expected trip, churn high, score 100."""
        close = self.client_("Close trips")
        self.trip(close, 50)
        self.trip(close, 20)
        lost = self.client_("Lost")
        self.trip(lost, 800)
        self.classify()
        self.assertEqual(
            close.sputnik_next_trip_date, self.today + relativedelta(days=70)
        )
        self.assertEqual(lost.sputnik_lifecycle, "lost")
        self.assertFalse(lost.sputnik_next_trip_date)
        self.assertEqual(
            (lost.sputnik_churn_risk, lost.sputnik_churn_score), ("high", 100)
        )

    def test_anniversary_today_across_29_february(self):
        """Today 28 February 2025. One trip on 28 February 2023: its season
        comes back a calendar year later, 28 February 2024, then 28 February
        2025, today (366 days after it: counted in years of 365.25 days, it
        was pushed to 2026). One trip on 29 February 2024: a year later is 28
        February 2025, today. One trip on 27 February 2023: 27 February 2025
        has passed, so 27 February 2026. Each returned (7 nights) less than
        24 months ago: dormant, not lost."""
        across = self.client_("Across 29 February")
        self.trip_on(across, fields.Date.to_date("2023-02-28"))
        leap = self.client_("On 29 February")
        self.trip_on(leap, fields.Date.to_date("2024-02-29"))
        passed = self.client_("A day before")
        self.trip_on(passed, fields.Date.to_date("2023-02-27"))
        with freeze_time("2025-02-28"):
            self.classify()
        today = fields.Date.to_date("2025-02-28")
        self.assertEqual(across.sputnik_lifecycle, "dormant")
        self.assertEqual(across.sputnik_next_trip_date, today)
        self.assertEqual(leap.sputnik_next_trip_date, today)
        self.assertEqual(
            passed.sputnik_next_trip_date, fields.Date.to_date("2026-02-27")
        )


@tagged("post_install", "-at_install")
class TestDaysLate(BoundaryCase):
    def test_open_overdue_invoice_counts_until_today(self):
        """Three invoices of 1,000: one due 30 days ago and paid 5 days late,
        one due 20 days ago still open, one due in 10 days (not rated yet).
        Rated: 2, none on time; days late (5 + 20) / 2 = 12.5, each counted
        as the payment discipline report does, (paid on, or today while
        open) - due date: its average over the same two invoices is 12.5."""
        client = self.client_("Late payer")
        self.trip(client, 60)

        def invoice(due_in):
            due = self.today + relativedelta(days=due_in)
            move = self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": client.id,
                    "invoice_date": self.today - relativedelta(days=40),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "price_unit": 1000.0,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
            move.invoice_payment_term_id = False
            move.invoice_date_due = due
            move.action_post()
            return move

        paid = invoice(-30)
        invoice(-20)
        invoice(10)
        register = self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=paid.ids
        )
        register.create(
            {"payment_date": self.today - relativedelta(days=25)}
        )._create_payments()
        self.classify()
        self.assertEqual(client.sputnik_paid_invoice_count, 2)
        self.assertEqual(client.sputnik_paid_on_time_rate, 0.0)
        self.assertEqual(client.sputnik_avg_days_late, 12.5)
        Report = self.env["sputnik.payment.report"]
        Report._sputnik_refresh()
        [[days_late, count]] = Report._read_group(
            [
                ("partner_id", "=", client.id),
                "|",
                ("paid_count", "=", 1),
                ("overdue", "=", 1),
            ],
            [],
            ["days_late:avg", "__count"],
        )
        self.assertEqual((days_late, count), (12.5, 2))
