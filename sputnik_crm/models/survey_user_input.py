from odoo import models


class SurveyUserInput(models.Model):
    _inherit = "survey.user_input"

    def _mark_done(self):
        res = super()._mark_done()
        answered = self.sudo().filtered("partner_id")
        self.env["sputnik.interaction"]._capture(
            [
                {
                    "event_key": f"survey_answered:{answer.id}",
                    "name": self.env._(
                        "Survey answered: %(survey)s", survey=answer.survey_id.title
                    ),
                    "interaction_type": "feedback",
                    "partner_id": answer.partner_id.commercial_partner_id.id,
                    "user_id": answer.survey_id.user_id.id,
                    "stage": "service",
                }
                for answer in answered
            ]
        )
        return res
