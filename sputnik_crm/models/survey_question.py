from odoo import api, fields, models
from odoo.exceptions import ValidationError

KPI_SCALES = {"csat": (1, 5), "nps": (0, 10)}


class SurveyQuestion(models.Model):
    _name = "survey.question"
    _inherit = ["survey.question", "sputnik.system.fields.mixin"]

    sputnik_kpi = fields.Selection(
        [("csat", "CSAT (1-5)"), ("nps", "NPS (0-10)")],
        string="Client Satisfaction Figure",
        help="The answers to this scale question feed the client's satisfaction "
        "figures: CSAT on a 1-5 scale (4-5 satisfied), NPS on a 0-10 scale "
        "(9-10 promoters, 0-6 detractors).",
    )

    @api.constrains("sputnik_kpi", "question_type", "scale_min", "scale_max")
    def _check_sputnik_kpi(self):
        for question in self.filtered("sputnik_kpi"):
            low, high = KPI_SCALES[question.sputnik_kpi]
            if question.question_type != "scale" or (
                question.scale_min,
                question.scale_max,
            ) != (low, high):
                raise ValidationError(
                    self.env._(
                        "Question %(question)s feeds a satisfaction figure: it must "
                        "be a scale from %(low)s to %(high)s.",
                        question=question.title,
                        low=low,
                        high=high,
                    )
                )
