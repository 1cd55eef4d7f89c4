from odoo import api, models
from odoo.tools import SQL


class MergePartnerAutomatic(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _update_foreign_keys(self, src_partners, dst_partner):
        """Odoo moves the rows of the merged partners with one UPDATE per table
        and drops them all when it breaks a unique constraint: first remove the
        household rows that the merge would make duplicates or self-relations,
        so that every other row moves to the surviving partner."""
        merged = tuple((src_partners | dst_partner).ids)
        sources = tuple(src_partners.ids)
        self.env["sputnik.client.relation"].flush_model()
        cr = self.env.cr
        # between the merged partners themselves: a client is not their own member
        cr.execute(
            SQL(
                "DELETE FROM sputnik_client_relation "
                "WHERE partner_id IN %s AND related_partner_id IN %s",
                merged,
                merged,
            )
        )
        for own, other in (
            ("partner_id", "related_partner_id"),
            ("related_partner_id", "partner_id"),
        ):
            # a relation the surviving partner, or an older source row, already has
            cr.execute(
                SQL(
                    """
                    DELETE FROM sputnik_client_relation r
                     USING sputnik_client_relation keep
                     WHERE r.%(own)s IN %(sources)s
                       AND keep.%(other)s = r.%(other)s
                       AND keep.id != r.id
                       AND (keep.%(own)s = %(dst)s
                            OR (keep.%(own)s IN %(sources)s AND keep.id < r.id))
                    """,
                    own=SQL.identifier(own),
                    other=SQL.identifier(other),
                    sources=sources,
                    dst=dst_partner.id,
                )
            )
        self.env["sputnik.client.relation"].invalidate_model()
        return super()._update_foreign_keys(src_partners, dst_partner)

    @api.model
    def _update_values(self, src_partners, dst_partner):
        # Odoo carries over only the fields the merging user may read: the
        # travel profile (personal data) must survive a merge made by anyone.
        # sudo: the values of partners the merging user may write (checked
        # here), onto the surviving one; nothing is returned to the user.
        (src_partners | dst_partner).check_access("write")
        return super(MergePartnerAutomatic, self.sudo())._update_values(
            src_partners.sudo(), dst_partner.sudo()
        )

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        """Odoo's merge moves the merged partners' rows (their duplicates'
        match keys and travel documents among them) to the survivor in SQL:
        the survivor's keys are computed again from what it holds after."""
        if isinstance(partner_ids, models.BaseModel):
            partner_ids = partner_ids.ids
        Duplicate = self.env["sputnik.client.duplicate"]
        # the merge moves or drops the merged partners' keys in SQL: their
        # values' holders are counted again after it
        held = Duplicate._sputnik_held_values(partner_ids)
        result = super()._merge(
            partner_ids, dst_partner=dst_partner, extra_checks=extra_checks
        )
        survivors = self.env["res.partner"].browse(partner_ids).exists()
        Duplicate._sputnik_sync_keys(survivors.ids, recount=held)
        return result
