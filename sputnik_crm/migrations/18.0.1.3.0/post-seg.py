"""Segments no longer evaluate their conditions as code: a segment whose
conditions are an expression is archived and made to match nobody, its
expression kept on the segment (shown in its form) and in its chatter, so
that a manager writes the conditions again as data."""

from ast import literal_eval

from markupsafe import Markup

from odoo import SUPERUSER_ID, api

MATCH_NOBODY = "[('id', 'in', [])]"


def migrate(cr, version):
    cr.execute("SELECT id, domain FROM sputnik_segment")
    neutralised = []
    for segment_id, domain in cr.fetchall():
        try:
            literal = isinstance(literal_eval(domain or "[]"), list | tuple)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            literal = False
        if not literal:
            neutralised.append((segment_id, domain))
    if not neutralised:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    for segment_id, domain in neutralised:
        cr.execute(
            """
            UPDATE sputnik_segment
               SET domain = %s, domain_legacy = %s, active = FALSE
             WHERE id = %s
            """,
            [MATCH_NOBODY, domain, segment_id],
        )
        segment = env["sputnik.segment"].browse(segment_id)
        segment.invalidate_recordset()
        segment.message_post(
            body=Markup("<p>%s</p><pre>%s</pre>")
            % (
                env._(
                    "The conditions of this segment were an expression, which "
                    "segments no longer accept: it is archived and matches nobody "
                    "until its conditions are written again as data. Former "
                    "conditions:"
                ),
                domain,
            ),
            message_type="notification",
        )
