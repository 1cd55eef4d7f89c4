from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_amount, formatLang

from ..models.sputnik_values import parse_date

PERIODS = ("current", "previous", "last_year")


def without_none(value):
    """``value`` with the None of its dicts left out, for XML-RPC, which cannot
    send None (a missing figure is then an absent key: undefined for the
    dashboard's client code, like null)."""
    if isinstance(value, dict):
        return {
            key: without_none(item) for key, item in value.items() if item is not None
        }
    if isinstance(value, list | tuple):
        return type(value)(without_none(item) for item in value)
    return value


def ratio(numerator, denominator, factor=100.0):
    return factor * numerator / denominator if denominator else None


class SputnikKpiDashboard(models.AbstractModel):
    """The indicators of the client base for a period, against the previous
    period of the same length and the same period a year before.

    Each group of indicators is read from its report in ONE query that sums
    the three periods side by side (``SUM(...) FILTER (WHERE date in period)``)
    over the report's rows the user may read: the report's record rules and the
    selected companies apply, so an agent sees their own figures. Ratios are
    computed from the sums, never averaged.
    """

    _name = "sputnik.kpi.dashboard"
    _description = "Client Base KPI Dashboard"

    # === PERIODS === #
    @api.model
    def _periods(self, date_from, date_to):
        date_from = parse_date(self.env, date_from, self.env._("The period's start"))
        date_to = parse_date(self.env, date_to, self.env._("The period's end"))
        if not date_from or not date_to or date_to < date_from:
            raise UserError(
                self.env._("Choose a period whose end is not before its start.")
            )
        if (date_to - date_from).days > 3660:
            raise UserError(self.env._("Choose a period of ten years at most."))
        days = (date_to - date_from).days + 1
        return {
            "current": (date_from, date_to),
            "previous": (
                date_from - timedelta(days=days),
                date_from - timedelta(days=1),
            ),
            "last_year": (
                date_from - relativedelta(years=1),
                date_to - relativedelta(years=1),
            ),
        }

    # === SUMS === #
    @api.model
    def _period_sums(self, model, date_field, measures, periods, domain=None):
        """``{period: {measure: sum}}`` of ``model``'s rows readable by the user
        (its record rules: the selected companies, an agent's own figures) whose
        ``date_field`` falls in each period, in one query."""
        Report = self.env[model]
        field = Report._fields[date_field]
        start = min(period[0] for period in periods.values())
        end = max(period[1] for period in periods.values())
        bounds = {}
        for name, (date_from, date_to) in periods.items():
            if field.type == "datetime":
                date_from = datetime.combine(date_from, time.min)
                date_to = datetime.combine(date_to + timedelta(days=1), time.min)
                bounds[name] = (date_from, date_to, "<")
            else:
                bounds[name] = (date_from, date_to, "<=")
        high = bounds["current"][2]
        upper = (
            datetime.combine(end + timedelta(days=1), time.min)
            if field.type == "datetime"
            else end
        )
        query = Report._search(
            [
                *(domain or []),
                (date_field, ">=", start),
                (date_field, high, upper),
            ]
        )
        date_sql = Report._field_to_sql(Report._table, date_field, query)
        columns = []
        for name in periods:
            date_from, date_to, operator = bounds[name]
            in_period = SQL(
                "%s >= %s AND %s " + operator + " %s",
                date_sql,
                date_from,
                date_sql,
                date_to,
            )
            for measure in measures:
                columns.append(
                    SQL(
                        "COALESCE(SUM(%s) FILTER (WHERE %s), 0)",
                        Report._field_to_sql(Report._table, measure, query),
                        in_period,
                    )
                )
        row = self.env.execute_query(query.select(*columns))[0]
        result, index = {}, 0
        for name in periods:
            result[name] = {}
            for measure in measures:
                result[name][measure] = row[index] or 0.0
                index += 1
        return result

    # === INDICATORS === #
    @api.model
    def _kpi(self, key, label, values, fmt, better, help_text, action=None):
        return {
            "key": key,
            "label": label,
            "values": values,
            "format": fmt,
            "better": better,
            "help": help_text,
            "action": action,
        }

    @api.model
    def _report_action(self, xmlid, date_field, periods, context=None):
        """The report's action on the current period, for the user to drill."""
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        date_from, date_to = periods["current"]
        action["domain"] = [
            (date_field, ">=", fields.Date.to_string(date_from)),
            (date_field, "<=", fields.Date.to_string(date_to)),
        ]
        action["context"] = context or {}
        action["display_name"] = self.env._(
            "%(report)s, %(start)s – %(end)s",
            report=action["name"],
            start=date_from.strftime("%d.%m.%Y"),
            end=date_to.strftime("%d.%m.%Y"),
        )
        action["name"] = action["display_name"]
        return action

    @api.model
    def _by_period(self, sums, compute):
        return {name: compute(sums[name]) for name in PERIODS}

    @api.model
    def _section_sales(self, periods, shared):
        sums = self._period_sums(
            "sputnik.booking.report",
            "date",
            ["revenue", "margin", "booking_count", "seats"],
            periods,
        )
        action = self._report_action(
            "sputnik_crm.sale_report_action_bookings", "date", periods
        )
        _ = self.env._
        return {
            "key": "sales",
            "title": _("Sales"),
            "kpis": [
                self._kpi(
                    "revenue",
                    _("Revenue"),
                    self._by_period(sums, lambda s: s["revenue"]),
                    "amount",
                    "up",
                    _("Untaxed amount of the bookings confirmed, by order date."),
                    action,
                ),
                self._kpi(
                    "margin",
                    _("Margin"),
                    self._by_period(sums, lambda s: s["margin"]),
                    "amount",
                    "up",
                    _("Revenue - the tour operators' net cost of the seats."),
                    action,
                ),
                self._kpi(
                    "margin_ratio",
                    _("Margin Ratio"),
                    self._by_period(sums, lambda s: ratio(s["margin"], s["revenue"])),
                    "percent",
                    "up",
                    _("Commission (margin) ratio = margin / gross sales x 100."),
                    action,
                ),
                self._kpi(
                    "bookings",
                    _("Bookings"),
                    self._by_period(sums, lambda s: s["booking_count"]),
                    "number",
                    "up",
                    _("Confirmed bookings, by order date."),
                    action,
                ),
                self._kpi(
                    "seats",
                    _("Seats Sold"),
                    self._by_period(sums, lambda s: s["seats"]),
                    "number",
                    "up",
                    _("Seats of the confirmed bookings."),
                    action,
                ),
                self._kpi(
                    "avg_booking",
                    _("Average Booking"),
                    self._by_period(
                        sums, lambda s: ratio(s["revenue"], s["booking_count"], 1.0)
                    ),
                    "amount",
                    "up",
                    _("Average booking value = revenue / bookings."),
                    action,
                ),
            ],
        }

    @api.model
    def _section_clients(self, periods, shared):
        Dynamics = self.env["sputnik.client.dynamics.report"]
        user = (
            None
            if self.env.user.has_group("sputnik_crm.group_sputnik_manager")
            else self.env.user
        )
        totals = {name: {} for name in PERIODS}
        for company in self.env.companies:
            figures = Dynamics._sputnik_kpis_periods(
                [periods[name] for name in PERIODS], company, user=user
            )
            for name, kpis in zip(PERIODS, figures, strict=True):
                for key in ("active_start", "active_end", "new", "lost"):
                    totals[name][key] = totals[name].get(key, 0) + kpis[key]
                for key in ("clients", "repeat_clients"):
                    totals[name][key] = totals[name].get(key, 0) + kpis[key]
        shared["clients"] = totals
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sputnik_crm.sputnik_client_dynamics_report_action"
        )
        _ = self.env._
        return {
            "key": "clients",
            "title": _("Client Base"),
            "kpis": [
                self._kpi(
                    "active",
                    _("Active Clients"),
                    self._by_period(totals, lambda s: s["active_end"]),
                    "number",
                    "up",
                    _(
                        "Clients active at the end of the period: a trip returning "
                        "within the dormancy months before it, or booked ahead."
                    ),
                    action,
                ),
                self._kpi(
                    "new",
                    _("New Clients"),
                    self._by_period(totals, lambda s: s["new"]),
                    "number",
                    "up",
                    _("Clients whose first trip was booked in the period."),
                    action,
                ),
                self._kpi(
                    "retention",
                    _("Retention Rate"),
                    self._by_period(
                        totals,
                        lambda s: ratio(s["active_end"] - s["new"], s["active_start"]),
                    ),
                    "percent",
                    "up",
                    _(
                        "(E - N) / S x 100: E active at the end, N new in the period, "
                        "S active at the start."
                    ),
                    action,
                ),
                self._kpi(
                    "churn",
                    _("Churn Rate"),
                    self._by_period(
                        totals, lambda s: ratio(s["lost"], s["active_start"])
                    ),
                    "percent",
                    "down",
                    _("Clients lost in the period / clients active at its start x 100"),
                    action,
                ),
                self._kpi(
                    "repeat",
                    _("Repeat Purchase Rate"),
                    self._by_period(
                        totals, lambda s: ratio(s["repeat_clients"], s["clients"])
                    ),
                    "percent",
                    "up",
                    _("Clients with 2 trips or more / clients with 1 or more x 100"),
                    action,
                ),
                self._kpi(
                    "lost",
                    _("Lost Clients"),
                    self._by_period(totals, lambda s: s["lost"]),
                    "number",
                    "down",
                    _(
                        "Clients who crossed the months after which a client is lost "
                        "during the period."
                    ),
                    action,
                ),
            ],
        }

    @api.model
    def _section_effectiveness(self, periods, shared):
        sums = self._period_sums(
            "sputnik.interaction.report",
            "date",
            [
                "interaction_count",
                "offer_count",
                "offer_booked_count",
                "lead_count",
                "lead_booked_count",
                "responded_count",
                "first_response_hours",
            ],
            periods,
        )
        action = self._report_action(
            "sputnik_crm.sputnik_interaction_report_action", "date", periods
        )
        _ = self.env._
        return {
            "key": "effectiveness",
            "title": _("Sales Effectiveness"),
            "kpis": [
                self._kpi(
                    "interactions",
                    _("Interactions"),
                    self._by_period(sums, lambda s: s["interaction_count"]),
                    "number",
                    "up",
                    _("Contacts with clients logged in the period."),
                    action,
                ),
                self._kpi(
                    "offer_conversion",
                    _("Offer Conversion"),
                    self._by_period(
                        sums, lambda s: ratio(s["offer_booked_count"], s["offer_count"])
                    ),
                    "percent",
                    "up",
                    _(
                        "Offers followed by a confirmed booking of the client within "
                        "30 days / offers x 100."
                    ),
                    action,
                ),
                self._kpi(
                    "requests",
                    _("Requests"),
                    self._by_period(sums, lambda s: s["lead_count"]),
                    "number",
                    "up",
                    _("Opportunities created in the period."),
                    action,
                ),
                self._kpi(
                    "lead_conversion",
                    _("Request Conversion"),
                    self._by_period(
                        sums, lambda s: ratio(s["lead_booked_count"], s["lead_count"])
                    ),
                    "percent",
                    "up",
                    _("Requests that became a confirmed booking / requests x 100."),
                    action,
                ),
                self._kpi(
                    "first_response",
                    _("First Response"),
                    self._by_period(
                        sums,
                        lambda s: ratio(
                            s["first_response_hours"], s["responded_count"], 1.0
                        ),
                    ),
                    "hours",
                    "down",
                    _(
                        "Average hours from a new request to the first outbound "
                        "contact with the client."
                    ),
                    action,
                ),
            ],
        }

    @api.model
    def _section_quality(self, periods, shared):
        sums = self._period_sums(
            "sputnik.quality.report",
            "date",
            [
                "trip_count",
                "complaint_count",
                "resolved_count",
                "resolution_days",
                "compensation_cost",
                "answer_count",
                "satisfied_count",
                "nps_answer_count",
                "promoter_count",
                "detractor_count",
            ],
            periods,
        )
        action = self._report_action(
            "sputnik_crm.sputnik_quality_report_action", "date", periods
        )
        _ = self.env._
        return {
            "key": "quality",
            "title": _("Service Quality"),
            "kpis": [
                self._kpi(
                    "complaint_rate",
                    _("Complaints per 100 Trips"),
                    self._by_period(
                        sums, lambda s: ratio(s["complaint_count"], s["trip_count"])
                    ),
                    "ratio",
                    "down",
                    _("Complaints opened / trips that departed x 100."),
                    action,
                ),
                self._kpi(
                    "resolution",
                    _("Resolution Time"),
                    self._by_period(
                        sums,
                        lambda s: ratio(s["resolution_days"], s["resolved_count"], 1.0),
                    ),
                    "days",
                    "down",
                    _("Average days from the opening of a complaint to its resolution"),
                    action,
                ),
                self._kpi(
                    "compensation",
                    _("Compensation Cost"),
                    self._by_period(sums, lambda s: s["compensation_cost"]),
                    "amount",
                    "down",
                    _("Compensations granted - amounts recovered from the operators."),
                    action,
                ),
                self._kpi(
                    "csat",
                    _("CSAT"),
                    self._by_period(
                        sums, lambda s: ratio(s["satisfied_count"], s["answer_count"])
                    ),
                    "percent",
                    "up",
                    _("Satisfied answers (4-5 of 5) / all answers x 100."),
                    action,
                ),
                self._kpi(
                    "nps",
                    _("NPS"),
                    self._by_period(
                        sums,
                        lambda s: ratio(
                            s["promoter_count"] - s["detractor_count"],
                            s["nps_answer_count"],
                        ),
                    ),
                    "score",
                    "up",
                    _(
                        "Net promoter score = % promoters (9-10) - % detractors "
                        "(0-6) of the survey answers."
                    ),
                    action,
                ),
            ],
        }

    @api.model
    def _section_payments(self, periods, shared):
        sums = self._period_sums(
            "sputnik.payment.report",
            "invoice_date",
            [
                "invoice_count",
                "amount_total",
                "amount_residual",
                "paid_count",
                "paid_on_time",
                "overdue",
                "days_late",
            ],
            periods,
        )
        action = self._report_action(
            "sputnik_crm.sputnik_payment_report_action", "invoice_date", periods
        )
        days = {
            name: (date_to - date_from).days + 1
            for name, (date_from, date_to) in periods.items()
        }
        _ = self.env._
        return {
            "key": "payments",
            "title": _("Payment Discipline"),
            "kpis": [
                self._kpi(
                    "paid_on_time",
                    _("Paid on Time"),
                    self._by_period(
                        sums,
                        lambda s: ratio(
                            s["paid_on_time"], s["paid_count"] + s["overdue"]
                        ),
                    ),
                    "percent",
                    "up",
                    _(
                        "Invoices paid by their due date / invoices paid or past "
                        "due x 100."
                    ),
                    action,
                ),
                self._kpi(
                    "overdue",
                    _("Overdue Share"),
                    self._by_period(
                        sums, lambda s: ratio(s["overdue"], s["invoice_count"])
                    ),
                    "percent",
                    "down",
                    _("Invoices still open after their due date / invoices x 100."),
                    action,
                ),
                self._kpi(
                    "days_late",
                    _("Average Days Late"),
                    self._by_period(
                        sums, lambda s: ratio(s["days_late"], s["invoice_count"], 1.0)
                    ),
                    "days",
                    "down",
                    _(
                        "Average over the invoices of the days between the due date "
                        "and the payment (or today while open), at least 0."
                    ),
                    action,
                ),
                self._kpi(
                    "dso",
                    _("DSO"),
                    {
                        name: ratio(
                            sums[name]["amount_residual"],
                            sums[name]["amount_total"] / days[name],
                            1.0,
                        )
                        if sums[name]["amount_total"]
                        else None
                        for name in PERIODS
                    },
                    "days",
                    "down",
                    _(
                        "Days sales outstanding = receivables / (sales / days in the "
                        "period), on the invoices of the period."
                    ),
                    action,
                ),
            ],
        }

    @api.model
    def _section_campaigns(self, periods, shared):
        sums = self._period_sums(
            "sputnik.campaign.report",
            "date",
            [
                "sent_count",
                "opened_count",
                "booking_count",
                "revenue",
                "margin",
                "cost",
            ],
            periods,
        )
        clients = shared.get("clients")
        action = self._report_action(
            "sputnik_crm.sputnik_campaign_report_action", "date", periods
        )
        _ = self.env._
        return {
            "key": "campaigns",
            "title": _("Campaigns"),
            "kpis": [
                self._kpi(
                    "recipients",
                    _("Recipients"),
                    self._by_period(sums, lambda s: s["sent_count"]),
                    "number",
                    "up",
                    _("Mailings of the campaigns received in the period."),
                    action,
                ),
                self._kpi(
                    "open_rate",
                    _("Open Rate"),
                    self._by_period(
                        sums, lambda s: ratio(s["opened_count"], s["sent_count"])
                    ),
                    "percent",
                    "up",
                    _("Mailings opened / mailings received x 100."),
                    action,
                ),
                self._kpi(
                    "campaign_bookings",
                    _("Campaign Bookings"),
                    self._by_period(sums, lambda s: s["booking_count"]),
                    "number",
                    "up",
                    _("Confirmed bookings carrying a campaign."),
                    action,
                ),
                self._kpi(
                    "campaign_margin",
                    _("Campaign Margin"),
                    self._by_period(sums, lambda s: s["margin"]),
                    "amount",
                    "up",
                    _("Margin of the bookings carrying a campaign."),
                    action,
                ),
                self._kpi(
                    "campaign_cost",
                    _("Campaign Cost"),
                    self._by_period(sums, lambda s: s["cost"]),
                    "amount",
                    "down",
                    _("Actual cost of the campaigns starting in the period."),
                    action,
                ),
                self._kpi(
                    "campaign_roi",
                    _("Campaign ROI"),
                    self._by_period(
                        sums, lambda s: ratio(s["margin"] - s["cost"], s["cost"])
                    ),
                    "percent",
                    "up",
                    _(
                        "(Margin of the bookings carrying a campaign - campaign cost) "
                        "/ campaign cost x 100, over the period."
                    ),
                    action,
                ),
                self._kpi(
                    "cac",
                    _("Acquisition Cost (CAC)"),
                    {
                        name: ratio(sums[name]["cost"], clients[name]["new"], 1.0)
                        if clients
                        else None
                        for name in PERIODS
                    },
                    "amount",
                    "down",
                    _(
                        "Marketing cost of the period (the campaigns' actual cost) / "
                        "new clients of the period."
                    ),
                    action,
                ),
            ],
        }

    @api.model
    def _sections(self):
        """The sections of the dashboard, in order: each a method of periods."""
        return [
            self._section_sales,
            self._section_clients,
            self._section_effectiveness,
            self._section_quality,
            self._section_payments,
            self._section_campaigns,
        ]

    @api.model
    def _check_dashboard_user(self):
        if not self.env.user.has_group("sputnik_crm.group_sputnik_user"):
            raise AccessError(
                self.env._("The dashboard is for the bureau's agents and managers.")
            )

    @api.model
    def get_dashboard(self, date_from, date_to):
        """Every indicator of the period ``date_from`` - ``date_to`` (ISO dates)
        with the previous period and the same period a year before; a figure
        without a value (a ratio of nothing) is left out."""
        return without_none(self._sputnik_dashboard(date_from, date_to))

    @api.model
    def _sputnik_dashboard(self, date_from, date_to):
        """:meth:`get_dashboard`, a figure without a value being None."""
        self._check_dashboard_user()
        periods = self._periods(date_from, date_to)
        self.env["sputnik.report.mixin"]._sputnik_analytic_session()
        shared = {}  # the sections share their totals (new clients for the CAC)
        return {
            "periods": {
                name: [fields.Date.to_string(day) for day in period]
                for name, period in periods.items()
            },
            "currency_id": self.env.company.currency_id.id,
            "sections": [section(periods, shared) for section in self._sections()],
        }

    @api.model
    def action_print(self, date_from, date_to):
        """The PDF "Client base effectiveness report" of the period."""
        self._check_dashboard_user()
        self._periods(date_from, date_to)
        return self.env.ref("sputnik_crm.action_report_sputnik_kpi").report_action(
            None, data={"date_from": date_from, "date_to": date_to}
        )


class ReportSputnikKpi(models.AbstractModel):
    _name = "report.sputnik_crm.report_sputnik_kpi"
    _description = "Client Base Effectiveness Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        context = dict(self.env.context)
        date_from = data.get("date_from") or context.get("sputnik_date_from")
        date_to = data.get("date_to") or context.get("sputnik_date_to")
        if not date_from or not date_to:
            today = fields.Date.context_today(self)
            date_from = today - relativedelta(years=1) + timedelta(days=1)
            date_to = today
        Dashboard = self.env["sputnik.kpi.dashboard"]
        periods = Dashboard._periods(date_from, date_to)
        start, end = periods["current"]
        dashboard = Dashboard._sputnik_dashboard(
            fields.Date.to_string(start), fields.Date.to_string(end)
        )
        domain = [
            ("date", ">=", datetime.combine(start, time.min)),
            ("date", "<", datetime.combine(end + timedelta(days=1), time.min)),
        ]
        Bookings = self.env["sputnik.booking.report"]
        months = Bookings._read_group(
            domain, ["date:month"], ["revenue:sum", "margin:sum", "booking_count:sum"]
        )
        top = max([revenue for _month, revenue, _m, _b in months] or [0]) or 1.0
        destinations = Bookings._read_group(
            domain,
            ["destination_id"],
            ["revenue:sum", "margin:sum", "booking_count:sum", "seats:sum"],
            order="revenue:sum desc",
            limit=10,
        )
        agents = Bookings._read_group(
            domain,
            ["user_id"],
            ["revenue:sum", "margin:sum", "booking_count:sum"],
            order="revenue:sum desc",
            limit=10,
        )
        return {
            "doc_ids": [],
            "doc_model": "sputnik.kpi.dashboard",
            "docs": self.env["sputnik.kpi.dashboard"],
            "company": self.env.company,
            "currency": self.env.company.currency_id,
            "dashboard": dashboard,
            "periods": periods,
            "labels": {
                name: f"{start:%d.%m.%Y} – {end:%d.%m.%Y}"
                for name, (start, end) in periods.items()
            },
            "months": [
                {
                    "label": month.strftime("%m.%Y"),
                    "revenue": revenue,
                    "margin": margin,
                    "bookings": bookings,
                    "width": round(100.0 * revenue / top, 1),
                    "margin_width": round(100.0 * margin / top, 1),
                }
                for month, revenue, margin, bookings in months
            ],
            "destinations": destinations,
            "agents": agents,
            "format_kpi": self._format_kpi,
        }

    @api.model
    def _format_kpi(self, kpi, value):
        if value is None:
            return "-"
        currency = self.env.company.currency_id
        if kpi["format"] == "amount":
            return format_amount(self.env, round(value), currency)
        if kpi["format"] == "percent":
            return f"{formatLang(self.env, value, digits=1)} %"
        if kpi["format"] in ("days", "hours", "ratio"):
            return formatLang(
                self.env, value, digits=1 if kpi["format"] != "ratio" else 2
            )
        return formatLang(self.env, value, digits=0)
