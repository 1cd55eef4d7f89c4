import math
from collections import Counter, defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

from .sputnik_departure import DRAFT_PURCHASE_STATES, PURCHASE_STATES


class SputnikPurchasePlanner(models.AbstractModel):
    """How many seats to buy for the coming departures: the seats the active
    sales plans still expect on each, times the sell-through of the tour (or
    the company), less what is bought (shown on the departure, see its
    ``suggested_seats``)."""

    _name = "sputnik.purchase.planner"
    _description = "Purchase Planning of Departures"

    @api.model
    def _sputnik_suggestions(self, departures):
        """{departure id: {plan_seats, sell_through, basis, suggested, draft}}
        for the coming departures of ``departures`` (planned or open, leaving after
        today), in a fixed number of queries whatever their number.

        Seats to buy = ceil(sold + planned seats × sell-through) - purchased,
        at least 0 (see the fields' help).
        """
        today = fields.Date.context_today(self)
        coming = departures.filtered(
            lambda d: d.id and d.state in PURCHASE_STATES and d.date_start > today
        )
        if not coming:
            return {}
        figures = coming._get_seat_figures()
        plan_seats = self._sputnik_plan_seats(coming, today)
        sell_through = self._sputnik_sell_through(coming, today)
        # sudo: whether a draft purchase of the seats exists, for users who
        # may not read purchases; a yes/no per departure only
        drafts = {
            product.id
            for [product] in self.env["purchase.order.line"]
            .sudo()
            ._read_group(
                [
                    ("product_id", "in", coming.product_id.ids),
                    ("state", "in", DRAFT_PURCHASE_STATES),
                ],
                groupby=["product_id"],
            )
        }
        result = {}
        for departure in coming:
            seats = figures[departure.id]
            rate, basis = sell_through[departure.id]
            demand = seats["sold"] + plan_seats[departure.id] * rate
            result[departure.id] = {
                "plan_seats": plan_seats[departure.id],
                "sell_through": rate,
                "basis": basis,
                "suggested": max(math.ceil(round(demand, 6)) - seats["purchased"], 0),
                "draft": departure.product_id.id in drafts,
            }
        return result

    @api.model
    def _sputnik_plan_lines(self, departure, lines):
        """The lines of ``lines`` (active sales plan lines with seat targets)
        that plan the seats of ``departure``: among those covering its company,
        date, destination (or a parent of it) and tour type, the most specific
        ones (deepest destination, then with a tour type); the all-agent line if
        there is one, else the lines of every agent."""
        departure.ensure_one()
        path = departure.destination_id.parent_path or ""
        matching = lines.filtered(
            lambda line: line.company_id == departure.company_id
            and line.date_from <= departure.date_start <= line.date_to
            and (not line.tour_type or line.tour_type == departure.tour_type)
            and (
                not line.destination_id
                or path.startswith(line.destination_id.parent_path)
            )
        )
        if not matching:
            return matching

        def specificity(line):
            return (len(line.destination_id.parent_path or ""), bool(line.tour_type))

        best = max(specificity(line) for line in matching)
        matching = matching.filtered(lambda line: specificity(line) == best)
        return matching.filtered(lambda line: not line.user_id) or matching

    @api.model
    def _sputnik_plan_seats(self, departures, today):
        """{departure id: seats the active sales plans still expect on it}."""
        result = dict.fromkeys(departures.ids, 0.0)
        # sudo: the plan lines of every agent count, while an agent reads only
        # their own; only seat totals come out
        lines = (
            self.env["sputnik.sales.plan.line"]
            .sudo()
            .search(
                [
                    ("state", "=", "active"),
                    ("company_id", "in", departures.company_id.ids),
                    ("target_seats", ">", 0),
                    ("date_from", "<=", max(departures.mapped("date_start"))),
                    ("date_to", ">=", min(departures.mapped("date_start"))),
                ]
            )
        )
        if not lines:
            return result
        actuals = lines._get_actuals()
        remaining = {
            line: max(line.target_seats - actuals.get(line.id, {}).get("seats", 0), 0)
            for line in lines
        }
        # every coming departure the lines cover shares their remaining seats
        # (sudo: of the lines' companies, whatever the user's companies; used
        # to share the totals, never returned)
        window = departures | departures.sudo().search(
            [
                ("company_id", "in", lines.company_id.ids),
                ("state", "in", PURCHASE_STATES),
                ("date_start", ">", today),
                ("date_start", ">=", min(lines.mapped("date_from"))),
                ("date_start", "<=", max(lines.mapped("date_to"))),
            ]
        )
        chosen = {
            departure.id: self._sputnik_plan_lines(departure, lines)
            for departure in window
        }
        shares = Counter(line for plan_lines in chosen.values() for line in plan_lines)
        for departure in departures:
            result[departure.id] = sum(
                remaining[line] / shares[line] for line in chosen[departure.id]
            )
        return result

    @api.model
    def _sputnik_sell_through(self, departures, today):
        """{departure id: (rate, basis)}: seats sold / seats bought for the same
        tour in the same month a year before, else over the company's
        departures of the last 12 months, else 1 (at most 1)."""
        # sudo: the history of the tour and company counts whole, whatever the
        # user may read; only rates come out
        departures = departures.sudo()
        month_ago = {
            d.id: (d.date_start - relativedelta(years=1)).replace(day=1)
            for d in departures
        }
        past = departures.search(
            [
                ("tour_id", "in", departures.tour_id.ids),
                ("date_start", ">=", min(month_ago.values())),
                ("date_start", "<", max(month_ago.values()) + relativedelta(months=1)),
                ("state", "!=", "cancelled"),
            ]
        )
        recent = departures.search(
            [
                ("company_id", "in", departures.company_id.ids),
                ("date_start", ">=", today - relativedelta(years=1)),
                ("date_start", "<", today),
                ("state", "!=", "cancelled"),
            ]
        )
        figures = (past | recent)._get_seat_figures()
        by_tour_month = defaultdict(lambda: [0, 0])
        for departure in past:
            key = (departure.tour_id.id, departure.date_start.replace(day=1))
            by_tour_month[key][0] += figures[departure.id]["sold"]
            by_tour_month[key][1] += figures[departure.id]["purchased"]
        by_company = defaultdict(lambda: [0, 0])
        for departure in recent:
            by_company[departure.company_id.id][0] += figures[departure.id]["sold"]
            by_company[departure.company_id.id][1] += figures[departure.id]["purchased"]
        result = {}
        for departure in departures:
            sold, bought = by_tour_month.get(
                (departure.tour_id.id, month_ago[departure.id]), (0, 0)
            )
            if bought:
                result[departure.id] = (min(sold / bought, 1.0), "tour")
                continue
            sold, bought = by_company.get(departure.company_id.id, (0, 0))
            if bought:
                result[departure.id] = (min(sold / bought, 1.0), "company")
            else:
                result[departure.id] = (1.0, "none")
        return result
