"""The access policy of the addon, as one table, checked against the server.

``POLICY`` holds, for every model of the addon (report models included), who may
read (and search), create, write and delete its records, and which records each
role sees. The test builds records of two companies, of clients of each company
and of clients shared by all companies, then asks the server each cell: every
role reads and searches, creates, writes and deletes, and gets either the
records the table says or an ``AccessError``. A model of the addon without a row
makes the test fail. The README's Security section states the same policy.
"""

from contextlib import contextmanager

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from .common import buy_seats, confirm, make_booking

# === ROLES === #
# name: (groups, company: "a" or "b")
ROLES = {
    "agent": ("base.group_user,sputnik_crm.group_sputnik_user", "a"),
    "agent2": ("base.group_user,sputnik_crm.group_sputnik_user", "a"),
    "manager": ("base.group_user,sputnik_crm.group_sputnik_manager", "a"),
    "accountant": ("base.group_user,account.group_account_invoice", "a"),
    "salesman": ("base.group_user,sales_team.group_sale_salesman", "a"),
    "portal": ("base.group_portal", "a"),
    "agent_b": ("base.group_user,sputnik_crm.group_sputnik_user", "b"),
    "manager_b": ("base.group_user,sputnik_crm.group_sputnik_manager", "b"),
}
AGENTS = frozenset({"agent", "agent2", "agent_b"})
MANAGERS = frozenset({"manager", "manager_b"})
SPUTNIK = AGENTS | MANAGERS
EMPLOYEES = SPUTNIK | {"accountant", "salesman"}
NOBODY = frozenset()


# === SCOPES: which records a role sees (``rec`` read as superuser) === #
def everything(rec, user):
    return True


def company(rec, user):
    """Records of the user's companies."""
    return rec.company_id in user.company_ids


def company_or_shared(rec, user):
    """Records of the user's companies and those of no company (shared)."""
    return not rec.company_id or rec.company_id in user.company_ids


def both_clients(other):
    """Records of two clients: both of the user's companies or shared."""

    def scope(rec, user):
        return company_or_shared(rec, user) and (
            not rec[other] or rec[other] in user.company_ids
        )

    scope.__name__ = f"both_clients({other})"
    return scope


def _theirs(partner, user):
    """A client of the agent's, or of no agent."""
    return partner.user_id in (user, user.browse())


def client_company(rec, user):
    """Records of the user's companies, of a client of theirs or shared."""
    return company_or_shared(rec, user) and company_or_shared(rec.partner_id, user)


def agent_clients(rec, user):
    """Interactions, complaints: the agent's own and those of their clients."""
    return client_company(rec, user) and (
        rec.user_id == user or _theirs(rec.partner_id, user)
    )


def agent_rows(rec, user):
    """Report rows of the agent's clients, or of no agent."""
    return company(rec, user) and rec.user_id in (user, user.browse())


def agent_rows_or_shared(rec, user):
    return company_or_shared(rec, user) and rec.user_id in (user, user.browse())


def agent_own(rec, user):
    """Report rows (and plan lines) of the agent's own work."""
    return company(rec, user) and rec.user_id == user


def timeline_agent(rec, user):
    return company_or_shared(rec, user) and (
        rec.kind not in ("interaction", "complaint")
        or rec.user_id == user
        or _theirs(rec.partner_id, user)
    )


def quality_agent(rec, user):
    return company(rec, user) and (
        rec.user_id in (user, user.browse()) or rec.responsible_id == user
    )


def interaction_report_agent(rec, user):
    return company_or_shared(rec, user) and (
        rec.user_id == user or rec.client_user_id in (user, user.browse())
    )


def plan_agent(rec, user):
    return company(rec, user) and user in rec.line_ids.user_id


def compensated(rec, user):
    """Complaints for the accountants: those with a compensation entry."""
    return client_company(rec, user) and bool(
        rec.compensation_move_id or rec.recovered_move_id
    )


def own_wizard(rec, user):
    """Wizards: each user sees their own, on a booking of their company."""
    return rec.create_uid == user and rec.order_id.company_id in user.company_ids


def own_statement(rec, user):
    """Client statements: each user sees their own, in their companies."""
    return rec.create_uid == user and rec.company_id in user.company_ids


def own_erasure(rec, user):
    """Erasure wizards: each manager sees their own, on a client they see."""
    return rec.create_uid == user and company_or_shared(rec.partner_id, user)


# === THE POLICY === #
# model: {"read": ((roles, scope), ...) (the first pair naming a role gives its
#                   scope; a role named by none gets an AccessError on read
#                   and search),
#         "create" / "write" / "unlink": roles allowed (others: AccessError),
#         on the records they see; "personal": the records follow their client's
#         company, which no user of another company may create}
POLICY = {
    # --- client data --- #
    "sputnik.travel.document": {
        "read": ((SPUTNIK, company_or_shared),),
        "create": SPUTNIK,
        "write": SPUTNIK,
        "unlink": MANAGERS,
        "personal": True,
    },
    "sputnik.client.relation": {
        "read": ((SPUTNIK, both_clients("related_company_id")),),
        "create": SPUTNIK,
        "write": SPUTNIK,
        "unlink": SPUTNIK,
        "personal": True,
    },
    "sputnik.client.preference": {
        "read": ((SPUTNIK, company_or_shared),),
        "create": SPUTNIK,
        "write": SPUTNIK,
        "unlink": MANAGERS,
        "personal": True,
    },
    "sputnik.client.class.override": {
        "read": ((SPUTNIK, company_or_shared),),
        "create": MANAGERS,
        "write": MANAGERS,
        "unlink": NOBODY,
        "personal": True,
    },
    "sputnik.client.class.history": {
        "read": ((SPUTNIK, company_or_shared),),
        "create": NOBODY,
        "write": NOBODY,
        "unlink": NOBODY,
        "refusal": UserError,  # written by the system only: refused to all
    },
    "sputnik.client.duplicate": {
        "read": ((SPUTNIK, both_clients("other_company_id")),),
        "create": NOBODY,
        "write": NOBODY,
        "unlink": NOBODY,
    },
    "sputnik.classification.run": {
        "read": ((MANAGERS, company),),
        "create": NOBODY,
        "write": NOBODY,
        "unlink": NOBODY,
    },
    "sputnik.interaction": {
        "read": ((MANAGERS, client_company), (AGENTS, agent_clients)),
        "create": SPUTNIK,
        "write": SPUTNIK,
        "unlink": MANAGERS,
    },
    "sputnik.complaint": {
        "read": (
            (MANAGERS, client_company),
            (AGENTS, agent_clients),
            ({"accountant"}, compensated),
        ),
        "create": SPUTNIK,
        "write": SPUTNIK,
        "unlink": MANAGERS,
    },
    "sputnik.care.event": {
        "read": ((MANAGERS, company_or_shared),),
        "create": NOBODY,
        "write": NOBODY,
        "unlink": NOBODY,
    },
    "sputnik.segment": {
        "read": ((SPUTNIK, company_or_shared),),
        "create": MANAGERS,
        "write": MANAGERS,
        "unlink": MANAGERS,
    },
    "sputnik.privacy.log": {
        "read": ((MANAGERS, company),),
        "create": NOBODY,
        "write": NOBODY,
        "unlink": NOBODY,
    },
    "sputnik.client.erase": {
        "read": ((MANAGERS, own_erasure),),
        "create": MANAGERS,
        "write": MANAGERS,
        "unlink": NOBODY,
        "personal": True,
    },
    "sputnik.passport.override": {
        "read": ((MANAGERS, own_wizard),),
        "create": MANAGERS,
        "write": MANAGERS,
        "unlink": NOBODY,
        "personal": True,
    },
    "sputnik.client.statement": {
        "read": ((SPUTNIK | {"accountant"}, own_statement),),
        "create": SPUTNIK | {"accountant"},
        "write": SPUTNIK | {"accountant"},
        "unlink": NOBODY,
    },
    # --- the bureau's catalogue and planning --- #
    "sputnik.destination": {
        "read": ((EMPLOYEES, everything),),
        "create": MANAGERS,
        "write": MANAGERS,
        "unlink": MANAGERS,
    },
    "sputnik.departure": {
        "read": ((EMPLOYEES, company_or_shared),),
        "create": SPUTNIK,
        "write": SPUTNIK,
        "unlink": MANAGERS,
    },
    "sputnik.penalty.rule": {
        "read": ((EMPLOYEES, company_or_shared),),
        "create": MANAGERS,
        "write": MANAGERS,
        "unlink": MANAGERS,
    },
    "sputnik.waitlist": {
        "read": ((SPUTNIK, client_company),),
        "create": SPUTNIK,
        "write": SPUTNIK,
        "unlink": MANAGERS,
    },
    "sputnik.loyalty.tier": {
        "read": ((SPUTNIK | {"salesman"}, everything),),
        "create": MANAGERS,
        "write": MANAGERS,
        "unlink": MANAGERS,
    },
    "sputnik.sales.plan": {
        "read": ((MANAGERS, company), (AGENTS, plan_agent)),
        "create": MANAGERS,
        "write": MANAGERS,
        "unlink": MANAGERS,
    },
    "sputnik.sales.plan.line": {
        "read": ((MANAGERS, company), (AGENTS, agent_own)),
        "create": MANAGERS,
        "write": MANAGERS,
        "unlink": MANAGERS,
    },
    "sputnik.purchase.plan": {
        "read": ((SPUTNIK, company),),
        "create": MANAGERS,
        "write": MANAGERS,
        "unlink": MANAGERS,
    },
    "sputnik.purchase.plan.line": {
        "read": ((SPUTNIK, company),),
        "create": MANAGERS,
        "write": MANAGERS,
        "unlink": MANAGERS,
    },
    # --- reports: read only --- #
    "sputnik.client.settlement": {
        "read": ((SPUTNIK | {"accountant"}, company_or_shared),),
    },
    "sputnik.operator.settlement": {
        "read": ((MANAGERS | {"accountant"}, company),),
    },
    "sputnik.client.timeline": {
        "read": ((MANAGERS, company_or_shared), (AGENTS, timeline_agent)),
    },
    "sputnik.trip": {
        "read": ((SPUTNIK, company),),
    },
    "sputnik.client.dynamics.report": {
        "read": ((MANAGERS, company), (AGENTS, agent_rows)),
    },
    "sputnik.cohort.report": {
        "read": ((MANAGERS, company), (AGENTS, agent_rows)),
    },
    "sputnik.quality.report": {
        "read": ((MANAGERS, company), (AGENTS, quality_agent)),
    },
    "sputnik.interaction.report": {
        "read": ((MANAGERS, company_or_shared), (AGENTS, interaction_report_agent)),
    },
    "sputnik.booking.report": {
        "read": ((MANAGERS, company), (AGENTS, agent_own)),
    },
    "sputnik.payment.report": {
        "read": ((MANAGERS, company), (AGENTS, agent_own)),
    },
    "sputnik.agent.report": {
        "read": ((MANAGERS, company), (AGENTS, agent_own)),
    },
    "sputnik.campaign.report": {
        "read": ((MANAGERS, company), (AGENTS, agent_own)),
    },
    "sputnik.value.report": {
        "read": ((MANAGERS, company_or_shared), (AGENTS, agent_rows_or_shared)),
    },
    "sputnik.sales.plan.report": {
        "read": ((MANAGERS, company), (AGENTS, agent_own)),
    },
    "sputnik.purchase.plan.report": {
        "read": ((SPUTNIK, company),),
    },
}
OPERATIONS = ("read", "search", "create", "write", "unlink")
# Reports whose rows of the matrix's companies need documents it does not make
# (invoices, payments, campaigns, surveys, months of history): their rows are
# those of the demo data's company, which no role of the matrix may see.
ONE_COMPANY_REPORTS = {"sputnik.cohort.report", "sputnik.campaign.report"}
# The public methods of the addon are another table, of the same shape:
#   METHODS = {(model, method): roles allowed (others: AccessError)}
# checked with the same fixtures, roles and savepoints (``_attempt``).
# Models without records of their own (services, mixins) have methods only.
WITHOUT_RECORDS = {
    "sputnik.classification",
    "sputnik.demo",
    "sputnik.kpi.dashboard",
    "sputnik.report.mixin",
    "sputnik.report.queue",
    "sputnik.plan.report.mixin",
    "report.sputnik_crm.report_sputnik_kpi",
    "sputnik.system.fields.mixin",
    "sputnik.values.mixin",
    "sputnik.seat.engine",
    "sputnik.purchase.planner",
    "sputnik.plan.mixin",
    "sputnik.booking.invoicing",
    "sputnik.operator.billing",
    "sputnik.privacy.export",
    "sputnik.privacy.erasure",
    "report.sputnik_crm.report_booking_contract",
    "report.sputnik_crm.report_booking_voucher",
    "report.sputnik_crm.report_booking_payment_schedule",
    "report.sputnik_crm.report_departure_manifest",
    "report.sputnik_crm.report_client_statement",
    "report.sputnik_crm.report_operator_statement",
}
# What a role writes to check a write cell (a harmless change).
WRITE_VALUES = {
    "sputnik.travel.document": {"issue_date": "2020-01-02"},
    "sputnik.client.relation": {"note": "Checked by the access matrix"},
    "sputnik.client.preference": {"date_from": "2020-01-02"},
    "sputnik.client.class.override": {"reason": "Checked by the access matrix"},
    "sputnik.interaction": {"name": "Checked by the access matrix"},
    "sputnik.complaint": {"subject": "Checked by the access matrix"},
    "sputnik.segment": {"description": "Checked by the access matrix"},
    "sputnik.passport.override": {"reason": "Checked by the access matrix"},
    "sputnik.client.erase": {"confirm": True},
    "sputnik.client.statement": {"date_from": "2020-01-02"},
    "sputnik.destination": {"level": "region"},
    "sputnik.departure": {"allotment_seats": 12},
    "sputnik.penalty.rule": {"percent": 7.0},
    "sputnik.waitlist": {"note": "Checked by the access matrix"},
    "sputnik.loyalty.tier": {"color": 3},
    "sputnik.sales.plan": {"name": "Checked by the access matrix"},
    "sputnik.sales.plan.line": {"target_bookings": 3},
    "sputnik.purchase.plan": {"name": "Checked by the access matrix"},
    "sputnik.purchase.plan.line": {"planned_seats": 3},
}


class _Outcome(Exception):
    def __init__(self, error):
        super().__init__(error)
        self.error = error


@tagged("post_install", "-at_install")
class TestSecurityMatrix(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(
            context=dict(cls.env.context, tracking_disable=True, active_test=False)
        )
        env = cls.env
        cls.company_a = env.company
        cls.company_b = env["res.company"].create(
            {
                "name": "Sputnik Second Bureau",
                "currency_id": cls.company_a.currency_id.id,
            }
        )
        # the books of company A, for the bookings' deposit invoices
        env["account.chart.template"].try_loading(
            cls.company_a.chart_template, company=cls.company_b, install_demo=False
        )
        companies = {"a": cls.company_a, "b": cls.company_b}
        cls.users = {}
        for role, (groups, side) in ROLES.items():
            cls.users[role] = new_test_user(
                env,
                login=f"matrix_{role}",
                name=f"Matrix {role}",
                groups=groups,
                company_id=companies[side].id,
                company_ids=[Command.set(companies[side].ids)],
            )
        cls._make_records()

    # === FIXTURES === #
    @classmethod
    def _client(cls, name, company, user=None, **vals):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "company_id": company.id if company else False,
                "user_id": user.id if user else False,
                "customer_rank": 1,
                **vals,
            }
        )

    @classmethod
    def _make_records(cls):
        env, a, b, users = cls.env, cls.company_a, cls.company_b, cls.users
        today = fields.Date.context_today(env["sputnik.departure"])
        # clients: of company A (two agents), of company B, shared by all
        cls.clients = clients = {
            "a": cls._client("Matrix Client A", a, users["agent"]),
            "a2": cls._client("Matrix Client A2", a, users["agent2"]),
            "b": cls._client("Matrix Client B", b, users["agent_b"]),
            "b2": cls._client("Matrix Client B2", b, users["agent_b"]),
            "shared": cls._client("Matrix Client Shared", False),
            "shared2": cls._client("Matrix Client Shared 2", False, users["agent2"]),
        }
        cls.home_client = {"a": clients["a"], "b": clients["b"]}
        cls.companion = cls._client("Matrix Companion", False)
        for key, client in clients.items():
            env["sputnik.travel.document"].create(
                {
                    "partner_id": client.id,
                    "document_type": "foreign_passport",
                    "number": f"MX{client.id:07d}",
                    "country_id": env.ref("base.ua").id,
                    "expiry_date": today + relativedelta(years=3),
                }
            )
            env["sputnik.client.preference"].create(
                {"partner_id": client.id, "kind": "season", "season": "summer"}
            )
            env["sputnik.client.class.override"].create(
                {
                    "partner_id": client.id,
                    "dimension": "abc",
                    "abc": "a",
                    "reason": f"Matrix {key}",
                }
            )
        history = env["sputnik.client.class.history"].sudo()
        history.create(
            [
                {
                    "partner_id": client.id,
                    "date": fields.Datetime.now(),
                    "source": "manual",
                    "abc_new": "a",
                    "abc_changed": True,
                }
                for client in clients.values()
            ]
        )
        pairs = [
            ("a", "a2"),
            ("b", "b2"),
            ("shared", "shared2"),
            ("a", "shared"),
            ("a", "b"),
            ("b", "shared2"),
        ]
        env["sputnik.client.relation"].create(
            [
                {
                    "partner_id": clients[one].id,
                    "related_partner_id": clients[other].id,
                    "relation": "friend",
                }
                for one, other in pairs
            ]
        )
        # probable duplicates: pairs sharing an e-mail address
        for index, (one, other) in enumerate(pairs):
            email = f"matrix.duplicate.{index}@example.com"
            for key in (one, other):
                cls._client(
                    f"Matrix Duplicate {index} {key}",
                    clients[key].company_id,
                    email=email,
                )
        env["sputnik.classification.run"].create(
            [
                {
                    "date": fields.Datetime.now(),
                    "source": "manual",
                    "company_id": company.id,
                    "user_id": manager.id,
                }
                for company, manager in ((a, users["manager"]), (b, users["manager_b"]))
            ]
        )
        env["sputnik.segment"].create(
            [
                {"name": f"Matrix Segment {key}", "company_id": company.id}
                for key, company in (("a", a), ("b", b))
            ]
            + [{"name": "Matrix Segment Shared", "company_id": False}]
        )
        # catalogue: a destination, a tier, a tour and a departure per company
        destination = env["sputnik.destination"].create(
            {"name": "Matrix Destination", "country_id": env.ref("base.tr").id}
        )
        env["sputnik.loyalty.tier"].create({"name": "Matrix Tier", "sequence": 99})
        operator = cls._client("Matrix Operator", False, supplier_rank=1)
        cls.tour = env["product.template"].create(
            {
                "name": "Matrix Tour",
                "sputnik_is_tour": True,
                "sputnik_tour_type": "beach",
                "sputnik_destination_id": destination.id,
                "sputnik_nights": 7,
                "sputnik_operator_id": operator.id,
                "list_price": 30000.0,
                "taxes_id": [Command.clear()],
                "supplier_taxes_id": [Command.clear()],
            }
        )
        # its twin sold as the operator's agent (the operator settlement's)
        cls.agency_tour = cls.tour.copy(
            {"name": "Matrix Agency Tour", "sputnik_sale_mode": "agent"}
        )
        # a penalty schedule of the operator in each company, and a shared one
        env["sputnik.penalty.rule"].create(
            [
                {
                    "operator_id": operator.id,
                    "company_id": company.id,
                    "days_to": 10,
                    "percent": 10,
                }
                for company in (a, b, env["res.company"])
            ]
        )
        # the last destination made: one without tours, that a manager may delete
        env["sputnik.destination"].create({"name": "Matrix Spare Destination"})
        cls.departures = {}
        cls.orders = {}
        for index, (side, company) in enumerate((("a", a), ("b", b))):
            cenv = env(context=dict(env.context, allowed_company_ids=company.ids))
            departure = cls.departures[side] = cenv["sputnik.departure"].create(
                {
                    "tour_id": cls.tour.id,
                    "company_id": company.id,
                    "date_start": today + relativedelta(days=60 + index),
                    "date_end": today + relativedelta(days=67 + index),
                    "allotment_seats": 10,
                }
            )
            agent = users["agent" if side == "a" else "agent_b"]
            manager = users["manager" if side == "a" else "manager_b"]
            client = cls.home_client[side]
            cenv["sputnik.waitlist"].create(
                [
                    {"departure_id": departure.id, "partner_id": partner.id}
                    for partner in (
                        client,
                        clients["shared"],
                        clients["b2" if side == "a" else "a2"],
                    )
                ]
            )
            buy_seats(cenv, departure, 4)
            order = cls.orders[side] = make_booking(cenv, departure, client)
            order.user_id = agent
            confirm(order)
            agency = cenv["sputnik.departure"].create(
                {
                    "tour_id": cls.agency_tour.id,
                    "company_id": company.id,
                    "date_start": today + relativedelta(days=70 + index),
                    "date_end": today + relativedelta(days=77 + index),
                    "allotment_seats": 4,
                }
            )
            agency_order = make_booking(cenv, agency, client)
            agency_order.user_id = agent
            confirm(agency_order)
            # interactions and complaints: the agent's client's, another
            # agent's client's, a shared client's
            others = (
                [
                    (users["agent2"], clients["a2"]),
                    (users["agent2"], clients["shared"]),
                    # recorded in company A on a client of company B
                    (users["agent2"], clients["b2"]),
                ]
                if side == "a"
                else [(agent, clients["b2"])]
            )
            for user, partner in [(agent, client), *others]:
                cenv["sputnik.interaction"].create(
                    {
                        "name": f"Matrix call {partner.name}",
                        "partner_id": partner.id,
                        "user_id": user.id,
                        "company_id": company.id,
                    }
                )
                if partner.company_id not in (company, company.browse()):
                    # a complaint checks its client's company when recorded
                    continue
                cenv["sputnik.complaint"].create(
                    {
                        "subject": f"Matrix complaint {partner.name}",
                        "partner_id": partner.id,
                        "user_id": user.id,
                        "company_id": company.id,
                    }
                )
            plan = cenv["sputnik.sales.plan"].create(
                {
                    "name": f"Matrix Plan {side}",
                    "company_id": company.id,
                    "line_ids": [
                        Command.create({"user_id": agent.id, "target_bookings": 2}),
                    ],
                }
            )
            if side == "a":
                cenv["sputnik.sales.plan"].create(
                    {
                        "name": "Matrix Plan of the second agent",
                        "company_id": company.id,
                        "line_ids": [
                            Command.create(
                                {"user_id": users["agent2"].id, "target_bookings": 1}
                            )
                        ],
                    }
                )
            plan.action_activate()
            cenv["sputnik.purchase.plan"].create(
                {
                    "name": f"Matrix Purchase Plan {side}",
                    "company_id": company.id,
                    "line_ids": [
                        Command.create(
                            {
                                "operator_id": cls.tour.sputnik_operator_id.id,
                                "planned_seats": 4,
                            }
                        )
                    ],
                }
            )
            env["sputnik.care.event"].create(
                {
                    "key": f"matrix-{side}",
                    "occasion": env["sputnik.care.event"]
                    ._fields["occasion"]
                    .get_values(env)[0],
                    "channel": env["sputnik.care.event"]
                    ._fields["channel"]
                    .get_values(env)[0],
                    "partner_id": client.id,
                    "company_id": company.id,
                }
            )
            env(user=manager)["sputnik.passport.override"].create(
                {"order_id": order.id, "reason": f"Matrix {side}"}
            )
            # the last departure made: one without seats, that a manager may delete
            cenv["sputnik.departure"].create(
                {
                    "tour_id": cls.tour.id,
                    "company_id": company.id,
                    "date_start": today + relativedelta(days=90 + index),
                    "date_end": today + relativedelta(days=97 + index),
                }
            )
        env["sputnik.care.event"].create(
            {
                "key": "matrix-shared",
                "occasion": env["sputnik.care.event"]
                ._fields["occasion"]
                .get_values(env)[0],
                "channel": env["sputnik.care.event"]
                ._fields["channel"]
                .get_values(env)[0],
                "partner_id": clients["shared"].id,
                "company_id": False,
            }
        )
        # each company's manager reads the passports of their client and of a
        # shared one (logged), and opens the erasure of their client
        for side in ("a", "b"):
            manager = env(user=users["manager" if side == "a" else "manager_b"])
            manager["sputnik.privacy.log"]._sputnik_log_access(
                "document", cls.home_client[side] | clients["shared"]
            )
            manager["sputnik.client.erase"].create(
                {"partner_id": cls.home_client[side].id}
            )
            manager["sputnik.client.statement"].create(
                {
                    "partner_id": cls.home_client[side].id,
                    "company_id": cls.home_client[side].company_id.id,
                }
            )
        env["sputnik.report.mixin"]._sputnik_refresh()
        env.flush_all()

    def _create_values(self, model, side):
        """Values of a record of ``model`` for the client of company ``side``."""
        client = self.home_client[side]
        company = client.company_id
        return {
            "sputnik.travel.document": {
                "partner_id": client.id,
                "document_type": "visa",
                "number": f"MXV{client.id}",
            },
            "sputnik.client.relation": {
                "partner_id": client.id,
                "related_partner_id": self.companion.id,
                "relation": "companion",
            },
            "sputnik.client.preference": {
                "partner_id": client.id,
                "kind": "season",
                "season": "winter",
            },
            "sputnik.client.class.override": {
                "partner_id": client.id,
                "dimension": "xyz",
                "xyz": "x",
                "reason": "Matrix",
            },
            "sputnik.interaction": {
                "name": "Matrix new call",
                "partner_id": client.id,
                "company_id": company.id,
            },
            "sputnik.complaint": {
                "subject": "Matrix new complaint",
                "partner_id": client.id,
                "company_id": company.id,
            },
            "sputnik.segment": {"name": "Matrix new segment", "company_id": company.id},
            "sputnik.passport.override": {
                "order_id": self.orders[side].id,
                "reason": "Matrix new",
            },
            "sputnik.client.erase": {"partner_id": client.id},
            "sputnik.client.statement": {
                "partner_id": client.id,
                "company_id": company.id,
            },
            "sputnik.destination": {"name": "Matrix new destination"},
            "sputnik.departure": {
                "tour_id": self.tour.id,
                "company_id": company.id,
                "date_start": "2099-03-01",
                "date_end": "2099-03-08",
            },
            "sputnik.penalty.rule": {
                "operator_id": self.tour.sputnik_operator_id.id,
                "company_id": company.id,
                "days_from": 100,
                "days_to": 200,
                "percent": 5,
            },
            "sputnik.waitlist": {
                "departure_id": self.departures[side].id,
                "partner_id": client.id,
            },
            "sputnik.loyalty.tier": {"name": "Matrix new tier", "sequence": 100},
            "sputnik.sales.plan": {"name": "Matrix new plan", "company_id": company.id},
            "sputnik.sales.plan.line": {
                "plan_id": self.env["sputnik.sales.plan"]
                .search([("company_id", "=", company.id)], limit=1)
                .id,
                "target_bookings": 1,
            },
            "sputnik.purchase.plan": {
                "name": "Matrix new purchase plan",
                "company_id": company.id,
            },
            "sputnik.purchase.plan.line": {
                "plan_id": self.env["sputnik.purchase.plan"]
                .search([("company_id", "=", company.id)], limit=1)
                .id,
                "operator_id": self.tour.sputnik_operator_id.id,
                "planned_seats": 1,
            },
        }.get(model, {})

    # === HELPERS === #
    def _env(self, role):
        user = self.users[role]
        context = {
            key: value
            for key, value in self.env.context.items()
            if key != "allowed_company_ids"
        }
        return self.env(user=user, context=context)

    def _attempt(self, function):
        """Run ``function`` in a savepoint rolled back afterwards: the exception
        it raised, or None."""
        try:
            with self.env.cr.savepoint():
                try:
                    function()
                    self.env.flush_all()
                except Exception as error:  # noqa: BLE001 - reported to the caller
                    raise _Outcome(error) from error
                raise _Outcome(None)
        except _Outcome as outcome:
            return outcome.error

    def _universe(self, model):
        """The records to check: those of the matrix's companies and of none,
        and a few of the demo data's company (that no role sees). A role's own
        search is over every record: one it should not see is a difference."""
        records = self.env[model]
        if "company_id" not in records:
            return records.search([])
        companies = [self.company_a.id, self.company_b.id, False]
        return records.search([("company_id", "in", companies)]) | records.search(
            [("company_id", "not in", companies)], limit=5
        )

    def _scope(self, model, role):
        for roles, scope in POLICY[model]["read"]:
            if role in roles:
                return scope
        return None

    @contextmanager
    def _cell(self, model, role, operation):
        with self.subTest(model=model, role=role, operation=operation):
            yield

    def _assert_allowed(self, error, allowed, what, refusal=AccessError):
        if allowed:
            self.assertIsNone(error, f"{what}: refused ({error!r}) but allowed")
        else:
            self.assertIsInstance(error, refusal, f"{what}: not refused")

    # === TESTS === #
    def test_every_model_has_a_row(self):
        """A model of the addon without its row in the policy fails here."""
        addon_models = {
            name
            for name, model in self.env.registry.items()
            if model._original_module == "sputnik_crm"
        }
        declared = set(
            self.env["ir.model"]
            .browse(
                self.env["ir.model.data"]
                .search([("module", "=", "sputnik_crm"), ("model", "=", "ir.model")])
                .mapped("res_id")
            )
            .filtered(lambda m: m.model in addon_models)
            .mapped("model")
        )
        self.assertEqual(declared, addon_models)
        self.assertEqual(set(POLICY) | WITHOUT_RECORDS, addon_models)
        for name in WITHOUT_RECORDS:
            self.assertTrue(self.env[name]._abstract, f"{name} holds records")
        for name, row in POLICY.items():
            self.assertFalse(self.env[name]._abstract, name)
            self.assertLessEqual(set(row), {*OPERATIONS, "personal", "refusal"}, name)

    def test_fixtures_cover_both_companies(self):
        """The matrix reads records of both companies (and of no company where
        the model has some), except the reports named in ONE_COMPANY_REPORTS."""
        missing = []
        for model in POLICY:
            records = self.env[model].search([])
            self.assertTrue(records, f"no {model} to check")
            if "company_id" not in records or model in ONE_COMPANY_REPORTS:
                continue
            companies = set(records.company_id)
            if not {self.company_a, self.company_b} <= companies:
                missing.append(model)
        self.assertEqual(missing, [])

    def test_read_and_search(self):
        for model in POLICY:
            everything_ = self._universe(model)
            for role in ROLES:
                user = self.users[role]
                scope = self._scope(model, role)
                records = self._env(role)[model]
                with self._cell(model, role, "search"):
                    if scope is None:
                        with self.assertRaises(AccessError):
                            records.search([])
                        continue
                    expected = everything_.filtered(
                        lambda rec, s=scope, u=user: s(rec, u)
                    )
                    self.assertEqual(
                        set(records.search([]).ids),
                        set(expected.ids),
                        f"{model} as {role}: {scope.__name__}",
                    )
                with self._cell(model, role, "read"):
                    if scope is None:
                        with self.assertRaises(AccessError):
                            records.browse(everything_[:1].ids).read(["display_name"])
                        continue
                    # every field of what the role sees (a few records)
                    sample = expected.sorted("id", reverse=True)[:3]
                    records.browse(sample.ids).read()
                    hidden = everything_ - expected
                    if hidden:
                        with self.assertRaises(AccessError):
                            records.browse(hidden[:1].ids).read(["display_name"])

    def test_create(self):
        for model, row in POLICY.items():
            allowed = row.get("create", NOBODY)
            for role in ROLES:
                side = ROLES[role][1]
                records = self._env(role)[model]
                with self._cell(model, role, "create"):
                    values = self._create_values(model, side)
                    error = self._attempt(lambda r=records, v=values: r.create(v))
                    self._assert_allowed(
                        error,
                        role in allowed,
                        f"{model} as {role}",
                        row.get("refusal", AccessError),
                    )
                if row.get("personal") and role in allowed:
                    other = "b" if side == "a" else "a"
                    with self._cell(model, role, "create for the other company"):
                        values = self._create_values(model, other)
                        error = self._attempt(lambda r=records, v=values: r.create(v))
                        self.assertIsInstance(error, AccessError, f"{model}, {role}")

    def test_write_and_unlink(self):
        for model, row in POLICY.items():
            everything_ = self._universe(model)
            for role in ROLES:
                user = self.users[role]
                scope = self._scope(model, role)
                visible = (
                    everything_.filtered(lambda rec, s=scope, u=user: s(rec, u))
                    if scope
                    else everything_.browse()
                )
                hidden = everything_ - visible
                # the role's own company's record first, else a shared one
                target = (
                    visible.filtered(
                        lambda r, u=user: "company_id" in r
                        and r.company_id in u.company_ids
                    )
                    or visible
                    or everything_
                ).sorted("id", reverse=True)[:1]
                records = self._env(role)[model]
                for operation in ("write", "unlink"):
                    allowed = role in row.get(operation, NOBODY) and bool(visible)
                    with self._cell(model, role, operation):
                        if operation == "write":
                            values = WRITE_VALUES.get(model, {})

                            def run(r=records, t=target, v=values):
                                r.browse(t.ids).write(v)
                        else:

                            def run(r=records, t=target):
                                r.browse(t.ids).unlink()

                        self._assert_allowed(
                            self._attempt(run),
                            allowed,
                            f"{model} {operation} {role}",
                            row.get("refusal", AccessError),
                        )
                    if hidden and role in row.get(operation, NOBODY):
                        with self._cell(model, role, f"{operation} of a hidden record"):
                            hidden_one = hidden.sorted("id", reverse=True)[:1]
                            if operation == "write":

                                def run_hidden(r=records, t=hidden_one, v=values):
                                    r.browse(t.ids).write(v)
                            else:

                                def run_hidden(r=records, t=hidden_one):
                                    r.browse(t.ids).unlink()

                            self.assertIsInstance(
                                self._attempt(run_hidden),
                                AccessError,
                                f"{model} {operation} of a hidden record as {role}",
                            )
