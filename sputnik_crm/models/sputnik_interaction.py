from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

INTERACTION_TYPES = [
    ("call", "Call"),
    ("meeting", "Meeting"),
    ("email", "E-mail"),
    ("visit", "Office Visit"),
    ("messenger", "Messenger"),
    ("offer", "Offer"),
    ("complaint", "Complaint"),
    ("feedback", "Feedback"),
    ("booking", "Booking"),
    ("payment", "Payment"),
]
STAGES = [
    ("pre_sale", "Pre-Sale"),
    ("sale", "Sale"),
    ("after_sale", "After-Sale"),
    ("service", "Service"),
]
REACTIONS = [
    ("interested", "Interested"),
    ("accepted", "Accepted"),
    ("declined", "Declined"),
    ("postponed", "Postponed"),
    ("no_answer", "No Answer"),
]
SATISFACTION = [
    ("1", "Very Dissatisfied"),
    ("2", "Dissatisfied"),
    ("3", "Neutral"),
    ("4", "Satisfied"),
    ("5", "Very Satisfied"),
]
# kept by the interaction's own logic (sudo), never written by a user
SYSTEM_FIELDS = {"next_activity_id"}


class SputnikInteraction(models.Model):
    """One contact with a client, real or potential: logged by an agent, or
    captured from an event (a booking confirmed, an invoice paid...)."""

    _name = "sputnik.interaction"
    _description = "Client Interaction"
    _inherit = ["mail.thread", "mail.activity.mixin", "sputnik.system.fields.mixin"]
    _order = "date desc, id desc"
    # set by _capture only: an event recorded once, by the system
    _sputnik_non_negative = ("duration",)
    _sputnik_system_fields = ("automatic", "event_key")

    name = fields.Char(string="Subject", required=True, tracking=True)
    interaction_type = fields.Selection(
        INTERACTION_TYPES, string="Type", required=True, default="call", tracking=True
    )
    direction = fields.Selection(
        [("inbound", "Inbound"), ("outbound", "Outbound")],
        default="outbound",
        required=True,
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    duration = fields.Float(
        string="Duration (hours)", help="Length of a call or meeting."
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        required=True,
        index=True,
        ondelete="cascade",
        tracking=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Agent",
        default=lambda self: self.env.user,
        index=True,
        tracking=True,
        domain="[('share', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    order_id = fields.Many2one(
        "sale.order",
        string="Booking",
        index="btree_not_null",
        domain="[('partner_id', 'child_of', partner_id)]",
    )
    lead_id = fields.Many2one("crm.lead", string="Opportunity", index="btree_not_null")
    campaign_id = fields.Many2one("utm.campaign", string="Campaign")
    stage = fields.Selection(
        STAGES,
        string="Relationship Stage",
        compute="_compute_stage",
        store=True,
        readonly=False,
    )
    reaction = fields.Selection(
        REACTIONS, string="Reaction to the Offer", help="How the client took an offer."
    )
    satisfaction = fields.Selection(SATISFACTION)
    note = fields.Html(string="Notes")
    next_step = fields.Char(
        help="What comes next: an activity is planned for the agent on the date."
    )
    next_step_date = fields.Date(string="Next Step On")
    next_activity_id = fields.Many2one(
        "mail.activity", string="Next Step Activity", readonly=True, copy=False
    )
    automatic = fields.Boolean(
        string="Captured",
        readonly=True,
        copy=False,
        help="Recorded by the system from an event, not typed by an agent.",
    )
    event_key = fields.Char(
        readonly=True,
        copy=False,
        help="The event a captured interaction records: each is recorded once.",
    )

    _sql_constraints = [
        (
            "event_key_uniq",
            "UNIQUE(event_key)",
            "This event is already recorded as an interaction.",
        ),
    ]

    @api.depends("interaction_type", "order_id.state", "lead_id")
    def _compute_stage(self):
        for interaction in self:
            if interaction.stage:
                continue
            if interaction.interaction_type in ("complaint", "feedback"):
                interaction.stage = "service"
            elif interaction.order_id.state == "sale":
                interaction.stage = "after_sale"
            elif interaction.order_id or interaction.interaction_type in (
                "booking",
                "offer",
            ):
                interaction.stage = "sale"
            else:
                interaction.stage = "pre_sale"

    @api.constrains("date", "duration", "next_step", "next_step_date")
    def _check_interaction(self):
        now = fields.Datetime.now() + relativedelta(minutes=5)
        for interaction in self:
            if interaction.date > now and not interaction.automatic:
                raise ValidationError(
                    self.env._(
                        "The interaction %(name)s is dated in the future: plan it as "
                        "the next step of the current one instead.",
                        name=interaction.name,
                    )
                )
            if interaction.duration < 0:
                raise ValidationError(
                    self.env._(
                        "The duration of the interaction %(name)s cannot be negative.",
                        name=interaction.name,
                    )
                )
            if bool(interaction.next_step) != bool(interaction.next_step_date):
                raise ValidationError(
                    self.env._(
                        "Give both the next step and its date (interaction %(name)s).",
                        name=interaction.name,
                    )
                )

    @api.model
    def _check_system_fields(self, vals):
        if SYSTEM_FIELDS & vals.keys() and not self.env.su:
            raise AccessError(
                self.env._(
                    "The activity of an interaction's next step is planned by the "
                    "system: give the next step and its date instead."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_system_fields(vals)
        interactions = super().create(vals_list)
        interactions._plan_next_step()
        return interactions

    def write(self, vals):
        self._check_system_fields(vals)
        res = super().write(vals)
        if {"next_step", "next_step_date", "user_id"} & set(vals):
            self._plan_next_step()
        return res

    def _plan_next_step(self):
        """The next step as an activity on the client, for the agent.

        Private, run from create/write once the ORM checked the user's right
        to create or write these interactions. The activity is created or
        updated with sudo: it may be planned for another agent, on a client the
        user reads. Only the activity the interaction planned itself, on its
        client, is ever updated (next_activity_id is a system field)."""
        planned = self.filtered("next_step")
        if not planned:
            # a captured event (a booking confirmed...) plans nothing
            return
        todo = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        model_id = self.env["ir.model"]._get_id("res.partner")
        for interaction in planned:
            client = interaction.partner_id.commercial_partner_id
            values = {
                "summary": interaction.next_step,
                "date_deadline": interaction.next_step_date,
                "user_id": (interaction.user_id or self.env.user).id,
            }
            activity = interaction.next_activity_id.sudo().exists()
            if (
                activity
                and activity.res_model == "res.partner"
                and activity.res_id == client.id
            ):
                activity.write(values)
            else:
                # sudo: next_activity_id is a system field; the activity is new
                interaction.sudo().next_activity_id = (
                    self.env["mail.activity"]
                    .sudo()
                    .create(
                        {
                            **values,
                            "res_model_id": model_id,
                            "res_id": client.id,
                            "activity_type_id": todo.id if todo else False,
                            "note": interaction.name,
                        }
                    )
                )

    @api.model
    def _capture(self, events):
        """Record events as interactions, each once: ``events`` are value dicts
        with an ``event_key``; an event already recorded is skipped."""
        events = [event for event in events if event.get("event_key")]
        if not events:
            return self.browse()
        keys = [event["event_key"] for event in events]
        # sudo: the events (a booking confirmed, a mailing opened...) are
        # recorded whoever triggered them, once each: the keys are looked up
        # and the interactions created by the system. Private, called by the
        # addon's own code after the triggering write passed its checks.
        known = set(
            self.sudo()
            .with_context(active_test=False)
            .search([("event_key", "in", keys)])
            .mapped("event_key")
        )
        new, seen = [], set()
        for event in events:
            if event["event_key"] not in known and event["event_key"] not in seen:
                seen.add(event["event_key"])
                new.append({"automatic": True, "direction": "inbound", **event})
        if not new:
            return self.browse()
        # recorded by the system (sudo, see above): no "created" message nor
        # tracking in the chatter
        created = (
            self.sudo()
            .with_context(mail_create_nolog=True, tracking_disable=True)
            .create(new)
        )
        return self.browse(created.ids)

    @api.model
    def _log_action(self, partner, context=None):
        """The form to log an interaction with ``partner``, in a dialog."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log an Interaction"),
            "res_model": "sputnik.interaction",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_id": partner.commercial_partner_id.id,
                **(context or {}),
            },
        }

    @api.model
    def _list_action(self, domain, context=None):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sputnik_crm.sputnik_interaction_action"
        )
        action["domain"] = domain
        action["context"] = context or {}
        return action
