from odoo import fields, models


class SurveySurvey(models.Model):
    _inherit = "survey.survey"

    sputnik_campaign_id = fields.Many2one(
        "utm.campaign",
        string="Campaign",
        help="The campaign this survey is part of: its answers are recorded in "
        "the clients' history with the campaign.",
    )
