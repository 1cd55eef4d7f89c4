"""The classification's rules changed (tie-stable RFM scores with frequency
bands, calendar years of XYZ, days late counting open overdue invoices, the
churn and next-trip boundaries): every client is classified again with the
new rules, and the stored cuts of the one-client updates made anew, instead
of waiting for the nightly run. A client's changes land in the segment
migrations as any run's."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["sputnik.classification"]._classify(source="manual")
