from odoo import models


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    def _load_module_terms(
        self, modules, langs, overwrite=False, imported_module=False
    ):
        res = super()._load_module_terms(
            modules, langs, overwrite=overwrite, imported_module=imported_module
        )
        if "sputnik_crm" in modules:
            # the translations of the tours are written in SQL, without the
            # ORM's recomputation: the departures' names follow them here, in
            # every installed language (a language just added included)
            self.env["sputnik.departure"]._sputnik_recompute_names()
        return res
