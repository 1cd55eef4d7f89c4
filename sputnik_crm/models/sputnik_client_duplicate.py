from odoo import Command, fields, models
from odoo.exceptions import AccessError, UserError

# Strongest first: a passport number identifies one person, a name with a birth
# date nearly so, while relatives often share an e-mail address or a phone.
REASONS = [
    ("passport", "Passport Number"),
    ("name_birthdate", "Name and Birth Date"),
    ("email", "E-mail"),
    ("phone", "Phone"),
]
CROWDED = 10  # more clients than this sharing a value are not duplicates
PHONE_DIGITS = 9


class SputnikClientDuplicate(models.Model):
    """Probable duplicate clients, one row per pair of active individuals.

    ``partner_id`` is always the partner with the lower id. A pair matching on
    several rules gives one row: ``reason`` is the strongest rule (see
    ``REASONS``), the ``match_*`` booleans tell every rule that matched. The row
    id encodes the pair (``other * (other - 1) / 2 + partner``, unique since
    ``partner < other``), so a row keeps its id while the client base changes.
    """

    _name = "sputnik.client.duplicate"
    _description = "Probable Duplicate Clients"
    _auto = False
    _order = "reason, partner_id, other_partner_id"
    _rec_name = "partner_name"

    # === FIELDS === #
    reason = fields.Selection(REASONS, readonly=True, help="Strongest matching rule.")
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    partner_name = fields.Char(string="Client Name", readonly=True)
    other_partner_id = fields.Many2one(
        "res.partner", string="Probable Duplicate", readonly=True
    )
    other_partner_name = fields.Char(string="Duplicate Name", readonly=True)
    matched_value = fields.Char(
        readonly=True, help="The value both clients share for the strongest rule."
    )
    match_passport = fields.Boolean(string="Same Passport", readonly=True)
    match_name_birthdate = fields.Boolean(string="Same Name and Birth", readonly=True)
    match_email = fields.Boolean(string="Same E-mail", readonly=True)
    match_phone = fields.Boolean(string="Same Phone", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    other_company_id = fields.Many2one(
        "res.company",
        string="Duplicate's Company",
        readonly=True,
        help="A pair is seen only where both clients are.",
    )

    @property
    def _table_query(self):
        return self._query()

    def _with_keys(self):
        """One row per (partner, rule, normalised value), over the whole base."""
        return f"""
            person AS (
                SELECT p.id, p.name, p.email, p.phone, p.mobile,
                       p.sputnik_birthdate
                  FROM res_partner p
                 WHERE p.active AND NOT COALESCE(p.is_company, FALSE)
            ),
            phone_digits AS (
                SELECT id, regexp_replace(phone, '\\D', '', 'g') AS digits
                  FROM person WHERE phone IS NOT NULL
                 UNION
                SELECT id, regexp_replace(mobile, '\\D', '', 'g')
                  FROM person WHERE mobile IS NOT NULL
            ),
            match_key AS (
                SELECT DISTINCT id AS partner_id, 'phone' AS reason,
                       NULL AS document_type,
                       right(digits, {PHONE_DIGITS}) AS value
                  FROM phone_digits
                 WHERE length(digits) >= {PHONE_DIGITS}
                 UNION ALL
                SELECT id, 'email', NULL, lower(trim(email))
                  FROM person
                 WHERE trim(COALESCE(email, '')) != ''
                 UNION ALL
                SELECT DISTINCT doc.partner_id, 'passport', doc.document_type,
                       upper(regexp_replace(doc.number, '\\s', '', 'g'))
                  FROM sputnik_travel_document doc
                  JOIN person ON person.id = doc.partner_id
                 WHERE doc.active
                   AND doc.document_type IN ('foreign_passport', 'internal_passport')
                   AND regexp_replace(doc.number, '\\s', '', 'g') != ''
                 UNION ALL
                SELECT id, 'name_birthdate', NULL,
                       lower(regexp_replace(trim(name), '\\s+', ' ', 'g'))
                       || ', ' || to_char(sputnik_birthdate, 'YYYY-MM-DD')
                  FROM person
                 WHERE sputnik_birthdate IS NOT NULL
                   AND trim(COALESCE(name, '')) != ''
            ),
            crowded AS (
                -- a value shared by many clients (an office phone, a family
                -- e-mail) says nothing about duplicates and would pair them all
                SELECT reason, value
                  FROM match_key
                 GROUP BY reason, value
                HAVING count(*) > {CROWDED}
            ),
            matched_pair AS (
                SELECT a.partner_id, b.partner_id AS other_partner_id, a.reason,
                       CASE a.reason {self._reason_rank_cases()} END AS rank,
                       CASE WHEN a.document_type IS NULL THEN a.value
                            ELSE a.value || ' (' || a.document_type || ')'
                       END AS value
                  FROM match_key a
                  JOIN match_key b
                    ON b.reason = a.reason
                   AND b.value = a.value
                   AND b.document_type IS NOT DISTINCT FROM a.document_type
                   AND b.partner_id > a.partner_id
                 WHERE (a.reason, a.value) NOT IN (SELECT reason, value FROM crowded)
            )
        """

    def _reason_rank_cases(self):
        return " ".join(
            f"WHEN '{reason}' THEN {rank}" for rank, (reason, _l) in enumerate(REASONS)
        )

    def _select(self):
        return """
            mp.other_partner_id::bigint * (mp.other_partner_id - 1) / 2
                + mp.partner_id AS id,
            mp.partner_id,
            mp.other_partner_id,
            partner.name AS partner_name,
            other.name AS other_partner_name,
            partner.company_id,
            other.company_id AS other_company_id,
            (array_agg(mp.reason ORDER BY mp.rank, mp.value))[1] AS reason,
            (array_agg(mp.value ORDER BY mp.rank, mp.value))[1] AS matched_value,
            bool_or(mp.reason = 'passport') AS match_passport,
            bool_or(mp.reason = 'name_birthdate') AS match_name_birthdate,
            bool_or(mp.reason = 'email') AS match_email,
            bool_or(mp.reason = 'phone') AS match_phone
        """

    def _from(self):
        return """
            matched_pair mp
            JOIN res_partner partner ON partner.id = mp.partner_id
            JOIN res_partner other ON other.id = mp.other_partner_id
        """

    def _group_by(self):
        return """
            mp.partner_id, mp.other_partner_id, partner.name, other.name,
            partner.company_id, other.company_id
        """

    def _query(self):
        return f"""
            WITH {self._with_keys()}
            SELECT {self._select()}
              FROM {self._from()}
             GROUP BY {self._group_by()}
        """

    # === ACTIONS === #
    def action_merge(self):
        """Merge the pair with Odoo's own partner merge wizard.

        The older partner survives (the wizard's own choice). A user with
        "Contact Creation" (``base.group_partner_manager``, which the wizard's
        access rights require) gets the wizard prefilled and may still pick the
        surviving partner. A Sputnik manager without it cannot open the wizard:
        after checking the manager group here, the merge runs through the same
        wizard under sudo and the surviving client opens.
        """
        self.ensure_one()
        if not self.env.user.has_group("sputnik_crm.group_sputnik_manager"):
            raise AccessError(
                self.env._("Only Sputnik managers may merge duplicate clients.")
            )
        partners = (self.partner_id | self.other_partner_id).exists()
        if len(partners) < 2:
            raise UserError(
                self.env._(
                    "%(name)s has already been merged: reload the list.",
                    name=self.partner_name or self.other_partner_name,
                )
            )
        # the manager must be able to change both clients (their company,
        # their rules) before the merge may run under sudo below
        partners.check_access("write")
        wizard_model = self.env["base.partner.merge.automatic.wizard"]
        may_open_wizard = self.env.user.has_group("base.group_partner_manager")
        if not may_open_wizard:
            # sudo: Odoo's wizard needs "Contact Creation"; the manager group and
            # the write access on both partners are checked above
            wizard_model = wizard_model.sudo()
        # create dates tie within one transaction: the lower id is the older
        survivor = partners.sorted(lambda p: (p.create_date, p.id))[0]
        wizard = wizard_model.create(
            {
                "state": "selection",
                "partner_ids": [Command.set(partners.ids)],
                "dst_partner_id": survivor.id,
            }
        )
        if may_open_wizard:
            return {
                "type": "ir.actions.act_window",
                "name": self.env._("Merge Clients"),
                "res_model": wizard._name,
                "res_id": wizard.id,
                "view_mode": "form",
                "views": [(False, "form")],
                "target": "new",
            }
        wizard.action_merge()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": survivor.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
