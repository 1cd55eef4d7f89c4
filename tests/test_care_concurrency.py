"""The client-care run twice at the same moment (a cron started again while it
still runs, a retried transaction): each occasion is claimed once.

Real, separately committed transactions with a cursor each (Odoo runs them at
REPEATABLE READ); the test removes what it committed.
"""

import threading
import uuid

from psycopg2 import errors

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged


@tagged("post_install", "-at_install")
class TestCareConcurrency(BaseCase):
    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        self.key = f"documents_ready:test-{uuid.uuid4().hex}"
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM sputnik_care_event WHERE key = %s", [self.key])

    def _claim(self, name, started, claimed_first, release, results):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            care = env["sputnik.care.event"]
            care.search_count([])  # take the transaction's snapshot now
            started.wait(timeout=30)
            if name == "second":
                claimed_first.wait(timeout=30)
            try:
                claimed = care._claim(
                    [
                        {
                            "key": self.key,
                            "occasion": "documents_ready",
                            "channel": "email",
                        }
                    ]
                )
                if name == "first":
                    claimed_first.set()
                    release.wait(timeout=30)
                cr.commit()
                results[name] = claimed
            except errors.SerializationFailure as exc:
                cr.rollback()
                results[name] = type(exc).__name__

    def test_two_runs_claim_an_occasion_once(self):
        started = threading.Barrier(2)
        claimed_first = threading.Event()
        release = threading.Event()
        results = {}
        first = threading.Thread(
            target=self._claim, args=("first", started, claimed_first, release, results)
        )
        second = threading.Thread(
            target=self._claim,
            args=("second", started, claimed_first, release, results),
        )
        first.start()
        second.start()
        # the second run waits on the first one's uncommitted claim
        second.join(timeout=2)
        self.assertTrue(second.is_alive())
        release.set()
        first.join(timeout=30)
        second.join(timeout=30)
        self.assertEqual(results["first"], {self.key})
        # at REPEATABLE READ the second run fails and is retried later, when the
        # occasion is already claimed; it never claims it a second time
        self.assertIn(results["second"], (set(), "SerializationFailure"))
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM sputnik_care_event WHERE key = %s", [self.key]
            )
            self.assertEqual(cr.fetchone()[0], 1)
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.assertEqual(
                env["sputnik.care.event"]._claim(
                    [
                        {
                            "key": self.key,
                            "occasion": "documents_ready",
                            "channel": "email",
                        }
                    ]
                ),
                set(),
            )
