"""The values the addon stores: checked before Odoo converts and stores them, so
that a wrong value gets a clear message instead of a server error."""

import datetime
import math

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Any date the bureau records: birth dates, documents, bookings, plans...
DATE_MIN = datetime.date(1900, 1, 1)
DATE_MAX = datetime.date(2200, 12, 31)
# The dates of trips: departures and what follows from them.
TRAVEL_DATE_MIN = datetime.date(2000, 1, 1)
TRAVEL_DATE_MAX = datetime.date(2099, 12, 31)
# PostgreSQL's int4, the type of integer and many2one columns
INT_MAX = 2**31 - 1
# amounts, durations, rates: far above any figure of a travel bureau
NUMBER_MAX = 10**12
# text of an indexed or unique column: a B-tree entry must stay small
KEY_LENGTH = 256
TEXT_TYPES = ("char", "text", "html")


def check_date_range(env, value, label, low=DATE_MIN, high=DATE_MAX):
    """Raise a ValidationError unless the date (or datetime) ``value`` lies in
    [``low``, ``high``]: the one rule for the dates of the addon."""
    if not value:
        return
    day = value.date() if isinstance(value, datetime.datetime) else value
    if not low <= day <= high:
        raise ValidationError(
            env._(
                "%(field)s must lie between %(low)s and %(high)s (not %(value)s).",
                field=label,
                low=low.strftime("%d.%m.%Y"),
                high=high.strftime("%d.%m.%Y"),
                value=value,
            )
        )


def parse_date(env, value, label, low=DATE_MIN, high=DATE_MAX):
    """The date given as ``value`` (ISO string or date), in range, or a
    UserError-kind ValidationError."""
    try:
        day = fields.Date.to_date(value)
    except (TypeError, ValueError):
        day = None
        if value:
            raise ValidationError(
                env._("%(field)s is not a date: %(value)s", field=label, value=value)
            ) from None
    check_date_range(env, day, label, low, high)
    return day


class SputnikValuesMixin(models.AbstractModel):
    """Checks the raw values given to ``create`` and ``write`` for the fields of
    this addon, whoever writes them: a date is a date of a sane range, a number a
    finite number of a sane size (not negative where listed in
    ``_sputnik_non_negative``), a text a text without NUL character and, on an
    indexed or unique column, of a bounded length, a selection one of its
    values, a link a record id. The dates listed in ``_sputnik_travel_dates``
    keep to the narrower range of trips."""

    _name = "sputnik.values.mixin"
    _description = "Sane Values of the Addon's Fields"

    _sputnik_non_negative = ()
    _sputnik_travel_dates = ()
    # field name -> (lowest, highest) value: counts of days, months, years...
    _sputnik_bounds = {}

    @api.model
    def _sputnik_key_columns(self):
        """Text fields of an index or a unique constraint."""
        cls = type(self)
        names = cls.__dict__.get("_sputnik_key_names")
        if names is None:
            unique = " ".join(
                definition
                for _name, definition, _message in self._sql_constraints
                if "unique" in definition.lower()
            )
            names = frozenset(
                name
                for name, field in self._fields.items()
                if field.type == "char"
                and field.store
                and (field.index in (True, "btree", "btree_not_null") or name in unique)
            )
            cls._sputnik_key_names = names
        return names

    @api.model
    def _sputnik_model_label(self):
        """The model's name in the user's language."""
        # a model's name is metadata, nobody's data: read it whatever the rights
        # of the user (a portal user may not read ir.model) to name it in a message
        return self.env["ir.model"].sudo()._get(self._name).name or self._description

    @api.model
    def _sputnik_check_values(self, vals):
        for name, value in list(vals.items()):
            field = self._fields.get(name)
            if field is None or "sputnik_crm" not in (field._modules or ()):
                continue
            empty = value is None or value is False or value == ""
            if empty and field.required and field.type != "boolean":
                # refused here, before the model's checks compare an empty value
                raise ValidationError(
                    self.env._(
                        "%(field)s of %(model)s is required.",
                        field=field._description_string(self.env),
                        model=self._sputnik_model_label(),
                    )
                )
            if value is None or value is False:
                continue
            if value == "" and field.type in ("date", "datetime"):
                # an empty date is no date (Odoo would pass "" on to the database)
                vals[name] = False
                continue
            check = getattr(self, f"_sputnik_check_{field.type}", None)
            if check:
                check(field, value)

    def _sputnik_wrong(self, field, value, expected):
        return ValidationError(
            self.env._(
                "%(field)s of %(model)s expects %(expected)s, not %(value)s.",
                field=field._description_string(self.env),
                model=self._sputnik_model_label(),
                expected=expected,
                value=repr(value)[:80],
            )
        )

    def _sputnik_check_date(self, field, value):
        if isinstance(value, datetime.date):
            day = value
        elif isinstance(value, str):
            try:
                day = (
                    fields.Date.to_date(value)
                    if field.type == "date"
                    else fields.Datetime.to_datetime(value)
                )
            except ValueError:
                raise self._sputnik_wrong(field, value, self.env._("a date")) from None
        else:
            raise self._sputnik_wrong(field, value, self.env._("a date"))
        if field.name in self._sputnik_travel_dates:
            check_date_range(
                self.env,
                day,
                field._description_string(self.env),
                TRAVEL_DATE_MIN,
                TRAVEL_DATE_MAX,
            )
        else:
            check_date_range(self.env, day, field._description_string(self.env))

    _sputnik_check_datetime = _sputnik_check_date

    def _sputnik_check_number(self, field, value, limit):
        if not isinstance(value, int | float) or not math.isfinite(value):
            raise self._sputnik_wrong(field, value, self.env._("a number"))
        if abs(value) > limit:
            raise ValidationError(
                self.env._(
                    "%(field)s of %(model)s is out of range: %(value)s.",
                    field=field._description_string(self.env),
                    model=self._sputnik_model_label(),
                    value=value,
                )
            )
        low, high = self._sputnik_bounds.get(field.name, (None, None))
        if low is not None and not low <= value <= high:
            raise ValidationError(
                self.env._(
                    "%(field)s of %(model)s must lie between %(low)s and %(high)s.",
                    field=field._description_string(self.env),
                    model=self._sputnik_model_label(),
                    low=low,
                    high=high,
                )
            )
        if value < 0 and field.name in self._sputnik_non_negative:
            raise ValidationError(
                self.env._(
                    "%(field)s of %(model)s cannot be negative.",
                    field=field._description_string(self.env),
                    model=self._sputnik_model_label(),
                )
            )

    def _sputnik_check_integer(self, field, value):
        self._sputnik_check_number(field, value, INT_MAX)

    def _sputnik_check_float(self, field, value):
        self._sputnik_check_number(field, value, NUMBER_MAX)

    _sputnik_check_monetary = _sputnik_check_float

    def _sputnik_check_char(self, field, value):
        if not isinstance(value, str):
            raise self._sputnik_wrong(field, value, self.env._("a text"))
        if "\x00" in value:
            raise ValidationError(
                self.env._(
                    "%(field)s of %(model)s holds a NUL character.",
                    field=field._description_string(self.env),
                    model=self._sputnik_model_label(),
                )
            )
        if field.name in self._sputnik_key_columns() and len(value) > KEY_LENGTH:
            raise ValidationError(
                self.env._(
                    "%(field)s of %(model)s is too long: %(length)s characters at "
                    "most.",
                    field=field._description_string(self.env),
                    model=self._sputnik_model_label(),
                    length=KEY_LENGTH,
                )
            )

    _sputnik_check_text = _sputnik_check_html = _sputnik_check_char

    def _sputnik_check_selection(self, field, value):
        if not isinstance(value, str) or value not in field.get_values(self.env):
            raise self._sputnik_wrong(field, value, self.env._("one of its choices"))

    def _sputnik_id(self, value):
        if isinstance(value, models.BaseModel):
            return len(value) <= 1
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and 0 < value <= INT_MAX
        )

    def _sputnik_check_many2one(self, field, value):
        if not self._sputnik_id(value):
            raise self._sputnik_wrong(field, value, self.env._("a record"))

    def _sputnik_check_many2many(self, field, value):
        if isinstance(value, models.BaseModel):
            return
        if not isinstance(value, list | tuple):
            raise self._sputnik_wrong(field, value, self.env._("a list of records"))
        for command in value:
            if isinstance(command, int) and self._sputnik_id(command):
                continue
            if not isinstance(command, list | tuple) or not command:
                raise self._sputnik_wrong(field, value, self.env._("a list of records"))
            code = command[0]
            ids = []
            if code in (1, 2, 3, 4):
                ids = command[1:2]
            elif code == 6:
                ids = command[2] if len(command) > 2 else None
            elif code not in (0, 5):
                ids = None
            if not isinstance(ids, list | tuple) or not all(
                self._sputnik_id(record_id) for record_id in ids
            ):
                raise self._sputnik_wrong(field, value, self.env._("a list of records"))

    _sputnik_check_one2many = _sputnik_check_many2many

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._sputnik_check_values(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._sputnik_check_values(vals)
        return super().write(vals)
