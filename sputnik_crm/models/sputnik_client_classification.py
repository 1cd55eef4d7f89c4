from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

LIFECYCLE = [
    ("prospect", "Prospect"),
    ("new", "New"),
    ("regular", "Regular"),
    ("vip", "VIP"),
    ("dormant", "Dormant"),
    ("lost", "Lost"),
]
RFM_SEGMENTS = [
    ("champions", "Champions"),
    ("loyal", "Loyal"),
    ("potential", "Potential Loyalists"),
    ("promising", "Promising"),
    ("attention", "Need Attention"),
    ("about_to_sleep", "About to Sleep"),
    ("at_risk", "At Risk"),
    ("cannot_lose", "Cannot Lose Them"),
    ("hibernating", "Hibernating"),
    ("lost", "Lost"),
]
ABC = [("a", "A"), ("b", "B"), ("c", "C")]
XYZ = [("x", "X"), ("y", "Y"), ("z", "Z")]
DIMENSIONS = [
    ("lifecycle", "Lifecycle Status"),
    ("rfm_segment", "RFM Segment"),
    ("abc", "ABC Class"),
    ("xyz", "XYZ Class"),
    ("tier", "Loyalty Tier"),
]
SOURCES = [
    ("cron", "Nightly Run"),
    ("manual", "Run by a Manager"),
    ("booking", "Booking"),
    ("invoice", "Invoice Paid"),
    ("override", "Override"),
]


class SputnikClientClassOverride(models.Model):
    """A manager's decision on one class of a client, kept until lifted.

    While an override is active, the classification writes its value instead of
    the computed one; lifting it gives the computed class back at once.
    """

    _name = "sputnik.client.class.override"
    _description = "Client Class Override"
    _inherit = ["mail.thread", "sputnik.system.fields.mixin"]
    _order = "active desc, create_date desc, id desc"
    _rec_name = "partner_id"
    # who decided and who lifted, and when: stamped by the system
    _sputnik_system_fields = ("user_id", "active", "lifted_uid", "lifted_date")

    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        required=True,
        ondelete="cascade",
        index=True,
        domain="[('is_company', '=', False), ('parent_id', '=', False)]",
    )
    company_id = fields.Many2one(
        related="partner_id.company_id",
        store=True,
        index=True,
        string="Company",
        help="The client's company: the record is seen in that company only, or "
        "in every company for a client shared by all companies.",
    )
    dimension = fields.Selection(DIMENSIONS, required=True, tracking=True)
    lifecycle = fields.Selection(LIFECYCLE, string="Lifecycle Status")
    rfm_segment = fields.Selection(RFM_SEGMENTS, string="RFM Segment")
    abc = fields.Selection(ABC, string="ABC Class")
    xyz = fields.Selection(XYZ, string="XYZ Class")
    tier_id = fields.Many2one("sputnik.loyalty.tier", string="Loyalty Tier")
    value_display = fields.Char(string="Value", compute="_compute_value_display")
    reason = fields.Text(required=True, tracking=True)
    user_id = fields.Many2one(
        "res.users",
        string="Decided By",
        default=lambda self: self.env.user,
        readonly=True,
    )
    active = fields.Boolean(default=True, readonly=True, tracking=True)
    lifted_uid = fields.Many2one("res.users", string="Lifted By", readonly=True)
    lifted_date = fields.Datetime(string="Lifted On", readonly=True)

    def init(self):
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS sputnik_client_class_override_active_uniq
                ON sputnik_client_class_override (partner_id, dimension)
             WHERE active
            """
        )

    @api.depends("dimension", "lifecycle", "rfm_segment", "abc", "xyz", "tier_id")
    def _compute_value_display(self):
        for override in self:
            field_name = override._value_field()
            if not field_name:
                override.value_display = False
            elif field_name == "tier_id":
                override.value_display = override.tier_id.display_name
            else:
                selection = dict(
                    override._fields[field_name]._description_selection(self.env)
                )
                override.value_display = selection.get(override[field_name])

    def _value_field(self):
        return {"tier": "tier_id"}.get(self.dimension, self.dimension)

    @api.constrains("dimension", "lifecycle", "rfm_segment", "abc", "xyz", "tier_id")
    def _check_value(self):
        for override in self:
            if not override[override._value_field()]:
                raise ValidationError(
                    self.env._(
                        "Choose the value that overrides the %(dimension)s of "
                        "%(client)s.",
                        dimension=dict(DIMENSIONS)[override.dimension],
                        client=override.partner_id.display_name,
                    )
                )
            if override.partner_id.commercial_partner_id != override.partner_id:
                raise ValidationError(
                    self.env._(
                        "%(contact)s is a contact of %(company)s: override the "
                        "classes of the company.",
                        contact=override.partner_id.display_name,
                        company=override.partner_id.commercial_partner_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        # the client and the dimension are read below, before Odoo would check them
        for vals in vals_list:
            self._sputnik_check_values(vals)
        partners = self.env["res.partner"].browse(
            [vals["partner_id"] for vals in vals_list if vals.get("partner_id")]
        )
        self.search(
            [
                ("partner_id", "in", partners.ids),
                ("dimension", "in", [vals.get("dimension") for vals in vals_list]),
            ]
        ).filtered(
            lambda o: any(
                o.partner_id.id == vals.get("partner_id")
                and o.dimension == vals.get("dimension")
                for vals in vals_list
            )
        )._lift()
        overrides = super().create(vals_list)
        overrides.partner_id._sputnik_classify(source="override")
        return overrides

    def write(self, vals):
        if set(vals) - {"reason", "message_main_attachment_id"}:
            raise UserError(
                self.env._(
                    "An override cannot be changed: lift it and create a new one."
                )
            )
        return super().write(vals)

    def _lift(self):
        overrides = self.filtered("active")
        if overrides:
            # lifting is stamped by the system: the caller must be allowed to
            # change these overrides, then sudo only writes the stamp
            overrides.check_access("write")
            super(SputnikClientClassOverride, overrides.sudo()).write(
                {
                    "active": False,
                    "lifted_uid": self.env.uid,
                    "lifted_date": fields.Datetime.now(),
                }
            )
            overrides.flush_recordset(["active"])
        return overrides

    def action_lift(self):
        lifted = self._lift()
        lifted.partner_id._sputnik_classify(source="override")
        return True


class SputnikClientClassHistory(models.Model):
    """One change of a client's classes: written by the classification only.

    A line holds every class before and after the change, and which of them
    changed: the migrations of one dimension are its lines where it changed.
    """

    _name = "sputnik.client.class.history"
    _description = "Client Class History"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="partner_id.company_id",
        store=True,
        index=True,
        string="Company",
        help="The client's company: the record is seen in that company only, or "
        "in every company for a client shared by all companies.",
    )
    date = fields.Datetime(required=True, index=True)
    source = fields.Selection(SOURCES, required=True)
    lifecycle_old = fields.Selection(LIFECYCLE, string="Previous Status")
    lifecycle_new = fields.Selection(LIFECYCLE, string="Status")
    rfm_segment_old = fields.Selection(RFM_SEGMENTS, string="Previous Segment")
    rfm_segment_new = fields.Selection(RFM_SEGMENTS, string="Segment")
    abc_old = fields.Selection(ABC, string="Previous ABC")
    abc_new = fields.Selection(ABC, string="ABC")
    xyz_old = fields.Selection(XYZ, string="Previous XYZ")
    xyz_new = fields.Selection(XYZ, string="XYZ")
    tier_old_id = fields.Many2one(
        "sputnik.loyalty.tier", string="Previous Tier", ondelete="set null"
    )
    tier_new_id = fields.Many2one(
        "sputnik.loyalty.tier", string="Tier", ondelete="set null"
    )
    lifecycle_changed = fields.Boolean(string="Status Changed", readonly=True)
    segment_changed = fields.Boolean(readonly=True)
    abc_changed = fields.Boolean(string="ABC Changed", readonly=True)
    xyz_changed = fields.Boolean(string="XYZ Changed", readonly=True)
    tier_changed = fields.Boolean(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(
                self.env._("The classification history is written by the system only.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise UserError(self.env._("The classification history cannot be changed."))
        return super().write(vals)


class SputnikClassificationRun(models.Model):
    """A full run of the classification, for the record."""

    _name = "sputnik.classification.run"
    _inherit = ["sputnik.system.fields.mixin"]
    _description = "Classification Run"
    _order = "date desc, id desc"
    _rec_name = "date"
    # a record of what a run did: written by the run only
    _sputnik_system_fields = (
        "date",
        "source",
        "user_id",
        "company_id",
        "duration",
        "client_count",
        "changed_count",
        "history_count",
        "activity_count",
        "cuts",
    )

    date = fields.Datetime(required=True, readonly=True)
    source = fields.Selection(SOURCES, required=True, readonly=True)
    user_id = fields.Many2one("res.users", string="Run By", readonly=True)
    company_id = fields.Many2one(
        "res.company", string="Settings Of", readonly=True, required=True
    )
    duration = fields.Float(string="Duration (s)", digits=(16, 3), readonly=True)
    client_count = fields.Integer(string="Clients", readonly=True)
    changed_count = fields.Integer(
        string="Clients Changed", readonly=True, help="Client rows written."
    )
    history_count = fields.Integer(
        string="Class Changes", readonly=True, help="History lines recorded."
    )
    activity_count = fields.Integer(
        string="Calls Planned",
        readonly=True,
        help="Call activities planned ahead of expected next trips.",
    )
    cuts = fields.Json(
        string="Cuts of the Base",
        readonly=True,
        help="The values where the R and M scores change and the margin cuts of "
        "classes A and B this run placed the clients against: a booking or a "
        "payment places its client against them until the next run.",
    )

    def action_sputnik_classify_now(self):
        # a list header button: called on the selected runs (or none)
        return self.env["res.partner"].action_sputnik_classify()
