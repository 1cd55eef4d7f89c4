import logging

from odoo import api, models
from odoo.tools.sql import create_index

from .sputnik_client_duplicate import PARTNER_KEY_FIELDS

_logger = logging.getLogger(__name__)

# the client searches of the Clients list: the search view's Name field
# (complete name, reference, e-mail, tax id, company id: one ilike each) and
# E-mail field; the Phone/Mobile field has Odoo's own indexes (phone_validation)
TRIGRAM_FIELDS = ["complete_name", "email", "ref", "vat", "company_registry"]


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    def init(self):
        """Trigram indexes for the client searches: ``ilike '%fragment%'``
        on a million clients reads the index instead of every row. pg_trgm
        is a trusted extension (PostgreSQL 13+): the database owner creates
        it. Odoo's own phone indexes (``phone_validation``) are trigram ones
        too once the extension exists. Without the extension (refused), the
        searches work as before, unindexed."""
        cr = self.env.cr
        if not self.env.registry.has_trigram:
            try:
                # no flush: at installation the ORM may hold values of
                # models whose columns other modules have not created yet
                with cr.savepoint(flush=False):
                    cr.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                self.env.registry.has_trigram = True
            except Exception as error:  # noqa: BLE001 - any refusal: no index
                _logger.warning(
                    "pg_trgm unavailable, client searches unindexed: %s", error
                )
        result = super().init()
        if not self.env.registry.has_trigram:
            return result
        for fname in TRIGRAM_FIELDS:
            create_index(
                cr,
                f"res_partner_sputnik_{fname}_trgm_index",
                self._table,
                [f"{fname} gin_trgm_ops"],
                method="gin",
                where=f"{fname} IS NOT NULL",
            )
        # the Clients action's order (customer rank first, then Odoo's own
        # order) read from an index, so that the first page is the first rows
        create_index(
            cr,
            "res_partner_sputnik_customer_order_index",
            self._table,
            ["customer_rank DESC", "complete_name", "id DESC"],
            where="active",
        )
        return result

    # === MATCH KEYS OF THE PROBABLE DUPLICATES === #

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        self.env["sputnik.client.duplicate"]._sputnik_sync_keys(partners.ids)
        return partners

    def write(self, vals):
        result = super().write(vals)
        if not vals.keys().isdisjoint(PARTNER_KEY_FIELDS):
            self.env["sputnik.client.duplicate"]._sputnik_sync_keys(self.ids)
        return result

    def unlink(self):
        self.env["sputnik.client.duplicate"]._sputnik_drop_keys(self.ids)
        return super().unlink()
