import logging
from collections import defaultdict

from odoo import api, models
from odoo.tools import SQL

from .sputnik_cron import trigger_cron_once

_logger = logging.getLogger(__name__)

# one processing of the queue at a time (advisory lock key, see
# sputnik_classification for the others)
LOCK_QUEUE = 0x53504E4B03
# the sources of a queued classification, in the order they are processed: a
# client queued by both is classified (and its history written) once, as
# the first one
QUEUE_SOURCES = ("booking", "invoice")


class SputnikClassification(models.AbstractModel):
    """The clients to classify after a booking or a paid invoice, classified
    by a cron just after the request rather than in it.

    A confirmation, a cancellation or a paid invoice changes its client's
    figures. Classifying the client in the agent's request would write the
    client's row (a row every request about that client touches) and run the
    classification's query while the request holds its locks. Instead the
    request adds the client to ``sputnik_classification_queue`` (one INSERT,
    nothing locked on the client) and triggers the queue's cron, which
    classifies every queued client in one set-based run (:meth:`_classify`
    for some clients) once the request has committed; the cron also runs
    every minute, in case a trigger was missed.

    A queue row names the transaction that queued it: a run takes the rows of
    the transactions committed before it started (its snapshot), whose changes
    it therefore sees, and deletes only those rows. A client queued again by a
    request still running (or committing during the run) keeps that request's
    row for the next run. Two runs never overlap: the second one finds the
    queue's lock taken and leaves the rows to the next.
    """

    _inherit = "sputnik.classification"  # pylint: disable=consider-merging-classes-inherited

    def init(self):
        res = super().init()
        # technical rows written and read in SQL by this queue only (no model:
        # no user reads or writes them); no foreign key, so that queuing a
        # client takes no lock on its row (a client deleted meanwhile is
        # skipped by the run)
        self.env.cr.execute(
            SQL(
                """
                CREATE TABLE IF NOT EXISTS sputnik_classification_queue (
                    partner_id integer NOT NULL,
                    company_id integer NOT NULL,
                    source varchar NOT NULL,
                    xact xid8 NOT NULL DEFAULT pg_current_xact_id(),
                    PRIMARY KEY (xact, partner_id, company_id, source)
                )
                """
            )
        )
        return res

    @api.model
    def _classify(self, partners=None, source="cron"):
        res = super()._classify(partners=partners, source=source)
        if partners is None and res is not None:
            self._unqueue_classified()
        return res

    @api.model
    def _unqueue_classified(self):
        """After a full run: the queued clients it saw are classified (the rows
        of the transactions committed before it started, and its own). Left
        to the queue's run when one holds the queue."""
        cr = self.env.cr
        cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s)", LOCK_QUEUE))
        if cr.fetchone()[0]:
            cr.execute(SQL("DELETE FROM sputnik_classification_queue"))

    # === QUEUE === #
    @api.model
    def _queue(self, partners, source="booking"):
        """Classify ``partners`` (commercial entities) just after this request,
        with the settings of the current company: queue them and trigger the
        queue's cron once per transaction. Private: the queue is the system's,
        whoever's change it follows."""
        assert source in QUEUE_SOURCES, source
        if not partners:
            return
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                INSERT INTO sputnik_classification_queue
                            (partner_id, company_id, source)
                SELECT partner_id, %s, %s FROM unnest(%s::integer[]) partner_id
                    ON CONFLICT DO NOTHING
                """,
                self.env.company.id,
                source,
                sorted(set(partners.ids)),
            )
        )
        trigger_cron_once(self.env, "sputnik_crm.ir_cron_sputnik_classify_queue")

    @api.model
    def _cron_classify_queued(self):
        self._classify_queued()
        return True

    @api.model
    def _classify_queued(self):
        """Classify the queued clients (those of the transactions committed
        before this one started, and this transaction's own), in one
        set-based run per company and source, and delete the rows taken.
        Returns {(company id, source): counts of the run}, or None when
        another processing of the queue holds its lock."""
        cr = self.env.cr
        cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s)", LOCK_QUEUE))
        if not cr.fetchone()[0]:
            return None
        cr.execute(
            SQL(
                """
                SELECT q.partner_id, q.company_id, q.source, q.xact
                  FROM sputnik_classification_queue q
                """
            )
        )
        rows = cr.fetchall()
        if not rows:
            return {}
        by_company = defaultdict(lambda: defaultdict(set))
        for partner_id, company_id, source, _xact in rows:
            by_company[company_id][source].add(partner_id)
        companies = self.env["res.company"].browse(by_company).exists()
        results = {}
        for company in companies:
            done = set()
            for source in QUEUE_SOURCES:
                ids = by_company[company.id][source] - done
                partners = self.env["res.partner"].browse(sorted(ids)).exists()
                if not partners:
                    continue
                done |= ids
                results[company.id, source] = self.with_company(company)._classify(
                    partners, source=source
                )
        # only the rows read above: a client queued meanwhile by a request
        # that committed after this run's snapshot keeps its row
        cr.execute(
            SQL(
                """
                DELETE FROM sputnik_classification_queue q
                 USING unnest(%s::integer[], %s::integer[], %s::varchar[],
                              %s::text[]) AS t(partner_id, company_id, source, xact)
                 WHERE q.partner_id = t.partner_id
                   AND q.company_id = t.company_id
                   AND q.source = t.source
                   AND q.xact = t.xact::xid8
                """,
                *map(list, zip(*rows, strict=True)),
            )
        )
        _logger.info("Classified %s queued clients", len({(r[0], r[1]) for r in rows}))
        return results
