"""Add to the classification benchmark's base the activity the reports read.

On a database filled by ``bench_classification_data.py`` (100,000 ``BENCH-``
clients and their ``BENCH/`` bookings), adds with ``INSERT ... SELECT
generate_series`` (not the ORM), reproducibly (``setseed``):

- the departures of the bench bookings: one per tour, company and departure
  date, from the bookings' dates, each booking's tour line linked to it (as a
  booking made in the app is), so that the reports read every booked seat;
- about 300,000 interactions (``sputnik_interaction``) over the bench clients
  and the last three years: calls, e-mails, messages, meetings, visits, offers
  with the client's reaction, the bookings and payments captured, and the
  feedback of the satisfaction surveys below, logged by the company's internal
  users;
- 30,000 opportunities (``crm_lead``): a third won and linked to a booking
  (``sale_order.opportunity_id``), the others open or lost, a fifth from a
  campaign;
- 3,000 complaints (``sputnik_complaint``) on departed bench bookings, in every
  stage and category, most resolved within a month;
- 4 UTM campaigns, 6 mailings and 200,000 mailing traces (sent, opened,
  clicked, replied, bounced); 5 % of the bench bookings from a campaign;
- 20,000 completed answers to the trip satisfaction survey
  (``survey_user_input`` with its CSAT, NPS and NPS category, and the booking it
  asks about), each recorded as a feedback interaction, as answering does.

The records are recognisable (``BENCH `` names, subjects and campaigns,
``bench-`` survey tokens); ``generate`` refuses to run twice on a database. As a
module, ``generate(cr)`` works in the caller's transaction and leaves the
commit to the caller.
"""

import logging
import time
from datetime import datetime

_logger = logging.getLogger("bench.reports_data")

SUPERUSER_ID = 1
MARK = "BENCH "
TOKEN = "bench-"

INTERACTIONS = 300_000
SURVEY_ANSWERS = 20_000
CAPTURED = 30_000  # bookings and payments captured
LEADS = 30_000
WON_LEADS = 10_000
COMPLAINTS = 3_000
CAMPAIGNS = 4
MAILINGS = 6
TRACES = 200_000
CAMPAIGN_ORDER_MODULO = 20  # 1 booking in 20 from a campaign
YEARS_DAYS = 3 * 365


class AlreadyGenerated(Exception):
    pass


def _flush(cr):
    transaction = getattr(cr, "transaction", None)
    if transaction is not None:
        transaction.flush()


def _invalidate(cr):
    transaction = getattr(cr, "transaction", None)
    if transaction is not None:
        transaction.cache.invalidate()


def _value(cr, query, params=None):
    cr.execute(query, params)
    row = cr.fetchone()
    return row[0] if row else None


def is_generated(cr):
    """Whether the activity was added already (any of its marks)."""
    cr.execute(
        """SELECT EXISTS (SELECT 1 FROM utm_campaign WHERE name LIKE %(mark)s)
               OR EXISTS (SELECT 1 FROM crm_lead WHERE name LIKE %(mark)s)
               OR EXISTS (SELECT 1 FROM sputnik_complaint WHERE subject LIKE %(mark)s)
               OR EXISTS (SELECT 1 FROM survey_user_input
                           WHERE access_token LIKE %(token)s)""",
        {"mark": f"{MARK}%", "token": f"{TOKEN}%"},
    )
    return cr.fetchone()[0]


def _context(cr, today):
    """The bench company, its users, the stages and the temporary tables of
    the bench clients and bookings."""
    company_id = _value(
        cr, "SELECT company_id FROM sale_order WHERE name LIKE 'BENCH/%%' LIMIT 1"
    )
    if not company_id:
        raise RuntimeError("No generated base: run bench_classification_data first.")
    cr.execute(
        """SELECT u.id FROM res_users u
             JOIN res_company_users_rel rel ON rel.user_id = u.id AND rel.cid = %s
            WHERE u.active AND NOT u.share AND u.id != %s
         ORDER BY u.id""",
        (company_id, SUPERUSER_ID),
    )
    agents = [row[0] for row in cr.fetchall()]
    if not agents:
        raise RuntimeError("No internal user in the bench company.")
    cr.execute("SELECT id FROM crm_stage WHERE is_won ORDER BY sequence, id")
    won = [row[0] for row in cr.fetchall()]
    cr.execute(
        "SELECT id FROM crm_stage WHERE is_won IS NOT TRUE ORDER BY sequence, id"
    )
    open_stages = [row[0] for row in cr.fetchall()]
    survey_id = _value(
        cr,
        """SELECT res_id FROM ir_model_data
            WHERE module = 'sputnik_crm' AND name = 'survey_trip_satisfaction'""",
    )
    cr.execute(
        """CREATE TEMP TABLE bench_client ON COMMIT DROP AS
           SELECT ROW_NUMBER() OVER (ORDER BY id)::int AS n, id, email
             FROM res_partner WHERE ref LIKE 'BENCH-%%'"""
    )
    cr.execute(
        """CREATE TEMP TABLE bench_order ON COMMIT DROP AS
           SELECT ROW_NUMBER() OVER (ORDER BY so.id)::int AS n, so.id,
                  COALESCE(so.sputnik_client_id, so.partner_id) AS partner_id,
                  so.date_order, so.sputnik_date_start AS date_start,
                  COALESCE(so.sputnik_date_end, so.sputnik_date_start) AS date_end,
                  so.user_id, so.team_id, so.amount_untaxed,
                  first_line.departure_id, departure.operator_id
             FROM sale_order so
             LEFT JOIN LATERAL (
                  SELECT MIN(line.sputnik_departure_id) AS departure_id
                    FROM sale_order_line line WHERE line.order_id = so.id
             ) first_line ON TRUE
             LEFT JOIN sputnik_departure departure
                  ON departure.id = first_line.departure_id
            WHERE so.name LIKE 'BENCH/%%' AND so.state = 'sale'
              AND so.sputnik_is_booking"""
    )
    cr.execute("ANALYZE bench_client")
    cr.execute("ANALYZE bench_order")
    return {
        "company": company_id,
        "agents": agents,
        "won": won,
        "open_stages": open_stages,
        "survey": survey_id,
        "clients": _value(cr, "SELECT COUNT(*) FROM bench_client"),
        "orders": _value(cr, "SELECT COUNT(*) FROM bench_order"),
        "now": today,
        "days": YEARS_DAYS,
        "mark": MARK,
        "token": TOKEN,
    }


# === UTM: campaigns, mailings, traces === #


def _departures(cr):
    """A departure per tour, company and date of the bench bookings, the tour
    line (the first) of each booking linked to its departure."""
    cr.execute(
        """
        CREATE TEMP TABLE bench_tour_line ON COMMIT DROP AS
        SELECT DISTINCT ON (line.order_id)
               line.id, template.id AS tour_id, so.company_id,
               so.sputnik_date_start AS date_start,
               COALESCE(so.sputnik_date_end, so.sputnik_date_start) AS date_end
          FROM sale_order_line line
          JOIN sale_order so ON so.id = line.order_id
          JOIN product_product product ON product.id = line.product_id
          JOIN product_template template ON template.id = product.product_tmpl_id
         WHERE so.name LIKE 'BENCH/%%'
           AND so.sputnik_date_start IS NOT NULL
           AND template.sputnik_is_tour
           AND line.sputnik_departure_id IS NULL
      ORDER BY line.order_id, line.sequence, line.id
        """
    )
    cr.execute(
        """
        INSERT INTO sputnik_departure (
               tour_id, company_id, state, sale_mode, date_start, date_end,
               nights, name,
               destination_id, operator_id, tour_type, create_uid, create_date,
               write_uid, write_date)
        SELECT line.tour_id, line.company_id,
               CASE WHEN line.date_start < CURRENT_DATE THEN 'done'
                    ELSE 'open' END,
               COALESCE(template.sputnik_sale_mode, 'principal'),
               line.date_start, MAX(line.date_end),
               MAX(line.date_end) - line.date_start,
               jsonb_build_object(
                   'en_US', %(mark)s || COALESCE(template.name->>'en_US', '')
                       || ' ' || to_char(line.date_start, 'DD.MM.YYYY')),
               template.sputnik_destination_id, template.sputnik_operator_id,
               template.sputnik_tour_type, %(uid)s, NOW(), %(uid)s, NOW()
          FROM bench_tour_line line
          JOIN product_template template ON template.id = line.tour_id
      GROUP BY line.tour_id, line.company_id, line.date_start, template.id
            -- a demo departure of the same tour and dates keeps its bookings
            ON CONFLICT DO NOTHING
        """,
        {"mark": MARK, "uid": SUPERUSER_ID},
    )
    departures = cr.rowcount
    cr.execute(
        """
        UPDATE sale_order_line line
           SET sputnik_departure_id = departure.id
          FROM bench_tour_line tour_line
          JOIN sputnik_departure departure
               ON departure.tour_id = tour_line.tour_id
              AND departure.company_id = tour_line.company_id
              AND departure.date_start = tour_line.date_start
              AND departure.name->>'en_US' LIKE %(mark)s
         WHERE line.id = tour_line.id
        """,
        {"mark": MARK + "%"},
    )
    lines = cr.rowcount
    cr.execute("ANALYZE sputnik_departure")
    cr.execute("ANALYZE sale_order_line")
    return {"departures": departures, "booked departure lines": lines}


def _campaigns(cr, params):
    cr.execute("""SELECT id FROM utm_medium WHERE name = 'Email' ORDER BY id LIMIT 1""")
    row = cr.fetchone()
    params["medium"] = row[0] if row else None
    params["utm_stage"] = _value(cr, "SELECT MIN(id) FROM utm_stage")
    params["partner_model"] = _value(
        cr, "SELECT id FROM ir_model WHERE model = 'res.partner'"
    )
    cr.execute(
        """INSERT INTO utm_campaign (name, title, user_id, stage_id, company_id,
                                     active, is_auto_campaign, color,
                                     create_uid, write_uid, create_date, write_date)
           SELECT %(mark)s || 'campaign ' || i,
                  jsonb_build_object('en_US', %(mark)s || 'campaign ' || i),
                  (%(agents)s::int[])[1 + i %% cardinality(%(agents)s::int[])],
                  %(utm_stage)s, %(company)s, TRUE, FALSE, 0,
                  1, 1, %(now)s, %(now)s
             FROM generate_series(1, %(campaigns)s) i
        RETURNING id""",
        {**params, "campaigns": CAMPAIGNS},
    )
    params["campaign_ids"] = sorted(row[0] for row in cr.fetchall())
    # one utm.source per mailing (mailing.mailing inherits it)
    cr.execute(
        """INSERT INTO utm_source (name, create_uid, write_uid, create_date, write_date)
           SELECT %(mark)s || 'mailing ' || i, 1, 1, %(now)s, %(now)s
             FROM generate_series(1, %(mailings)s) i
        RETURNING id""",
        {**params, "mailings": MAILINGS},
    )
    sources = sorted(row[0] for row in cr.fetchall())
    # mailings sent every half year over the last three years
    cr.execute(
        """INSERT INTO mailing_mailing (
                  source_id, mailing_model_id, subject, email_from, schedule_type,
                  state, mailing_type, campaign_id, medium_id, user_id, active,
                  body_html, body_arch, reply_to_mode, keep_archives,
                  ab_testing_enabled, sent_date, mailing_domain,
                  create_uid, write_uid, create_date, write_date)
           SELECT src.id, %(partner_model)s, %(mark)s || 'mailing ' || src.i,
                  'bench@example.com', 'now', 'done', 'mail',
                  (%(campaign_ids)s::int[])[1 + (src.i - 1) %% %(campaigns)s],
                  %(medium)s,
                  (%(agents)s::int[])[1 + src.i %% cardinality(%(agents)s::int[])],
                  TRUE, '<p>Bench</p>', '<p>Bench</p>', 'update', FALSE, FALSE,
                  %(now)s::timestamp
                      - make_interval(days => (30 + 180 * (src.i - 1))::int),
                  '[]',
                  1, 1,
                  %(now)s::timestamp
                      - make_interval(days => (32 + 180 * (src.i - 1))::int),
                  %(now)s
             FROM unnest(%(sources)s::int[]) WITH ORDINALITY AS src(id, i)
        RETURNING id""",
        {**params, "sources": sources, "campaigns": CAMPAIGNS},
    )
    params["mailing_ids"] = sorted(row[0] for row in cr.fetchall())
    # each mailing to a third of the clients, every client at most once per
    # mailing (7919 is prime to the client count: i -> i * 7919 is one-to-one)
    cr.execute(
        """WITH s AS (
               SELECT m.id AS mailing_id, m.campaign_id, m.sent_date, g.i,
                      ((g.i::bigint * 7919 + m.id::bigint * 104729)
                          %% %(clients)s + 1)::int AS cn,
                      random() AS r, random() AS r2
                 FROM mailing_mailing m
           CROSS JOIN generate_series(1, %(per_mailing)s) g(i)
                WHERE m.id = ANY(%(mailing_ids)s)
           )
           INSERT INTO mailing_trace (
                  trace_type, model, res_id, mass_mailing_id, campaign_id, email,
                  trace_status, failure_type, sent_datetime, open_datetime,
                  reply_datetime, links_click_datetime,
                  create_uid, write_uid, create_date, write_date)
           SELECT 'mail', 'res.partner', c.id, s.mailing_id, s.campaign_id,
                  COALESCE(c.email, 'client' || c.n || '@example.com'),
                  CASE WHEN s.r < 0.05 THEN 'bounce'
                       WHEN s.r < 0.60 THEN 'sent'
                       WHEN s.r < 0.95 THEN 'open'
                       ELSE 'reply' END,
                  CASE WHEN s.r < 0.05 THEN 'mail_bounce' END,
                  CASE WHEN s.r >= 0.05
                       THEN s.sent_date + make_interval(mins => (s.r2 * 60)::int) END,
                  CASE WHEN s.r >= 0.60
                       THEN s.sent_date + make_interval(hours => 1 + (s.r2 * 72)::int)
                  END,
                  CASE WHEN s.r >= 0.95
                       THEN s.sent_date + make_interval(hours => 2 + (s.r2 * 96)::int)
                  END,
                  CASE WHEN s.r >= 0.60 AND s.r2 < 0.35
                       THEN s.sent_date + make_interval(hours => 1 + (s.r2 * 80)::int)
                  END,
                  1, 1, s.sent_date, s.sent_date
             FROM s JOIN bench_client c ON c.n = s.cn""",
        {**params, "per_mailing": params["n_traces"] // MAILINGS},
    )
    traces = cr.rowcount
    # 5 % of the bookings from a campaign (its e-mail medium, its mailing source)
    cr.execute(
        """UPDATE sale_order so
              SET campaign_id = m.campaign_id, medium_id = m.medium_id,
                  source_id = m.source_id
             FROM mailing_mailing m
            WHERE so.name LIKE 'BENCH/%%' AND so.campaign_id IS NULL
              AND so.id %% %(modulo)s = 7
              AND m.id = (%(mailing_ids)s::int[])[
                  1 + (so.id / %(modulo)s) %% cardinality(%(mailing_ids)s::int[])]""",
        {**params, "modulo": CAMPAIGN_ORDER_MODULO},
    )
    return {
        "campaigns": CAMPAIGNS,
        "mailings": MAILINGS,
        "traces": traces,
        "orders from a campaign": cr.rowcount,
    }


# === OPPORTUNITIES === #


def _leads(cr, params):
    # won: one per booking drawn, created 1-20 days before the order
    cr.execute(
        """CREATE TEMP TABLE bench_won ON COMMIT DROP AS
           SELECT nextval('crm_lead_id_seq')::int AS id, o.n, o.id AS order_id,
                  o.partner_id, o.user_id, o.team_id, o.date_order, o.amount_untaxed
             FROM (SELECT * FROM bench_order ORDER BY random() LIMIT %(won)s) o""",
        {**params, "won": params["n_won_leads"]},
    )
    cr.execute(
        """INSERT INTO crm_lead (
                  id, name, type, partner_id, user_id, team_id, company_id,
                  stage_id, probability, automated_probability, active, priority,
                  expected_revenue, prorated_revenue, date_open, date_closed,
                  date_last_stage_update, campaign_id, source_id, medium_id,
                  create_uid, write_uid, create_date, write_date)
           SELECT w.id, %(mark)s || 'opportunity ' || w.n, 'opportunity',
                  w.partner_id, w.user_id, w.team_id, %(company)s,
                  %(won_stage)s, 100, 100, TRUE, '0',
                  w.amount_untaxed, w.amount_untaxed,
                  w.date_order - make_interval(days => 1 + w.n %% 20),
                  w.date_order, w.date_order,
                  CASE WHEN w.n %% 5 = 0
                       THEN (%(campaign_ids)s::int[])[1 + w.n %% %(campaigns)s] END,
                  NULL, NULL,
                  w.user_id, w.user_id,
                  w.date_order - make_interval(days => 1 + w.n %% 20), w.date_order
             FROM bench_won w""",
        {**params, "won_stage": params["won"][0], "campaigns": CAMPAIGNS},
    )
    won = cr.rowcount
    cr.execute(
        """UPDATE sale_order so SET opportunity_id = w.id
             FROM bench_won w WHERE so.id = w.order_id"""
    )
    linked = cr.rowcount
    # open (60 %) or lost (40 %), over three years
    cr.execute(
        """WITH s AS (
               SELECT i, random() AS r, random() AS r2,
                      (1 + floor(random() * %(clients)s))::int AS cn,
                      %(now)s::timestamp
                          - random() * make_interval(days => %(days)s) AS date
                 FROM generate_series(1, %(count)s) i
           )
           INSERT INTO crm_lead (
                  name, type, partner_id, user_id, team_id, company_id, stage_id,
                  probability, automated_probability, active, priority,
                  expected_revenue, prorated_revenue, date_open, date_closed,
                  date_last_stage_update, campaign_id,
                  create_uid, write_uid, create_date, write_date)
           SELECT %(mark)s || 'opportunity ' || (%(won)s + s.i), 'opportunity', c.id,
                  (%(agents)s::int[])[1 + s.i %% cardinality(%(agents)s::int[])],
                  NULL, %(company)s,
                  (%(open_stages)s::int[])[
                      1 + (s.r2 * 1000)::int %% cardinality(%(open_stages)s::int[])],
                  CASE WHEN s.r < 0.4 THEN 0 ELSE 10 + (s.r2 * 80)::int END,
                  CASE WHEN s.r < 0.4 THEN 0 ELSE 10 + (s.r2 * 80)::int END,
                  s.r >= 0.4, '0',
                  round((20000 + s.r2 * 80000)::numeric, 2),
                  round((20000 + s.r2 * 80000)::numeric, 2),
                  s.date, CASE WHEN s.r < 0.4 THEN s.date + interval '10 days' END,
                  s.date,
                  CASE WHEN s.i %% 5 = 0
                       THEN (%(campaign_ids)s::int[])[1 + s.i %% %(campaigns)s] END,
                  1, 1, s.date, s.date
             FROM s JOIN bench_client c ON c.n = s.cn""",
        {
            **params,
            "count": params["n_leads"] - won,
            "won": won,
            "campaigns": CAMPAIGNS,
        },
    )
    return {"opportunities": won + cr.rowcount, "won and booked": linked}


# === COMPLAINTS === #


def _complaints(cr, params):
    cr.execute(
        """WITH s AS (
               SELECT o.*, ROW_NUMBER() OVER ()::int AS i, random() AS r,
                      random() AS r2, random() AS r3
                 FROM (SELECT * FROM bench_order
                        WHERE date_start < %(now)s::date - 14
                        ORDER BY random() LIMIT %(count)s) o
           ), d AS (
               SELECT s.*,
                      s.date_start::timestamp + make_interval(
                          days => 1 + (s.r2 * 13)::int, hours => 9) AS opened,
                      CASE WHEN s.r < 0.10 THEN 'new'
                           WHEN s.r < 0.20 THEN 'in_progress'
                           WHEN s.r < 0.25 THEN 'waiting_operator'
                           WHEN s.r < 0.65 THEN 'resolved'
                           WHEN s.r < 0.95 THEN 'closed'
                           ELSE 'rejected' END AS stage
                 FROM s
           )
           INSERT INTO sputnik_complaint (
                  partner_id, company_id, name, subject, category, priority, stage,
                  date_open, date_resolved, deadline, order_id, departure_id,
                  operator_id, user_id, compensation_amount, recovered_amount,
                  escalated, create_uid, write_uid, create_date, write_date)
           SELECT d.partner_id, %(company)s,
                  'CMP/' || EXTRACT(YEAR FROM d.opened) || '/B'
                      || lpad(d.i::text, 5, '0'),
                  %(mark)s || 'complaint ' || d.i,
                  (ARRAY['hotel', 'transfer', 'flight', 'guide', 'agency', 'other'])[
                      1 + (d.r3 * 600)::int %% 6],
                  (ARRAY['0', '0', '0', '1', '1', '2'])[1 + (d.r2 * 600)::int %% 6],
                  d.stage, d.opened,
                  CASE WHEN d.stage IN ('resolved', 'closed', 'rejected')
                       THEN d.opened + make_interval(
                           hours => 4 + (d.r3 * 30 * 24)::int) END,
                  d.opened::date + 7, d.id, d.departure_id, d.operator_id,
                  COALESCE(d.user_id, (%(agents)s::int[])[1]),
                  CASE WHEN d.stage IN ('resolved', 'closed') AND d.r2 < 0.3
                       THEN round((500 + d.r3 * 4500)::numeric, 2) ELSE 0 END,
                  0, d.r < 0.03, 1, 1, d.opened, d.opened
             FROM d""",
        {**params, "count": params["n_complaints"]},
    )
    return {"complaints": cr.rowcount}


# === SURVEYS === #


def _surveys(cr, params):
    if not params["survey"]:
        return {"survey answers": 0}
    cr.execute(
        """WITH s AS (
               SELECT o.*, random() AS r, random() AS r2, random() AS r3
                 FROM (SELECT * FROM bench_order
                        WHERE date_end < %(now)s::date - 3
                        ORDER BY random() LIMIT %(count)s) o
           ), d AS (
               SELECT s.*,
                      s.date_end::timestamp
                          + make_interval(days => 1 + (s.r3 * 9)::int, hours => 10)
                          AS answered,
                      CASE WHEN s.r < 0.45 THEN 5 WHEN s.r < 0.75 THEN 4
                           WHEN s.r < 0.87 THEN 3 WHEN s.r < 0.95 THEN 2
                           ELSE 1 END AS csat,
                      LEAST(10, GREATEST(0,
                          CASE WHEN s.r < 0.45 THEN 9 WHEN s.r < 0.75 THEN 7
                               WHEN s.r < 0.87 THEN 5 ELSE 2 END
                          + (s.r2 * 2)::int)) AS nps
                 FROM s
           )
           INSERT INTO survey_user_input (
                  survey_id, access_token, partner_id, email, state, test_entry,
                  is_session_answer, survey_first_submitted, start_datetime,
                  end_datetime, sputnik_order_id, sputnik_csat, sputnik_nps,
                  sputnik_nps_category, create_uid, write_uid, create_date,
                  write_date)
           SELECT %(survey)s, %(token)s || d.id, d.partner_id, c.email, 'done',
                  FALSE, FALSE, TRUE, d.answered - interval '5 minutes', d.answered,
                  d.id, d.csat, d.nps,
                  CASE WHEN d.nps >= 9 THEN 'promoter'
                       WHEN d.nps >= 7 THEN 'passive' ELSE 'detractor' END,
                  1, 1, d.answered - interval '5 minutes', d.answered
             FROM d JOIN res_partner c ON c.id = d.partner_id""",
        {**params, "count": params["n_survey_answers"]},
    )
    answers = cr.rowcount
    # each answer recorded as a feedback interaction, as answering does
    cr.execute(
        """INSERT INTO sputnik_interaction (
                  partner_id, company_id, name, interaction_type, direction, date,
                  user_id, order_id, stage, satisfaction, automatic, event_key,
                  create_uid, write_uid, create_date, write_date)
           SELECT answer.partner_id, %(company)s,
                  %(mark)s || 'survey answered', 'feedback', 'inbound',
                  answer.end_datetime, so.user_id, so.id, 'after_sale',
                  answer.sputnik_csat::varchar, TRUE,
                  'survey_answered:' || answer.id,
                  1, 1, answer.end_datetime, answer.end_datetime
             FROM survey_user_input answer
             JOIN sale_order so ON so.id = answer.sputnik_order_id
            WHERE answer.access_token LIKE %(token_like)s""",
        {**params, "token_like": f"{TOKEN}%"},
    )
    return {"survey answers": answers, "feedback interactions": cr.rowcount}


# === INTERACTIONS === #


def _interactions(cr, params, already):
    # bookings confirmed and payments received, captured on their bookings
    cr.execute(
        """WITH s AS (
               SELECT i, (1 + floor(random() * %(orders)s))::int AS on_,
                      random() AS r
                 FROM generate_series(1, %(count)s) i
           )
           INSERT INTO sputnik_interaction (
                  partner_id, company_id, name, interaction_type, direction, date,
                  user_id, order_id, stage, automatic,
                  create_uid, write_uid, create_date, write_date)
           SELECT o.partner_id, %(company)s,
                  %(mark)s || CASE WHEN s.r < 0.6 THEN 'booking' ELSE 'payment' END,
                  CASE WHEN s.r < 0.6 THEN 'booking' ELSE 'payment' END, 'inbound',
                  o.date_order + CASE WHEN s.r < 0.6 THEN interval '0 days'
                                      ELSE make_interval(days => (s.r * 20)::int) END,
                  o.user_id, o.id, 'after_sale', TRUE,
                  1, 1, o.date_order, o.date_order
             FROM s JOIN bench_order o ON o.n = s.on_""",
        {**params, "count": params["n_captured"]},
    )
    captured = cr.rowcount
    # contacts logged by the agents
    cr.execute(
        """WITH s AS (
               SELECT i, (1 + floor(random() * %(clients)s))::int AS cn,
                      random() AS r, random() AS r2, random() AS r3,
                      %(now)s::timestamp
                          - random() * make_interval(days => %(days)s) AS date
                 FROM generate_series(1, %(count)s) i
           ), t AS (
               SELECT s.*,
                      CASE WHEN s.r < 0.30 THEN 'call'
                           WHEN s.r < 0.45 THEN 'email'
                           WHEN s.r < 0.58 THEN 'messenger'
                           WHEN s.r < 0.65 THEN 'meeting'
                           WHEN s.r < 0.70 THEN 'visit'
                           ELSE 'offer' END AS kind
                 FROM s
           )
           INSERT INTO sputnik_interaction (
                  partner_id, company_id, name, interaction_type, direction, date,
                  user_id, stage, reaction, duration, automatic,
                  create_uid, write_uid, create_date, write_date)
           SELECT c.id, %(company)s, %(mark)s || t.kind || ' ' || t.i, t.kind,
                  CASE WHEN t.kind != 'offer' AND t.r3 < 0.3
                       THEN 'inbound' ELSE 'outbound' END,
                  t.date,
                  (%(agents)s::int[])[1 + t.i %% cardinality(%(agents)s::int[])],
                  CASE WHEN t.kind = 'offer' THEN 'sale' ELSE 'pre_sale' END,
                  CASE WHEN t.kind = 'offer' THEN
                      CASE WHEN t.r2 < 0.25 THEN 'accepted'
                           WHEN t.r2 < 0.50 THEN 'interested'
                           WHEN t.r2 < 0.75 THEN 'declined'
                           WHEN t.r2 < 0.90 THEN 'postponed'
                           ELSE 'no_answer' END END,
                  CASE WHEN t.kind IN ('call', 'meeting')
                       THEN round((0.1 + t.r3 * 0.9)::numeric, 2) END,
                  FALSE, 1, 1, t.date, t.date
             FROM t JOIN bench_client c ON c.n = t.cn""",
        {**params, "count": params["n_interactions"] - already - captured},
    )
    return {"interactions": already + captured + cr.rowcount}


def generate(cr, today=None, seed=0.42, scale=1):
    """Add the activity in the cursor's transaction; ``{what: rows}``. ``scale``
    multiplies every count (10 for the 1,000,000-client base)."""
    if is_generated(cr):
        raise AlreadyGenerated(
            "The database already holds the reports' activity (BENCH campaigns, "
            "opportunities, complaints or survey answers)."
        )
    _flush(cr)
    today = today or datetime.now().replace(microsecond=0)
    cr.execute("SELECT setseed(%s)", (seed,))
    started = time.perf_counter()
    counts = _departures(cr)
    _logger.info("%6.1fs  departures", time.perf_counter() - started)
    params = _context(cr, today)
    # the counts of this base, flat (every value goes to psycopg2)
    params |= {
        f"n_{name.lower()}": count * scale
        for name, count in (
            ("INTERACTIONS", INTERACTIONS),
            ("SURVEY_ANSWERS", SURVEY_ANSWERS),
            ("CAPTURED", CAPTURED),
            ("LEADS", LEADS),
            ("WON_LEADS", WON_LEADS),
            ("COMPLAINTS", COMPLAINTS),
            ("TRACES", TRACES),
        )
    }
    for label, step in (
        ("campaigns, mailings, traces", _campaigns),
        ("opportunities", _leads),
        ("complaints", _complaints),
        ("survey answers", _surveys),
    ):
        started = time.perf_counter()
        counts.update(step(cr, params))
        _logger.info("%6.1fs  %s", time.perf_counter() - started, label)
    started = time.perf_counter()
    counts.update(_interactions(cr, params, counts.get("feedback interactions", 0)))
    _logger.info("%6.1fs  interactions", time.perf_counter() - started)
    for table in (
        "sputnik_interaction",
        "crm_lead",
        "sputnik_complaint",
        "mailing_trace",
        "mailing_mailing",
        "utm_campaign",
        "survey_user_input",
        "sale_order",
    ):
        cr.execute(f"ANALYZE {table}")
    _invalidate(cr)
    return counts
