from odoo import api, models
from odoo.exceptions import AccessError


class SputnikSystemFieldsMixin(models.AbstractModel):
    """Fields the system keeps, refused on create and write from any user.

    A model lists in ``_sputnik_system_fields`` the fields its own processes set:
    numbers, flags set by a process, dates stamped by an action, links made by an
    action. Every stored computed field of this addon without an inverse is one
    too, unless listed in ``_sputnik_system_fields_exempt``.

    Only the superuser writes them (``self.env.su``): the code that sets them
    checks the caller's rights first, then writes with ``sudo()``. Readonly in a
    view protects nothing (RPC ignores views), and no context key may lift the
    rule, since an RPC caller sets any context key it likes. Defaults given in
    the context or as user defaults do not reach them either.
    """

    _name = "sputnik.system.fields.mixin"
    _inherit = ["sputnik.values.mixin"]
    _description = "Fields Kept by the System"

    _sputnik_system_fields = ()
    _sputnik_system_fields_exempt = ()

    @api.model
    def _sputnik_system_field_names(self):
        """The names of the fields of this model that the system keeps."""
        cls = type(self)
        names = cls.__dict__.get("_sputnik_system_names")
        if names is None:
            names = frozenset(self._sputnik_system_fields) | frozenset(
                name
                for name, field in self._fields.items()
                if field.store
                and field.compute
                and field.readonly
                and not field.inverse
                and "sputnik_crm" in (field._modules or ())
            )
            names -= frozenset(self._sputnik_system_fields_exempt)
            # the registry builds a new class per model on every reload
            cls._sputnik_system_names = names
        return names

    @api.model
    def _sputnik_check_system_fields(self, vals):
        if self.env.su:
            return
        written = self._sputnik_system_field_names() & vals.keys()
        if written:
            raise AccessError(
                self.env._(
                    "%(fields)s of %(model)s: kept by the system, not set by hand.",
                    fields=", ".join(
                        sorted(
                            f"{self._fields[name]._description_string(self.env)} "
                            f"({name})"
                            for name in written
                        )
                    ),
                    model=self._sputnik_model_label(),
                )
            )

    @api.model
    def default_get(self, fields_list):
        defaults = super().default_get(fields_list)
        if self.env.su:
            return defaults
        for name in self._sputnik_system_field_names() & defaults.keys():
            # only the field's own default: neither a context key nor a user default
            field = self._fields[name]
            del defaults[name]
            if field.default:
                value = field.convert_to_cache(
                    field.default(self), self, validate=False
                )
                defaults[name] = field.convert_to_write(value, self)
        return defaults

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._sputnik_check_system_fields(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._sputnik_check_system_fields(vals)
        return super().write(vals)
