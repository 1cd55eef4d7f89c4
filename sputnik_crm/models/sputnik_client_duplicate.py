import math

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.sql import create_index, table_exists

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
KEY_TABLE = "sputnik_client_duplicate_key"
# the fields the keys are made of: a change of one of them computes the
# partner's keys again
PARTNER_KEY_FIELDS = [
    "name",
    "email",
    "phone",
    "mobile",
    "sputnik_birthdate",
    "active",
    "is_company",
]
DOCUMENT_KEY_FIELDS = ["partner_id", "document_type", "number", "active"]


def _pair_of(row_id):
    """``(partner, other)`` of a row id, ``other * (other - 1) / 2 + partner``
    with ``0 < partner < other``."""
    other = (1 + math.isqrt(8 * row_id)) // 2
    while other * (other - 1) // 2 >= row_id:
        other -= 1
    while other * (other + 1) // 2 < row_id:
        other += 1
    return row_id - other * (other - 1) // 2, other


def _is_id_leaf(leaf):
    return (
        isinstance(leaf, list | tuple)
        and len(leaf) == 3
        and leaf[0] == "id"
        and leaf[1] == "in"
        and isinstance(leaf[2], list | tuple)
        and all(isinstance(i, int) and i > 0 for i in leaf[2])
    )


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
    # the names rather than the partners: ordering by a partner would join it
    # once more per pair for its complete name
    _order = "reason, partner_name, other_partner_name, id"
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

    # === MATCH KEYS === #
    # One row per (rule, normalised value, partner) of the active individuals,
    # kept by the partners' and travel documents' create, write and unlink
    # (``_sputnik_sync_keys``); ``holders`` is how many partners hold the value,
    # counted up to CROWDED + 1, so that the pairs come from the few values
    # held by 2 to CROWDED partners (a partial index) instead of a self-join of
    # the whole base.

    def init(self):
        result = super().init()
        cr = self.env.cr
        cr.execute("SELECT to_regclass(%s) IS NOT NULL", (KEY_TABLE,))
        exists = cr.fetchone()[0]
        if not exists:
            cr.execute(
                SQL(
                    """
                    CREATE TABLE %(table)s (
                        reason varchar NOT NULL,
                        value varchar NOT NULL,
                        partner_id integer NOT NULL
                            REFERENCES res_partner (id) ON DELETE CASCADE,
                        holders integer NOT NULL DEFAULT 1,
                        PRIMARY KEY (reason, value, partner_id)
                    )
                    """,
                    table=SQL.identifier(KEY_TABLE),
                )
            )
        create_index(
            cr,
            f"{KEY_TABLE}_partner_id_index",
            KEY_TABLE,
            ["partner_id"],
        )
        create_index(
            cr,
            f"{KEY_TABLE}_shared_{CROWDED}_index",
            KEY_TABLE,
            ["reason", "value", "partner_id"],
            where=f"holders BETWEEN 2 AND {CROWDED}",
        )
        if not exists and table_exists(cr, "sputnik_travel_document"):
            # at the upgrade that brings the keys: the partners already in the
            # base, set-based (at installation, the travel documents' table is
            # not created yet: the post-init hook computes them)
            self._sputnik_rebuild_keys()
        return result

    def _sputnik_keys_query(self, partner_ids=None):
        """``SELECT partner_id, reason, value`` of the match keys of the
        partners given (every partner when None): the active individuals'
        phone and mobile (their last PHONE_DIGITS digits), e-mail (lower
        case), passport numbers (upper case, no spaces, with the document
        type) and name with birth date (lower case, single spaces)."""
        restrict = (
            SQL("AND p.id = ANY(%s)", list(partner_ids))
            if partner_ids is not None
            else SQL()
        )
        return SQL(
            """
            WITH person AS (
                SELECT p.id, p.name, p.email, p.phone, p.mobile,
                       p.sputnik_birthdate
                  FROM res_partner p
                 WHERE p.active AND NOT COALESCE(p.is_company, FALSE) %(restrict)s
            ),
            phone_digits AS (
                SELECT id, regexp_replace(phone, '\\D', '', 'g') AS digits
                  FROM person WHERE phone IS NOT NULL
                 UNION ALL
                SELECT id, regexp_replace(mobile, '\\D', '', 'g')
                  FROM person WHERE mobile IS NOT NULL
            )
            SELECT DISTINCT partner_id, reason, value FROM (
                SELECT id AS partner_id, 'phone' AS reason,
                       right(digits, %(digits)s) AS value
                  FROM phone_digits
                 WHERE length(digits) >= %(digits)s
                 UNION ALL
                SELECT id, 'email', lower(trim(email))
                  FROM person
                 WHERE trim(COALESCE(email, '')) != ''
                 UNION ALL
                SELECT doc.partner_id, 'passport',
                       upper(regexp_replace(doc.number, '\\s', '', 'g'))
                       || ' (' || doc.document_type || ')'
                  FROM sputnik_travel_document doc
                  JOIN person ON person.id = doc.partner_id
                 WHERE doc.active
                   AND doc.document_type IN ('foreign_passport', 'internal_passport')
                   AND regexp_replace(doc.number, '\\s', '', 'g') != ''
                 UNION ALL
                SELECT id, 'name_birthdate',
                       lower(regexp_replace(trim(name), '\\s+', ' ', 'g'))
                       || ', ' || to_char(sputnik_birthdate, 'YYYY-MM-DD')
                  FROM person
                 WHERE sputnik_birthdate IS NOT NULL
                   AND trim(COALESCE(name, '')) != ''
            ) keys
            """,
            restrict=restrict,
            digits=PHONE_DIGITS,
        )

    def _sputnik_flush_key_fields(self):
        self.env["res.partner"].flush_model(PARTNER_KEY_FIELDS)
        self.env["sputnik.travel.document"].flush_model(DOCUMENT_KEY_FIELDS)

    @api.model
    def _sputnik_held_values(self, partner_ids):
        """The (reason, value) these partners hold."""
        self.env.cr.execute(
            SQL(
                "SELECT reason, value FROM %s WHERE partner_id = ANY(%s)",
                SQL.identifier(KEY_TABLE),
                list(partner_ids),
            )
        )
        return set(self.env.cr.fetchall())

    @api.model
    def _sputnik_sync_keys(self, partner_ids, recount=()):
        """Compute again the match keys of these partners (gone, archived or
        become companies: none), deleting the keys they lost and inserting the
        new ones (an unchanged key is left as it is), then count again the
        holders of the values that changed and of ``recount``. Two
        statements, whatever the base's size."""
        partner_ids = list(set(partner_ids))
        if not partner_ids:
            self._sputnik_count_holders(set(recount))
            return
        self._sputnik_flush_key_fields()
        self.env.cr.execute(
            SQL(
                """
                WITH fresh AS (%(keys)s),
                gone AS (
                    DELETE FROM %(table)s k
                     WHERE k.partner_id = ANY(%(ids)s)
                       AND NOT EXISTS (
                            SELECT 1 FROM fresh f
                             WHERE f.partner_id = k.partner_id
                               AND f.reason = k.reason AND f.value = k.value)
                    RETURNING k.reason, k.value
                ),
                added AS (
                    INSERT INTO %(table)s (partner_id, reason, value)
                    SELECT f.partner_id, f.reason, f.value FROM fresh f
                     WHERE NOT EXISTS (
                            SELECT 1 FROM %(table)s k
                             WHERE k.partner_id = f.partner_id
                               AND k.reason = f.reason AND k.value = f.value)
                    RETURNING reason, value
                )
                SELECT reason, value FROM gone
                 UNION
                SELECT reason, value FROM added
                """,
                keys=self._sputnik_keys_query(partner_ids),
                table=SQL.identifier(KEY_TABLE),
                ids=partner_ids,
            )
        )
        self._sputnik_count_holders(set(self.env.cr.fetchall()) | set(recount))

    @api.model
    def _sputnik_drop_keys(self, partner_ids):
        """Before these partners are deleted: their keys go, the other
        holders of their values are counted again."""
        if not partner_ids:
            return
        self.env.cr.execute(
            SQL(
                "DELETE FROM %s WHERE partner_id = ANY(%s) RETURNING reason, value",
                SQL.identifier(KEY_TABLE),
                list(partner_ids),
            )
        )
        self._sputnik_count_holders(set(self.env.cr.fetchall()))

    @api.model
    def _cron_sputnik_count_holders(self):
        """Every value's holders counted again, writing only the keys whose
        count is wrong. Two transactions giving the same new value to two
        partners at the same moment each count one holder (neither sees the
        other's key): the night's count pairs them."""
        self.env.cr.execute(
            SQL(
                """
                UPDATE %(table)s k
                   SET holders = c.holders
                  FROM (SELECT reason, value, LEAST(COUNT(*), %(cap)s) AS holders
                          FROM %(table)s
                         GROUP BY reason, value) c
                 WHERE k.reason = c.reason AND k.value = c.value
                   AND k.holders != c.holders
                """,
                table=SQL.identifier(KEY_TABLE),
                cap=CROWDED + 1,
            )
        )
        return self.env.cr.rowcount

    def _sputnik_count_holders(self, values):
        """Count again the holders of these (reason, value), writing only the
        keys whose count changed."""
        if not values:
            return
        reasons, keys = zip(*values, strict=True)
        self.env.cr.execute(
            SQL(
                """
                UPDATE %(table)s k
                   SET holders = c.holders
                  FROM (SELECT k2.reason, k2.value,
                               LEAST(COUNT(*), %(cap)s) AS holders
                          FROM %(table)s k2
                          JOIN unnest(%(reasons)s::varchar[], %(keys)s::varchar[])
                               AS t(reason, value)
                            ON t.reason = k2.reason AND t.value = k2.value
                         GROUP BY k2.reason, k2.value) c
                 WHERE k.reason = c.reason AND k.value = c.value
                   AND k.holders != c.holders
                """,
                table=SQL.identifier(KEY_TABLE),
                cap=CROWDED + 1,
                reasons=list(reasons),
                keys=list(keys),
            )
        )

    @api.model
    def _sputnik_rebuild_keys(self):
        """Every partner's keys computed again, set-based (installation,
        upgrade, or after partners were changed in SQL)."""
        self._sputnik_flush_key_fields()
        cr = self.env.cr
        table = SQL.identifier(KEY_TABLE)
        cr.execute(SQL("TRUNCATE %s", table))
        cr.execute(
            SQL(
                """
                INSERT INTO %(table)s (partner_id, reason, value, holders)
                SELECT partner_id, reason, value,
                       LEAST(COUNT(*) OVER (PARTITION BY reason, value), %(cap)s)
                  FROM (%(keys)s) keys
                """,
                table=table,
                keys=self._sputnik_keys_query(),
                cap=CROWDED + 1,
            )
        )
        cr.execute(SQL("ANALYZE %s", table))

    # === THE PAIRS === #

    def _with_keys(self):
        """Pairs of partners sharing a value held by 2 to CROWDED partners
        (more say nothing about duplicates: an office phone, a family e-mail):
        ``matched_pair`` one row per pair and rule, ``pair`` one row per pair
        with its strongest rule, before the partners' names are joined."""
        return f"""
            matched_pair AS (
                SELECT a.partner_id, b.partner_id AS other_partner_id, a.reason,
                       CASE a.reason {self._reason_rank_cases()} END AS rank,
                       a.value
                  FROM {KEY_TABLE} a
                  JOIN {KEY_TABLE} b
                    ON b.reason = a.reason
                   AND b.value = a.value
                   AND b.partner_id > a.partner_id
                   AND b.holders BETWEEN 2 AND {CROWDED}
                 WHERE a.holders BETWEEN 2 AND {CROWDED}
            ),
            pair AS (
                -- the strongest rule and its first value: the least of
                -- "rank digit || value"
                SELECT partner_id, other_partner_id,
                       min(rank || value COLLATE "C") AS strongest,
                       bool_or(reason = 'passport') AS match_passport,
                       bool_or(reason = 'name_birthdate') AS match_name_birthdate,
                       bool_or(reason = 'email') AS match_email,
                       bool_or(reason = 'phone') AS match_phone
                  FROM matched_pair
                 GROUP BY partner_id, other_partner_id
            )
        """

    def _reason_rank_cases(self):
        return " ".join(
            f"WHEN '{reason}' THEN {rank}" for rank, (reason, _l) in enumerate(REASONS)
        )

    def _select(self):
        reasons = ", ".join(f"'{reason}'" for reason, _label in REASONS)
        return f"""
            pair.other_partner_id::bigint * (pair.other_partner_id - 1) / 2
                + pair.partner_id AS id,
            pair.partner_id,
            pair.other_partner_id,
            partner.name AS partner_name,
            other.name AS other_partner_name,
            partner.company_id,
            other.company_id AS other_company_id,
            (ARRAY[{reasons}])[left(pair.strongest, 1)::int + 1] AS reason,
            substr(pair.strongest, 2) AS matched_value,
            pair.match_passport,
            pair.match_name_birthdate,
            pair.match_email,
            pair.match_phone
        """

    def _from(self):
        return """
            pair
            JOIN res_partner partner ON partner.id = pair.partner_id
            JOIN res_partner other ON other.id = pair.other_partner_id
        """

    def _query(self):
        return f"""
            WITH {self._with_keys()}
            SELECT {self._select()}
              FROM {self._from()}
        """

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        """The ORM reads rows by id (``[('id', 'in', ids)]``), which no index
        answers: a row's id encodes its pair, so the pairs' first partners
        are added to the condition, and only their keys are read instead of
        every pair of the base."""
        if len(domain) == 1 and _is_id_leaf(domain[0]):
            partners = sorted({_pair_of(row_id)[0] for row_id in domain[0][2]})
            domain = [*domain, ("partner_id", "in", partners)]
        return super()._search(domain, offset=offset, limit=limit, order=order)

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
