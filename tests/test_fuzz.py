"""Hostile input never breaks the server.

Every stored field of every model of the addon (and every stored field the addon
adds to Odoo's models) is written, and every public method of the addon called,
as an agent and as a manager, with hostile values: dates at the edges of the
calendar, wrong types, huge and negative numbers, NaN and infinities, empty and
very long strings, lists where a scalar is expected, None, and ids of another
company's records. Each call runs in a savepoint that is rolled back after it, and
either succeeds with a consistent record (re-read: every value the addon stores is
sane) or fails with a clear error (UserError and its kinds: ValidationError,
AccessError, MissingError). Any other exception is a failure, listed with the
model, the field or method and the value.

The cases are sampled with a fixed seed so that a run takes about a minute;
SPUTNIK_FUZZ_WIDTH (default 1) multiplies the values tried per field and
SPUTNIK_FUZZ_SEED changes the sample.

Not the addon's, and so allowed (each is documented where it is recognised):

* Odoo's own conversion of a raw value given to ``create``/``write`` (a ``str``
  that is no date for a date field, a list for an integer field...): the
  ``ValueError``/``TypeError``/``OverflowError`` raised by ``odoo/fields.py``
  when called from ``odoo/models.py``;
* a ``psycopg2.IntegrityError`` (NOT NULL, UNIQUE, FOREIGN KEY, CHECK): over
  RPC, Odoo's service layer turns it into a ValidationError with the
  constraint's message (``odoo/service/model.py``, ``_as_validation_error``).
"""

import datetime
import inspect
import math
import os
import random
import traceback

import psycopg2

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import (
    SputnikCase,
    buy_seats,
    make_booking,
    make_departure,
    make_tour,
    make_travellers,
    post_invoice,
)

SEED = int(os.environ.get("SPUTNIK_FUZZ_SEED", "1414"))
WIDTH = int(os.environ.get("SPUTNIK_FUZZ_WIDTH", "1"))
# values tried per field and user, methods tried per model and user
VALUES_PER_FIELD = 3 * WIDTH
ARGS_PER_METHOD = 4 * WIDTH

# models of Odoo to which the addon adds stored fields or public methods
CORE_MODELS = (
    "res.partner",
    "res.company",
    "product.template",
    "sale.order",
    "sale.order.line",
    "account.move",
    "purchase.order",
    "crm.lead",
    "utm.campaign",
    "mailing.mailing",
    "mailing.trace",
    "survey.user_input",
    "survey.question",
)
# methods that are no entry point of their own (CRUD is fuzzed field by field)
SKIPPED_METHODS = {"pool", "init", "create", "write", "default_get"}
# Odoo's own read API, which the addon overrides only to log who read a client's
# passports and birth date: the parsing of its arguments is Odoo's (the reads
# themselves are called by the fuzzing of every field)
SKIPPED_METHODS |= {"read", "search_read", "web_read", "web_search_read"}
# the sane values the addon promises for everything it stores
# (a little wider than the addon's own range: what follows from a date, a
# deadline or a due date, may pass it)
DATE_MIN = datetime.date(1800, 1, 1)
DATE_MAX = datetime.date(2300, 12, 31)
INT_LIMIT = 2**31 - 1
KEY_LENGTH = 256

BIG_TEXT = "Ж" * 100_000
OTHER = object()
SEARCHES = [
    ("=", None),
    ("=", False),
    ("=", True),
    ("=", "x"),
    ("=", 1),
    ("!=", None),
    ("!=", "x"),
    ("in", []),
    ("in", [None]),
    ("in", ["x", 2]),
    ("not in", [None]),
    ("not in", ["x"]),
]  # stands for the id of another company's record
GENERIC = [
    None,
    [],
    [1, 2],
    {"id": 1},
    "",
    "x" * 5000,
    -1,
    2**63,
    float("nan"),
    float("inf"),
    True,
]
BY_TYPE = {
    "date": [
        "0001-01-01",
        "9999-12-31",
        "1899-12-31",
        "2201-01-01",
        datetime.date(1, 1, 1),
        datetime.date(9999, 12, 31),
        "2024-02-30",
        "tomorrow",
        20240101,
    ],
    "datetime": [
        "0001-01-01 00:00:00",
        "9999-12-31 23:59:59",
        datetime.datetime(1, 1, 1),
        datetime.datetime(9999, 12, 31, 23, 59),
        "1899-12-31 12:00:00",
        "now",
    ],
    "integer": [2**31, -(2**31) - 1, 10**20, -1, -(10**9), "12", 1.5, float("nan")],
    "float": [
        float("nan"),
        float("inf"),
        float("-inf"),
        1e308,
        -1e308,
        -1.0,
        1e15,
        "abc",
    ],
    "char": ["", " ", BIG_TEXT, "\x00", "'; DROP TABLE res_partner; --", 12345],
    "selection": [1, "nonexistent", "", ["a"], 0.5],
    "boolean": ["yes", 2, [], {}],
    "many2one": [OTHER, [1, 2], "abc", -1, 2**40],
    "x2many": [OTHER, [1, 2], "abc", [(4, "x")], [Command.set([-5])]],
}
BY_TYPE["monetary"] = BY_TYPE["float"]
BY_TYPE["text"] = BY_TYPE["html"] = BY_TYPE["char"]
BY_TYPE["one2many"] = BY_TYPE["many2many"] = BY_TYPE["x2many"]


def addon_field(field):
    return "sputnik_crm" in (field._modules or ())


def core_conversion_error(error):
    """Odoo converting a raw value given to create/write: a frame of
    odoo/fields.py called from odoo/models.py, the innermost frames being Odoo's
    (or Python's) and not the addon's."""
    if not isinstance(error, ValueError | TypeError | OverflowError):
        return False
    frames = traceback.extract_tb(error.__traceback__)
    files = [frame.filename for frame in frames]
    inner = [i for i, name in enumerate(files) if name.endswith("odoo/fields.py")]
    if not inner:
        return False
    first = inner[0]
    return (
        first > 0
        and files[first - 1].endswith("odoo/models.py")
        and not any("sputnik_crm" in name for name in files[first:])
    )


@tagged("post_install", "-at_install")
class TestFuzz(SputnikCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.random = random.Random(SEED)
        # --- this company's records ------------------------------------------
        cls.tour = make_tour(env, name="Fuzzed Tour")
        cls.departure = make_departure(env, cls.tour)
        cls.purchase = buy_seats(env, cls.departure, 6)
        travellers = make_travellers(env, 2, prefix="Fuzzed")
        travellers.user_id = cls.agent
        cls.booking = make_booking(env, cls.departure, travellers)
        cls.booking.user_id = cls.agent
        cls.booking.action_confirm()
        cls.quotation = make_booking(env, cls.departure, travellers[:1])
        cls.client = travellers[0]
        today = fields.Date.today()
        cls.invoice = post_invoice(env, cls.client, 100.0, today, today)
        cls.complaint = env["sputnik.complaint"].create(
            {"subject": "Fuzzed", "partner_id": cls.client.id}
        )
        cls.interaction = env["sputnik.interaction"].create(
            {"name": "Fuzzed call", "partner_id": cls.client.id}
        )
        destination = cls.tour.sputnik_destination_id
        cls.preference = env["sputnik.client.preference"].create(
            {"partner_id": cls.client.id, "destination_id": destination.id}
        )
        cls.relation = env["sputnik.client.relation"].create(
            {
                "partner_id": cls.client.id,
                "related_partner_id": travellers[1].id,
                "relation": "companion",
            }
        )
        cls.waitlist = env["sputnik.waitlist"].create(
            {"departure_id": cls.departure.id, "partner_id": cls.client.id}
        )
        cls.plan = env["sputnik.sales.plan"].create(
            {"name": "Fuzzed plan", "line_ids": [Command.create({"target_seats": 5})]}
        )
        cls.segment = env["sputnik.segment"].create({"name": "Fuzzed segment"})
        cls.override = env["sputnik.client.class.override"].create(
            {
                "partner_id": cls.client.id,
                "dimension": "abc",
                "abc": "a",
                "reason": "Fuzzed",
            }
        )
        cls.campaign = env["utm.campaign"].create({"name": "Fuzzed campaign"})
        cls.lead = env["crm.lead"].create(
            {"name": "Fuzzed lead", "partner_id": cls.client.id}
        )
        env["res.partner"]._sputnik_classify_all(source="manual")
        env["sputnik.care.event"]._claim(
            [
                {
                    "key": "fuzz:1",
                    "occasion": "balance_due",
                    "channel": "none",
                    "partner_id": cls.client.id,
                    "company_id": cls.company.id,
                }
            ]
        )
        # --- another company's records -----------------------------------------
        cls.company_b = env["res.company"].create({"name": "Fuzz Other Bureau"})
        env_b = env(context=dict(env.context, allowed_company_ids=cls.company_b.ids))
        cls.client_b = env_b["res.partner"].create(
            {"name": "Other Bureau Client", "company_id": cls.company_b.id}
        )
        cls.departure_b = make_departure(env_b, cls.tour)
        cls.other = {
            "res.partner": cls.client_b,
            "res.company": cls.company_b,
            "sputnik.departure": cls.departure_b,
            "sputnik.interaction": env_b["sputnik.interaction"].create(
                {
                    "name": "Other call",
                    "partner_id": cls.client_b.id,
                    "company_id": cls.company_b.id,
                }
            ),
            "sputnik.complaint": env_b["sputnik.complaint"].create(
                {
                    "subject": "Other",
                    "partner_id": cls.client_b.id,
                    "company_id": cls.company_b.id,
                }
            ),
            "sputnik.travel.document": env_b["sputnik.travel.document"].create(
                {"partner_id": cls.client_b.id, "number": "OTHER0001"}
            ),
        }
        cls.targets = {
            "res.partner": cls.client,
            "res.company": cls.company,
            "product.template": cls.tour,
            "sale.order": cls.booking,
            "sale.order.line": cls.booking.order_line[:1],
            "account.move": cls.booking.invoice_ids[:1] or cls.invoice,
            "purchase.order": cls.purchase,
            "crm.lead": cls.lead,
            "utm.campaign": cls.campaign,
            "sputnik.departure": cls.departure,
            "sputnik.destination": destination,
            "sputnik.complaint": cls.complaint,
            "sputnik.interaction": cls.interaction,
            "sputnik.travel.document": cls.client.sputnik_travel_document_ids[:1],
            "sputnik.client.preference": cls.preference,
            "sputnik.client.relation": cls.relation,
            "sputnik.waitlist": cls.waitlist,
            "sputnik.sales.plan": cls.plan,
            "sputnik.sales.plan.line": cls.plan.line_ids[:1],
            "sputnik.segment": cls.segment,
            "sputnik.client.class.override": cls.override,
        }
        cls.agent_b = new_test_user(
            env,
            login="sputnik_fuzz_agent_b",
            groups="base.group_user,sputnik_crm.group_sputnik_user",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        env.flush_all()
        cls.failures = []
        cls.calls = 0

    # === THE CASES === #
    def models(self):
        names = [
            name
            for name, model in self.env.registry.items()
            if name.startswith("sputnik.") and not model._abstract
        ]
        names += ["sputnik.kpi.dashboard"]
        return sorted(names) + list(CORE_MODELS)

    def target(self, model):
        if model in self.targets:
            return self.targets[model]
        if model == "sputnik.passport.override":
            return (
                self.env[model]
                .with_user(self.manager)
                .create({"order_id": self.quotation.id, "reason": "Passport coming"})
            )
        Model = self.env[model]
        if Model._abstract:
            return Model
        return Model.sudo().search([], limit=1, order="id desc").sudo(False)

    def hostile(self, field, count):
        values = BY_TYPE.get(field.type, []) + GENERIC
        if field.type == "selection" and isinstance(field.selection, list):
            values = values + [field.selection[-1][0]]
        picked = self.random.sample(values, min(count, len(values)))
        return [self.other_id(field) if value is OTHER else value for value in picked]

    def other_id(self, field):
        other = self.other.get(field.comodel_name)
        if other is None:
            other = self.env[field.comodel_name].sudo().search([], limit=1)
        if field.type == "many2one":
            return other.id
        return [Command.set(other.ids)]

    def writable_fields(self, model):
        Model = self.env[model]
        return [
            field
            for name, field in sorted(Model._fields.items())
            if field.store
            and name not in models_magic(Model)
            and addon_field(field)
            and not field.type == "binary"
        ]

    def public_methods(self, model):
        names = set()
        for klass in type(self.env[model]).__mro__:
            if getattr(klass, "_module", None) != "sputnik_crm":
                continue
            for name, member in vars(klass).items():
                if (
                    not name.startswith("_")
                    and name not in SKIPPED_METHODS
                    and callable(member)
                ):
                    names.add(name)
        return sorted(names)

    # === RUNNING A CALL === #
    def attempt(self, label, call, record=None, check_result=False):
        """Run ``call`` in a savepoint rolled back after it; record a failure
        unless it succeeds with sane values or fails with a clear error."""
        self.calls += 1
        savepoint = self.env.cr.savepoint()
        try:
            result = call()
            self.env.flush_all()
            if check_result:
                record = result
            if record:
                problem = self.insane_value(record)
                if problem:
                    self.failures.append(f"{label}: stored {problem}")
        except UserError:
            pass  # ValidationError, AccessError, MissingError, RedirectWarning
        except psycopg2.IntegrityError:
            pass  # over RPC, Odoo reports it as a ValidationError
        except Exception as error:  # noqa: BLE001 - every other is a failure
            if not core_conversion_error(error):
                where = traceback.extract_tb(error.__traceback__)[-1]
                self.failures.append(
                    f"{label}: {type(error).__name__}: {str(error)[:200]} "
                    f"({where.filename.rsplit('/', 2)[-1]}:{where.lineno})"
                )
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all()
            self.env.transaction.clear()

    def insane_value(self, records):
        """The first value of the addon's fields of ``records`` that is not sane."""
        records.invalidate_recordset()
        records = records.sudo().exists()
        # every figure the addon computes from these values, stored or not
        records.read(
            [name for name, field in records._fields.items() if addon_field(field)]
        )
        records.invalidate_recordset()
        for record in records:
            for name, field in record._fields.items():
                if (
                    not field.store
                    or not addon_field(field)
                    or field.type in ("one2many", "many2many")
                    or name in models_magic(record)
                ):
                    continue
                value = record[name]
                if field.type in ("date", "datetime") and value:
                    day = value if field.type == "date" else value.date()
                    if not DATE_MIN <= day <= DATE_MAX:
                        return f"{name} = {value}"
                elif field.type in ("float", "monetary") and not math.isfinite(value):
                    return f"{name} = {value}"
                elif field.type == "integer" and abs(value) > INT_LIMIT:
                    return f"{name} = {value}"
                elif field.type == "selection" and value:
                    keys = [
                        key
                        for key, _label in field.get_description(record.env)[
                            "selection"
                        ]
                    ]
                    if value not in keys:
                        return f"{name} = {value!r}"
                elif (
                    field.type == "char"
                    and value
                    and field.index
                    and len(value) > KEY_LENGTH
                ):
                    return f"{name} of {len(value)} characters"
        return None

    # === THE TEST === #
    def test_hostile_input(self):
        users = {"agent": self.agent, "manager": self.manager}
        for model in self.models():
            target = self.target(model)
            Model = self.env[model]
            for role, user in users.items():
                if not Model._abstract:
                    self.fuzz_fields(model, target, role, user)
                    self.fuzz_searches(model, role, user)
                self.fuzz_methods(model, target, role, user)
        # a user of another company, on this company's records
        for model in ("sputnik.departure", "sputnik.complaint", "res.partner"):
            self.fuzz_methods(model, self.target(model), "other agent", self.agent_b)
        # every model, field and method was tried
        self.assertGreater(self.calls, 1500)
        self.assertFalse(
            self.failures,
            f"{len(self.failures)} of {self.calls} calls broke the server:\n"
            + "\n".join(self.failures),
        )

    def fuzz_fields(self, model, target, role, user):
        Model = self.env[model].with_user(user)
        for field in self.writable_fields(model):
            for value in self.hostile(field, VALUES_PER_FIELD):
                label = f"{role} {model}.{field.name} = {value!r:.60}"
                if Model._transient:
                    self.attempt(
                        f"{label} (create)",
                        lambda m=Model, f=field.name, v=value: m.create({f: v}),
                    )
                    continue
                if target:
                    self.attempt(
                        f"{label} (write)",
                        lambda t=target, f=field.name, v=value: t.with_user(user).write(
                            {f: v}
                        ),
                        target,
                    )
                if model.startswith("sputnik."):
                    self.attempt(
                        f"{label} (create)",
                        lambda m=Model, f=field.name, v=value: m.create(
                            self.create_values(model, f, v)
                        ),
                        check_result=True,
                    )

    def create_values(self, model, name, value):
        """Valid values of a new record of ``model``, but ``name`` = ``value``."""
        base = {
            "sputnik.departure": {
                "tour_id": self.tour.id,
                "date_start": "2031-05-01",
                "date_end": "2031-05-08",
            },
            "sputnik.complaint": {"subject": "Fuzz", "partner_id": self.client.id},
            "sputnik.interaction": {"name": "Fuzz", "partner_id": self.client.id},
            "sputnik.travel.document": {
                "partner_id": self.client.id,
                "number": "FZ123",
            },
            "sputnik.client.preference": {
                "partner_id": self.client.id,
                "kind": "season",
                "season": "summer",
            },
            "sputnik.waitlist": {
                "departure_id": self.departure.id,
                "partner_id": self.client.id,
            },
            "sputnik.sales.plan": {"name": "Fuzz"},
            "sputnik.sales.plan.line": {"plan_id": self.plan.id},
            "sputnik.segment": {"name": "Fuzz"},
            "sputnik.destination": {"name": "Fuzz"},
            "sputnik.loyalty.tier": {"name": "Fuzz"},
            "sputnik.client.relation": {
                "partner_id": self.client.id,
                "related_partner_id": self.tour.sputnik_operator_id.id,
                "relation": "companion",
            },
        }.get(model, {})
        return {**base, name: value}

    def fuzz_searches(self, model, role, user):
        Model = self.env[model].with_user(user)
        for name, field in sorted(Model._fields.items()):
            if (
                not addon_field(field)
                or field.store
                or not isinstance(field.search, str)
                or name == "display_name"  # Odoo's name search
            ):
                continue
            for operator, value in SEARCHES:
                self.attempt(
                    f"{role} {model} search {name} {operator} {value!r}",
                    lambda n=name, o=operator, v=value: Model.search_count([(n, o, v)]),
                )

    def fuzz_methods(self, model, target, role, user):
        for name in self.public_methods(model):
            method = getattr(type(self.env[model]), name)
            params = [
                param
                for param in list(inspect.signature(method).parameters.values())[1:]
                if param.default is inspect.Parameter.empty
                and param.kind is param.POSITIONAL_OR_KEYWORD
            ]
            argument_sets = [()]
            if params:
                pool = BY_TYPE["date"] + GENERIC + [[("id", "=", [1, 2])], "garbage"]
                argument_sets = [
                    tuple(self.random.choice(pool) for _param in params)
                    for _i in range(ARGS_PER_METHOD)
                ] + [tuple("2025-01-01" for _param in params)]
            if not target and getattr(method, "_api", None) != "model":
                continue  # a method of records: over RPC, called with ids
            records = [target]
            other = self.other.get(model)
            if other:
                records.append(other)
            for record in records:
                for args in argument_sets:
                    label = f"{role} {model}.{name}{args!r:.80} on {record!r}"
                    self.attempt(
                        label,
                        lambda r=record, n=name, a=args: getattr(r.with_user(user), n)(
                            *a
                        ),
                        record if record._name == model and record else None,
                    )


def models_magic(Model):
    return {
        "id",
        "create_uid",
        "create_date",
        "write_uid",
        "write_date",
        "display_name",
        "parent_path",
    }


@tagged("post_install", "-at_install")
class TestSaneValues(SputnikCase):
    """Each kind of wrong input the fuzzing found, one by one: refused with a
    clear message, nothing written."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tour = make_tour(cls.env, name="Sane Values Tour")
        cls.departure = make_departure(cls.env, cls.tour)
        cls.client.user_id = cls.agent

    def assertRefused(self, call, message=None):
        with self.assertRaises(UserError) as caught:
            with self.env.cr.savepoint():
                call()
                self.env.flush_all()
        if message:
            self.assertIn(message, str(caught.exception))
        self.env.invalidate_all()

    def test_dates_keep_to_a_travel_business(self):
        departure = self.departure.with_user(self.manager)
        start, end = departure.date_start, departure.date_end
        for day in ("9999-12-31", "0001-01-01", "2101-01-01", "1999-12-31"):
            self.assertRefused(
                lambda d=day: departure.write({"date_start": d}), "must lie between"
            )
        self.assertEqual((departure.date_start, departure.date_end), (start, end))
        self.assertRefused(
            lambda: self.client.with_user(self.agent).write(
                {"sputnik_birthdate": "1899-12-31"}
            ),
            "must lie between",
        )
        complaint = self.env["sputnik.complaint"].with_user(self.agent)
        self.assertRefused(
            lambda: complaint.create(
                {
                    "subject": "Late",
                    "partner_id": self.client.id,
                    "date_open": "9999-12-31 23:00:00",
                }
            ),
            "must lie between",
        )
        self.assertRefused(
            lambda: self.env["sputnik.travel.document"]
            .with_user(self.agent)
            .create(
                {
                    "partner_id": self.client.id,
                    "number": "FZ1",
                    "expiry_date": "2024-02-30",
                }
            ),
            "expects a date",
        )

    def test_dashboard_periods_at_the_edges_of_the_calendar(self):
        dashboard = self.env["sputnik.kpi.dashboard"].with_user(self.manager)
        for start, end in (
            ("0001-01-01", "0001-12-31"),
            ("9999-01-01", "9999-12-31"),
            ([1, 2], "2025-01-01"),
            ("2025-01-01", float("nan")),
            ("garbage", "2025-01-01"),
        ):
            self.assertRefused(lambda s=start, e=end: dashboard.get_dashboard(s, e))
            self.assertRefused(lambda s=start, e=end: dashboard.action_print(s, e))
        self.assertTrue(dashboard.get_dashboard("2025-01-01", "2025-03-31"))

    def test_raw_values_of_wrong_types(self):
        complaint = (
            self.env["sputnik.complaint"]
            .with_user(self.agent)
            .create({"subject": "Types", "partner_id": self.client.id})
        )
        for stage in (1, ["resolved"], None, "nowhere"):
            self.assertRefused(lambda s=stage: complaint.write({"stage": s}))
        self.assertEqual(complaint.stage, "new")
        self.assertRefused(
            lambda: self.env["sputnik.client.class.override"]
            .with_user(self.manager)
            .create(
                {
                    "partner_id": [self.client.id, self.agent.partner_id.id],
                    "dimension": "abc",
                    "abc": "a",
                    "reason": "List",
                }
            ),
            "expects a record",
        )
        self.assertRefused(
            lambda: complaint.write({"order_id": [1, 2]}), "expects a record"
        )

    def test_searches_on_computed_fields(self):
        Document = self.env["sputnik.travel.document"].with_user(self.agent)
        for value in (None, False, "nonsense", 1, [None]):
            self.assertRefused(lambda v=value: Document.search([("status", "=", v)]))
        self.assertFalse(Document.search([("status", "in", [])]))
        Complaint = self.env["sputnik.complaint"].with_user(self.agent)
        self.assertRefused(lambda: Complaint.search([("is_overdue", "=", None)]))

    def test_numbers_are_finite_and_sane(self):
        interaction = (
            self.env["sputnik.interaction"]
            .with_user(self.agent)
            .create({"name": "Call", "partner_id": self.client.id, "duration": 0.5})
        )
        for duration in (float("nan"), float("inf"), -1.0, 1e300):
            self.assertRefused(lambda d=duration: interaction.write({"duration": d}))
        self.assertEqual(interaction.duration, 0.5)
        self.assertRefused(
            lambda: self.departure.with_user(self.manager).write(
                {"allotment_seats": 2**31}
            ),
            "out of range",
        )
        # a setting from which dates follow stays within a decade of days
        self.assertRefused(
            lambda: self.company.write({"sputnik_balance_days": 2**31 - 1}),
            "must lie between",
        )

    def test_text_of_a_unique_column_is_bounded(self):
        Document = self.env["sputnik.travel.document"].with_user(self.agent)
        self.assertRefused(
            lambda: Document.create(
                {"partner_id": self.client.id, "number": "9" * 5000}
            ),
            "too long",
        )
        self.assertRefused(
            lambda: Document.create({"partner_id": self.client.id, "number": "A\x00B"}),
            "NUL",
        )
        self.assertFalse(
            Document.search([("partner_id", "=", self.client.id)]).filtered(
                lambda d: len(d.number) > 100 or "\x00" in d.number
            )
        )
