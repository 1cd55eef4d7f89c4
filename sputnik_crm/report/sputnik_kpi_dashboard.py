import io
from collections import defaultdict
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_amount, format_date, formatLang
from odoo.tools.misc import xlsxwriter
from odoo.tools.translate import LazyTranslate

from ..models.sputnik_values import parse_date

_lt = LazyTranslate(__name__)

PERIODS = ("current", "previous", "last_year")
# The periods the current one is compared with: the period just before (by
# default) or the same period a year before.
COMPARISONS = ("previous", "last_year")

# The sections of the dashboard, in order: (key, title, source), the source
# being a report summed over the periods (model, date field, action) or, for
# the client base, the client dynamics' own figures (None).
SECTIONS = (
    (
        "sales",
        _lt("Sales"),
        ("sputnik.booking.report", "date", "sputnik_crm.sale_report_action_bookings"),
    ),
    ("clients", _lt("Client Base"), None),
    (
        "effectiveness",
        _lt("Sales Effectiveness"),
        (
            "sputnik.interaction.report",
            "date",
            "sputnik_crm.sputnik_interaction_report_action",
        ),
    ),
    (
        "quality",
        _lt("Service Quality"),
        ("sputnik.quality.report", "date", "sputnik_crm.sputnik_quality_report_action"),
    ),
    (
        "payments",
        _lt("Payment Discipline"),
        (
            "sputnik.payment.report",
            "invoice_date",
            "sputnik_crm.sputnik_payment_report_action",
        ),
    ),
    (
        "campaigns",
        _lt("Campaigns"),
        (
            "sputnik.campaign.report",
            "date",
            "sputnik_crm.sputnik_campaign_report_action",
        ),
    ),
)

# Figures a section takes from elsewhere than its report's sums: the days of
# each period, the new clients of the client base section.
DERIVED = ("days", "new_clients")

# The indicators, in order: (key, section, label, formula, format, better,
# help). A formula is a measure of the section's sums, a list of measures
# added ("-measure" subtracted), or a ratio (numerator, denominator, factor):
# numerator and denominator a measure or a list, factor a number or a
# measure; the ratio of the sums, never an average of ratios; no value when
# the denominator is 0.
KPIS = (
    ("revenue", "sales", _lt("Revenue"), "revenue", "amount", "up",
     _lt("Untaxed amount of the bookings confirmed, by order date.")),
    ("margin", "sales", _lt("Margin"), "margin", "amount", "up",
     _lt("Revenue - the tour operators' net cost of the seats.")),
    ("margin_ratio", "sales", _lt("Margin Ratio"), ("margin", "revenue", 100.0),
     "percent", "up",
     _lt("Commission (margin) ratio = margin / gross sales x 100.")),
    ("bookings", "sales", _lt("Bookings"), "booking_count", "number", "up",
     _lt("Confirmed bookings, by order date.")),
    ("seats", "sales", _lt("Seats Sold"), "seats", "number", "up",
     _lt("Seats of the confirmed bookings.")),
    ("avg_booking", "sales", _lt("Average Booking"),
     ("revenue", "booking_count", 1.0), "amount", "up",
     _lt("Average booking value = revenue / bookings.")),
    ("commission", "sales", _lt("Agency Commission"), "commission", "amount", "up",
     _lt("Commission of the bookings sold as the tour operators' agent (their "
         "margin, counted in Margin).")),
    ("cancellations", "sales", _lt("Cancellations"), "cancelled_count", "number",
     "down", _lt("Bookings ordered in the period and cancelled since.")),
    ("cancellation_rate", "sales", _lt("Cancellation Rate"),
     ("cancelled_count", ["booking_count", "cancelled_count"], 100.0),
     "percent", "down",
     _lt("Cancellations / (bookings + cancellations) x 100, by order date.")),
    ("penalties", "sales", _lt("Cancellation Penalties"), "penalty", "amount",
     "up", _lt("Penalties of the cancelled bookings, by order date.")),
    ("active", "clients", _lt("Active Clients"), "active_end", "number", "up",
     _lt("Clients active at the end of the period: a trip returning within the "
         "dormancy months before it, or booked ahead.")),
    ("new", "clients", _lt("New Clients"), "new", "number", "up",
     _lt("Clients whose first trip was booked in the period.")),
    ("retention", "clients", _lt("Retention Rate"),
     ("retained", "active_start", 100.0), "percent", "up",
     _lt("(E - N - R) / S x 100: E active at the end, N new in the period, R "
         "reactivated in it, S active at the start; the clients of S still "
         "active at the end.")),
    ("churn", "clients", _lt("Churn Rate"),
     (["active_start", "-retained"], "active_start", 100.0), "percent", "down",
     _lt("Clients active at the start of the period who no longer are at its "
         "end / clients active at its start x 100 (retention + churn = 100).")),
    ("repeat", "clients", _lt("Repeat Purchase Rate"),
     ("repeat_clients", "clients", 100.0), "percent", "up",
     _lt("Clients with 2 trips or more / clients with 1 or more x 100")),
    ("lost", "clients", _lt("Lost Clients"), "lost", "number", "down",
     _lt("Clients who crossed the months after which a client is lost during "
         "the period.")),
    ("interactions", "effectiveness", _lt("Interactions"), "interaction_count",
     "number", "up", _lt("Contacts with clients logged in the period.")),
    ("offer_conversion", "effectiveness", _lt("Offer Conversion"),
     ("offer_booked_count", "offer_count", 100.0), "percent", "up",
     _lt("Offers followed by a confirmed booking of the client within 30 days / "
         "offers x 100.")),
    ("requests", "effectiveness", _lt("Requests"), "lead_count", "number", "up",
     _lt("Opportunities created in the period.")),
    ("lead_conversion", "effectiveness", _lt("Request Conversion"),
     ("lead_booked_count", "lead_count", 100.0), "percent", "up",
     _lt("Requests that became a confirmed booking / requests x 100.")),
    ("first_response", "effectiveness", _lt("First Response"),
     ("first_response_hours", "responded_count", 1.0), "hours", "down",
     _lt("Average hours from a new request to the first outbound contact with "
         "the client.")),
    ("complaint_rate", "quality", _lt("Complaints per 100 Trips"),
     ("complaint_count", "trip_count", 100.0), "ratio", "down",
     _lt("Complaints opened / trips that departed x 100.")),
    ("resolution", "quality", _lt("Resolution Time"),
     ("resolution_days", "resolved_count", 1.0), "days", "down",
     _lt("Average days from the opening of a complaint to its resolution")),
    ("compensation", "quality", _lt("Compensation Cost"), "compensation_cost",
     "amount", "down",
     _lt("Compensations granted - amounts recovered from the operators.")),
    ("csat", "quality", _lt("CSAT"), ("satisfied_count", "answer_count", 100.0),
     "percent", "up", _lt("Satisfied answers (4-5 of 5) / all answers x 100.")),
    ("nps", "quality", _lt("NPS"),
     (["promoter_count", "-detractor_count"], "nps_answer_count", 100.0),
     "score", "up",
     _lt("Net promoter score = % promoters (9-10) - % detractors (0-6) of the "
         "survey answers.")),
    ("paid_on_time", "payments", _lt("Paid on Time"),
     ("paid_on_time", ["paid_count", "overdue"], 100.0), "percent", "up",
     _lt("Invoices paid by their due date / invoices paid or past due x 100.")),
    ("overdue", "payments", _lt("Overdue Share"),
     ("overdue", "invoice_count", 100.0), "percent", "down",
     _lt("Invoices still open after their due date / invoices x 100.")),
    ("days_late", "payments", _lt("Average Days Late"),
     ("days_late", "invoice_count", 1.0), "days", "down",
     _lt("Average over the invoices of the days between the due date and the "
         "payment (or today while open), at least 0.")),
    ("dso", "payments", _lt("DSO"), ("amount_residual", "amount_total", "days"),
     "days", "down",
     _lt("Days sales outstanding = receivables / (sales / days in the period), "
         "on the invoices of the period.")),
    ("recipients", "campaigns", _lt("Recipients"), "sent_count", "number", "up",
     _lt("Mailings of the campaigns received in the period.")),
    ("open_rate", "campaigns", _lt("Open Rate"),
     ("opened_count", "sent_count", 100.0), "percent", "up",
     _lt("Mailings opened / mailings received x 100.")),
    ("campaign_bookings", "campaigns", _lt("Campaign Bookings"), "booking_count",
     "number", "up", _lt("Confirmed bookings carrying a campaign.")),
    ("campaign_margin", "campaigns", _lt("Campaign Margin"), "margin", "amount",
     "up", _lt("Margin of the bookings carrying a campaign.")),
    ("campaign_cost", "campaigns", _lt("Campaign Cost"), "cost", "amount", "down",
     _lt("Actual cost of the campaigns starting in the period.")),
    ("campaign_roi", "campaigns", _lt("Campaign ROI"),
     (["margin", "-cost"], "cost", 100.0), "percent", "up",
     _lt("(Margin of the bookings carrying a campaign - campaign cost) / campaign "
         "cost x 100, over the period.")),
    ("cac", "campaigns", _lt("Acquisition Cost (CAC)"),
     ("cost", "new_clients", 1.0), "amount", "down",
     _lt("Marketing cost of the period (the campaigns' actual cost) / new clients "
         "of the period.")),
)  # fmt: skip


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


def measures_of(formula):
    """The measures a KPI formula reads."""
    if isinstance(formula, str):
        return {formula.lstrip("-")}
    if isinstance(formula, list | tuple):
        return set().union(*(measures_of(part) for part in formula))
    return set()


def evaluate(formula, sums):
    """The value of a KPI formula (see KPIS) on the sums of one period."""
    if isinstance(formula, str):
        sign = -1 if formula.startswith("-") else 1
        return sign * sums[formula.lstrip("-")]
    if isinstance(formula, list):
        return sum(evaluate(part, sums) for part in formula)
    if isinstance(formula, tuple):
        numerator, denominator, factor = (evaluate(part, sums) for part in formula)
        return ratio(numerator, denominator, factor)
    return formula


class SputnikKpiDashboard(models.AbstractModel):
    """The indicators of the client base for a period, against the period just
    before it (:meth:`_previous_period`) and the same period a year before.

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
        return {
            "current": (date_from, date_to),
            "previous": self._previous_period(date_from, date_to),
            "last_year": (
                date_from - relativedelta(years=1),
                self._shift_end(date_to, relativedelta(years=1)),
            ),
        }

    @api.model
    def _shift_end(self, date_to, delta):
        """``date_to`` moved back by ``delta``, the last day of a month staying
        the last day of its month (28 February 2029 a year back is 29 February
        2028)."""
        shifted = date_to - delta
        if (date_to + timedelta(days=1)).day == 1:
            shifted += relativedelta(day=31)
        return shifted

    @api.model
    def _previous_period(self, date_from, date_to):
        """The period just before ``date_from`` - ``date_to``, ending the day
        before it starts: as many whole months when the period is made of
        whole months (March: February; a quarter: the quarter before; a year:
        the year before), else as many days."""
        if date_from.day == 1 and (date_to + timedelta(days=1)).day == 1:
            delta = relativedelta(date_to + timedelta(days=1), date_from)
            start = date_from - delta
        else:
            start = date_from - timedelta(days=(date_to - date_from).days + 1)
        return start, date_from - timedelta(days=1)

    @api.model
    def _period_label(self, period):
        """``(start, end)`` in the user's date format: "01.03.2026 – 31.03.2026"."""
        start, end = period
        return self.env._(
            "%(start)s – %(end)s",
            start=format_date(self.env, start),
            end=format_date(self.env, end),
        )

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
            "%(report)s, %(period)s",
            report=action["name"],
            period=self._period_label((date_from, date_to)),
        )
        action["name"] = action["display_name"]
        return action

    @api.model
    def _client_sums(self, periods):
        """{period: figures of the client base}: the client dynamics' own
        figures of each company (an agent's own clients), added up."""
        Dynamics = self.env["sputnik.client.dynamics.report"]
        user = (
            None
            if self.env.user.has_group("sputnik_crm.group_sputnik_manager")
            else self.env.user
        )
        totals = {name: defaultdict(float) for name in PERIODS}
        for company in self.env.companies:
            figures = Dynamics._sputnik_kpis_periods(
                [periods[name] for name in PERIODS], company, user=user
            )
            for name, kpis in zip(PERIODS, figures, strict=True):
                for key in (
                    "active_start",
                    "active_end",
                    "new",
                    "lost",
                    "clients",
                    "repeat_clients",
                    "retained",
                ):
                    totals[name][key] += kpis[key]
        return totals

    @api.model
    def _section(self, key, title, source, periods, shared):
        """A section of the dashboard: its indicators (KPIS) of each period,
        from one query over its report (or the client dynamics' figures)."""
        kpis = [kpi for kpi in KPIS if kpi[1] == key]
        if source:
            model, date_field, xmlid = source
            measures = set().union(*(measures_of(kpi[3]) for kpi in kpis))
            sums = self._period_sums(
                model, date_field, sorted(measures - set(DERIVED)), periods
            )
            action = self._report_action(xmlid, date_field, periods)
        else:
            sums = self._client_sums(periods)
            # the dynamics are monthly: the months of the period
            month_periods = dict(
                periods,
                current=(periods["current"][0].replace(day=1), periods["current"][1]),
            )
            action = self._report_action(
                "sputnik_crm.sputnik_client_dynamics_report_action",
                "date",
                month_periods,
            )
        for name, (date_from, date_to) in periods.items():
            sums[name]["days"] = (date_to - date_from).days + 1
            sums[name]["new_clients"] = shared.get(name, {}).get("new", 0.0)
        if not source:
            shared.update(sums)
        return {
            "key": key,
            "title": title._translate(self.env.lang or "en_US"),
            "kpis": [
                {
                    "key": kpi_key,
                    "label": label._translate(self.env.lang or "en_US"),
                    "values": {name: evaluate(formula, sums[name]) for name in PERIODS},
                    "format": fmt,
                    "better": better,
                    "help": help_text._translate(self.env.lang or "en_US"),
                    "action": action,
                }
                for kpi_key, _section, label, formula, fmt, better, help_text in kpis
            ],
        }

    @api.model
    def _check_dashboard_user(self):
        if not self.env.user.has_group("sputnik_crm.group_sputnik_user"):
            raise AccessError(
                self.env._("The dashboard is for the bureau's agents and managers.")
            )

    @api.model
    @api.readonly
    def get_dashboard(self, date_from, date_to):
        """Every indicator of the period ``date_from`` - ``date_to`` (ISO dates)
        with the period just before and the same period a year before; a figure
        without a value (a ratio of nothing) is left out."""
        return without_none(self._sputnik_dashboard(date_from, date_to))

    @api.model
    def _sputnik_dashboard(self, date_from, date_to):
        """:meth:`get_dashboard`, a figure without a value being None."""
        self._check_dashboard_user()
        periods = self._periods(date_from, date_to)
        self.env["sputnik.report.mixin"]._sputnik_analytic_session()
        shared = {}  # the client base's figures (new clients for the CAC)
        return {
            "periods": {
                name: [fields.Date.to_string(day) for day in period]
                for name, period in periods.items()
            },
            "currency_id": self.env.company.currency_id.id,
            "sections": [
                self._section(key, title, source, periods, shared)
                for key, title, source in SECTIONS
            ],
        }

    @api.model
    def action_print(self, date_from, date_to):
        """The PDF "Client base effectiveness report" of the period."""
        self._check_dashboard_user()
        self._periods(date_from, date_to)
        return self.env.ref("sputnik_crm.action_report_sputnik_kpi").report_action(
            None, data={"date_from": date_from, "date_to": date_to}
        )

    # === XLSX === #
    @api.model
    def _xlsx_number_formats(self):
        """The Excel number format of each KPI format: amounts in the
        company's currency, rates as percentages (the cell holds the
        fraction: 12.5 % is 0.125)."""
        currency = self.env.company.currency_id
        amount = "#,##0"
        symbol = '"{}"'.format(currency.symbol.replace('"', ""))
        amount = (
            f"{symbol} {amount}"
            if currency.position == "before"
            else f"{amount} {symbol}"
        )
        return {
            "amount": amount,
            "percent": "0.0%",
            "days": "0.0",
            "hours": "0.0",
            "ratio": "0.00",
            "score": "0.0",
            "number": "#,##0",
        }

    @api.model
    def _xlsx_value(self, kpi, value):
        """A figure as its cell holds it: a rate as a fraction."""
        if value is None:
            return None
        return value / 100.0 if kpi["format"] == "percent" else value

    @api.model
    def _sputnik_xlsx(self, date_from, date_to, compare="previous"):
        """The dashboard of the period as an XLSX workbook: ``(file name,
        content)``. One sheet: the period and the period compared with
        (``compare``: the period just before or the same period a year
        before), then every indicator of every section with its value, the
        value of the period compared with, the change (in the indicator's
        unit: points for a rate) and, for amounts and counts, the change in
        percent of the compared value."""
        if compare not in COMPARISONS:
            raise UserError(
                self.env._(
                    "Compare the period with the period just before or with the "
                    "same period a year before."
                )
            )
        dashboard = self._sputnik_dashboard(date_from, date_to)
        periods = self._periods(date_from, date_to)
        compare_titles = {
            "previous": self.env._("Period Just Before"),
            "last_year": self.env._("Same Period a Year Before"),
        }
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        sheet = workbook.add_worksheet(self.env._("KPI Dashboard")[:31])
        bold = workbook.add_format({"bold": True})
        title = workbook.add_format({"bold": True, "font_size": 14})
        header = workbook.add_format(
            {"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"}
        )
        header_number = workbook.add_format(
            {
                "bold": True,
                "bottom": 1,
                "text_wrap": True,
                "valign": "top",
                "align": "right",
            }
        )
        section_format = workbook.add_format({"bold": True, "bg_color": "#E9ECEF"})
        number_formats = {
            key: workbook.add_format({"num_format": num_format})
            for key, num_format in self._xlsx_number_formats().items()
        }
        change_formats = {
            key: workbook.add_format(
                {"num_format": f"+{num_format};-{num_format};{num_format}"}
            )
            for key, num_format in self._xlsx_number_formats().items()
        }
        help_format = workbook.add_format({"font_color": "#6C757D"})

        sheet.write(0, 0, self.env._("Client Base Effectiveness"), title)
        sheet.write(1, 0, self.env._("Company"), bold)
        sheet.write(1, 1, self.env.company.name)
        sheet.write(2, 0, self.env._("Period"), bold)
        sheet.write(2, 1, self._period_label(periods["current"]))
        sheet.write(3, 0, self.env._("Compared with"), bold)
        sheet.write(
            3,
            1,
            self.env._(
                "%(comparison)s: %(period)s",
                comparison=compare_titles[compare],
                period=self._period_label(periods[compare]),
            ),
        )
        columns = (
            (self.env._("Indicator"), header, 32),
            (self.env._("Period"), header_number, 16),
            (compare_titles[compare], header_number, 16),
            (self.env._("Change"), header_number, 14),
            (self.env._("Change (%)"), header_number, 12),
            (self.env._("Formula"), header, 80),
        )
        row = 5
        for col, (label, style, width) in enumerate(columns):
            sheet.write(row, col, label, style)
            sheet.set_column(col, col, width)
        sheet.write(row + 1, 1, self._period_label(periods["current"]), header_number)
        sheet.write(row + 1, 2, self._period_label(periods[compare]), header_number)
        sheet.freeze_panes(row + 2, 1)
        row += 2
        for section in dashboard["sections"]:
            sheet.merge_range(
                row, 0, row, len(columns) - 1, section["title"], section_format
            )
            row += 1
            for kpi in section["kpis"]:
                current = kpi["values"]["current"]
                other = kpi["values"][compare]
                number = number_formats[kpi["format"]]
                sheet.write(row, 0, kpi["label"])
                sheet.write(row, 1, self._xlsx_value(kpi, current), number)
                sheet.write(row, 2, self._xlsx_value(kpi, other), number)
                if current is not None and other is not None:
                    sheet.write(
                        row,
                        3,
                        self._xlsx_value(kpi, current - other),
                        change_formats[kpi["format"]],
                    )
                    if kpi["format"] in ("amount", "number") and other:
                        sheet.write(
                            row,
                            4,
                            (current - other) / abs(other),
                            change_formats["percent"],
                        )
                sheet.write(row, 5, kpi["help"], help_format)
                row += 1
        workbook.close()
        start, end = periods["current"]
        name = self.env._(
            "KPI dashboard %(start)s - %(end)s.xlsx",
            start=fields.Date.to_string(start),
            end=fields.Date.to_string(end),
        )
        return name, output.getvalue()


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
                name: Dashboard._period_label(period)
                for name, period in periods.items()
            },
            "months": [
                {
                    # the month in the user's language: "March 2026"
                    "label": format_date(self.env, month, date_format="LLLL y"),
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
