import math
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

from .sputnik_departure import DRAFT_PURCHASE_STATES, PURCHASE_STATES


class SputnikPurchasePlanner(models.AbstractModel):
    """How many seats to buy for the coming departures: the seats the active
    sales plans still expect on each, times the sell-through expected of it,
    less what is bought (shown on the departure, see its ``suggested_seats``).

    No purchase is advised for a departure whose allotment release is due
    (within the company's reminder days, or past) while seats are unsold:
    its responsible is told to sell or release them instead."""

    _name = "sputnik.purchase.planner"
    _description = "Purchase Planning of Departures"

    @api.model
    def _sputnik_suggestions(self, departures):
        """{departure id: {sell_through, plan_seats, expected_sell_through,
        basis, suggested, advice, draft}} for the saved departures of
        ``departures``, in a fixed number of queries whatever their number.

        ``sell_through`` (seats sold / seats bought, 0 with none bought) is
        given for every departure; the rest for the coming departures only
        (planned or open, leaving after today):

        - ``plan_seats``: a whole number of seats, the departure's share of
          what the sales plans still expect (see _sputnik_plan_seats);
        - ``expected_sell_through``: the history's rate (see
          _sputnik_sell_through) and, once seats are bought, the departure's
          own sell-through, weighed by the share of its selling time (from
          its creation to its date) elapsed: the history's at its creation,
          nearly its own on the eve of the departure;
        - ``suggested`` = ceil(sold + planned seats × expected rate) -
          purchased, at least 0; 0 with ``advice`` "release" when the
          allotment release is due with unsold seats.
        """
        today = fields.Date.context_today(self)
        departures = departures.filtered("id")
        if not departures:
            return {}
        figures = departures._get_seat_figures()
        result = {
            departure.id: {
                "sell_through": (
                    figures[departure.id]["sold"] / figures[departure.id]["purchased"]
                    if figures[departure.id]["purchased"]
                    else 0.0
                )
            }
            for departure in departures
        }
        # sold as the operator's agent, a departure buys nothing: its
        # sell-through is of the operator's quota, and nothing is suggested
        for departure in departures.filtered(
            lambda d: d.sale_mode == "agent" and d.allotment_seats
        ):
            result[departure.id]["sell_through"] = (
                figures[departure.id]["sold"] / departure.allotment_seats
            )
        coming = departures.filtered(
            lambda d: d.state in PURCHASE_STATES
            and d.date_start > today
            and d.sale_mode != "agent"
        )
        if not coming:
            return result
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
        for departure in coming:
            seats = figures[departure.id]
            rate, basis = sell_through[departure.id]
            if seats["purchased"]:
                # the departure's own sell-through weighs as much as its
                # selling time has elapsed: nothing at its creation, nearly
                # all of it on the eve of the departure
                on_sale = (departure.create_date or fields.Datetime.now()).date()
                span = (departure.date_start - on_sale).days
                elapsed = (
                    min(max((today - on_sale).days / span, 0.0), 1.0)
                    if span > 0
                    else 1.0
                )
                own = result[departure.id]["sell_through"]
                rate = min(rate * (1 - elapsed) + own * elapsed, 1.0)
            unsold = max(departure.allotment_seats, seats["purchased"]) - seats["sold"]
            release_due = departure.release_date and (
                departure.release_date
                <= today + relativedelta(days=departure.company_id.sputnik_release_days)
            )
            if release_due and unsold > 0:
                suggested, advice = 0, "release"
            else:
                demand = seats["sold"] + plan_seats[departure.id] * rate
                suggested = max(math.ceil(round(demand, 6)) - seats["purchased"], 0)
                advice = "buy" if suggested else "enough"
            result[departure.id].update(
                {
                    "plan_seats": plan_seats[departure.id],
                    "expected_sell_through": rate,
                    "basis": basis,
                    "suggested": suggested,
                    "advice": advice,
                    "draft": departure.product_id.id in drafts,
                }
            )
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
        """{departure id: whole seats the active sales plans still expect on it}.

        A plan line's remaining seats (target - seats booked in its period)
        are shared by the coming departures it plans (see _sputnik_plan_lines)
        in proportion to the days each has left before it leaves: a departure
        in 20 days gets a third of the share of one in 60. The shares are
        whole seats that add up to the line's remaining seats (largest
        remainders first)."""
        result = dict.fromkeys(departures.ids, 0)
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
        covered = defaultdict(list)
        for departure in window.sorted(lambda d: (d.date_start, d.id)):
            for line in self._sputnik_plan_lines(departure, lines):
                covered[line].append(departure)
        for line, line_departures in covered.items():
            remaining = max(
                line.target_seats - actuals.get(line.id, {}).get("seats", 0), 0
            )
            weights = [(d.date_start - today).days for d in line_departures]
            total = sum(weights)
            quotas = [remaining * weight / total for weight in weights]
            seats = [math.floor(quota) for quota in quotas]
            # the seats left by the rounding down, to the largest remainders
            # (the earlier departure first on a tie)
            order = sorted(range(len(quotas)), key=lambda i: (seats[i] - quotas[i], i))
            for index in order[: remaining - sum(seats)]:
                seats[index] += 1
            for departure, share in zip(line_departures, seats, strict=True):
                if departure.id in result:
                    result[departure.id] += share
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
