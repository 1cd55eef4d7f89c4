from odoo import api, fields, models

NPS_CATEGORIES = [
    ("promoter", "Promoter"),
    ("passive", "Passive"),
    ("detractor", "Detractor"),
]


def nps_category(score):
    if score >= 9:
        return "promoter"
    return "passive" if score >= 7 else "detractor"


class SurveyUserInput(models.Model):
    _name = "survey.user_input"
    _inherit = ["survey.user_input", "sputnik.system.fields.mixin"]

    sputnik_order_id = fields.Many2one(
        "sale.order",
        string="Booking",
        index="btree_not_null",
        ondelete="set null",
        help="The trip this satisfaction survey asks about.",
    )
    sputnik_csat = fields.Integer(
        string="CSAT",
        compute="_compute_sputnik_satisfaction",
        store=True,
        help="The answer (1-5) to the survey's CSAT question; 0 if unanswered.",
    )
    sputnik_nps = fields.Integer(
        string="NPS Score",
        compute="_compute_sputnik_satisfaction",
        store=True,
        help="The answer (0-10) to the survey's NPS question.",
    )
    sputnik_nps_category = fields.Selection(
        NPS_CATEGORIES,
        string="NPS Category",
        compute="_compute_sputnik_satisfaction",
        store=True,
        help="Promoters answered 9-10, passives 7-8, detractors 0-6.",
    )

    @api.depends(
        "user_input_line_ids.value_scale",
        "user_input_line_ids.skipped",
        "user_input_line_ids.question_id.sputnik_kpi",
    )
    def _compute_sputnik_satisfaction(self):
        for answer in self:
            scores = {}
            for line in answer.user_input_line_ids:
                kpi = line.question_id.sputnik_kpi
                if kpi and line.answer_type == "scale" and not line.skipped:
                    scores[kpi] = line.value_scale
            answer.sputnik_csat = scores.get("csat", 0)
            answer.sputnik_nps = scores.get("nps", 0)
            answer.sputnik_nps_category = (
                nps_category(scores["nps"]) if "nps" in scores else False
            )

    def _mark_done(self):
        res = super()._mark_done()
        # sudo: the answer is recorded in the client's interactions whoever
        # submits it (a client on the survey page); private, after Odoo marked
        # the answers done
        answered = self.sudo().filtered("partner_id")
        answered.flush_recordset()
        self.env["sputnik.interaction"]._capture(
            [
                {
                    "event_key": f"survey_answered:{answer.id}",
                    "name": self.env._(
                        "Survey answered: %(survey)s", survey=answer.survey_id.title
                    ),
                    "interaction_type": "feedback",
                    "partner_id": answer.partner_id.commercial_partner_id.id,
                    "user_id": (
                        answer.sputnik_order_id.user_id or answer.survey_id.user_id
                    ).id,
                    "order_id": answer.sputnik_order_id.id,
                    "company_id": (
                        answer.sputnik_order_id.company_id or self.env.company
                    ).id,
                    "satisfaction": str(answer.sputnik_csat)
                    if answer.sputnik_csat
                    else False,
                    "campaign_id": answer.survey_id.sputnik_campaign_id.id,
                    "stage": "after_sale" if answer.sputnik_order_id else "service",
                }
                for answer in answered
            ]
        )
        answered.partner_id.commercial_partner_id._sputnik_update_satisfaction()
        # an unhappy client is called back by their agent
        self.env["sputnik.care.event"]._sputnik_care_run(["unhappy_answer"], answered)
        return res
