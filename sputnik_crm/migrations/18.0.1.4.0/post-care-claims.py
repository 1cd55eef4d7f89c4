"""Client care has one "do it once": the care log's unique key. The birthday
greetings (marked on the client by the year greeted), the next-trip calls
(marked by the expected trip called for), the dormant-client activities and
the unhappy-answer call-backs (planned as they happened) are claimed in the
log for what was already done, so that the daily care run does not do it a
second time. Idempotent: a key already claimed is left as it is."""


def migrate(cr, version):
    # greeted this year, dated on this year's birthday
    cr.execute(
        """
        INSERT INTO sputnik_care_event (key, occasion, channel, date, partner_id,
               user_id, company_id, create_uid, create_date, write_uid, write_date)
        SELECT 'birthday:' || p.id || ':' || p.sputnik_birthday_year,
               'birthday', 'email',
               LEAST(b.first + (EXTRACT(DAY FROM p.sputnik_birthdate)::int - 1),
                     (b.first + INTERVAL '1 month - 1 day')::date),
               p.id, p.user_id, COALESCE(p.company_id, u.company_id),
               1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
          FROM res_partner p
          LEFT JOIN res_users u ON u.id = p.user_id
         CROSS JOIN LATERAL (
                SELECT make_date(p.sputnik_birthday_year,
                                 EXTRACT(MONTH FROM p.sputnik_birthdate)::int,
                                 1) AS first
               ) b
         WHERE p.sputnik_birthdate IS NOT NULL
           AND p.sputnik_birthday_year = EXTRACT(YEAR FROM now())::int
            ON CONFLICT (key) DO NOTHING
        """
    )
    # a call planned for the trip still expected
    cr.execute(
        """
        INSERT INTO sputnik_care_event (key, occasion, channel, date, partner_id,
               user_id, company_id, create_uid, create_date, write_uid, write_date)
        SELECT 'next_trip_call:' || p.id || ':'
                   || to_char(p.sputnik_next_trip_date, 'YYYY-MM-DD'),
               'next_trip_call', 'task', now() AT TIME ZONE 'UTC',
               p.id, p.user_id, COALESCE(p.company_id, u.company_id),
               1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
          FROM res_partner p
          LEFT JOIN res_users u ON u.id = p.user_id
         WHERE p.sputnik_next_trip_call_date = p.sputnik_next_trip_date
           AND p.sputnik_next_trip_date >= CURRENT_DATE - 1
            ON CONFLICT (key) DO NOTHING
        """
    )
    # the changes to dormant and the unhappy answers the daily run looks back
    # on (a month): their activities were planned when they happened
    cr.execute(
        """
        INSERT INTO sputnik_care_event (key, occasion, channel, date, partner_id,
               user_id, company_id, create_uid, create_date, write_uid, write_date)
        SELECT 'dormant_reactivation:' || h.id, 'dormant_reactivation', 'task',
               h.date, h.partner_id, p.user_id, COALESCE(p.company_id, u.company_id),
               1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
          FROM sputnik_client_class_history h
          JOIN res_partner p ON p.id = h.partner_id
          LEFT JOIN res_users u ON u.id = p.user_id
         WHERE h.lifecycle_new = 'dormant'
           AND h.lifecycle_old IS NOT NULL
           AND h.lifecycle_old <> 'dormant'
           AND h.date >= now() AT TIME ZONE 'UTC' - INTERVAL '32 days'
            ON CONFLICT (key) DO NOTHING
        """
    )
    cr.execute(
        """
        INSERT INTO sputnik_care_event (key, occasion, channel, date, partner_id,
               order_id, user_id, company_id,
               create_uid, create_date, write_uid, write_date)
        SELECT 'unhappy_answer:' || a.id, 'unhappy_answer', 'task',
               a.end_datetime, COALESCE(p.commercial_partner_id, p.id), o.id,
               COALESCE(o.user_id, c.user_id),
               COALESCE(o.company_id, c.company_id, u.company_id),
               1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
          FROM survey_user_input a
          JOIN res_partner p ON p.id = a.partner_id
          JOIN res_partner c ON c.id = COALESCE(p.commercial_partner_id, p.id)
          LEFT JOIN sale_order o ON o.id = a.sputnik_order_id
          LEFT JOIN res_users u ON u.id = c.user_id
         WHERE a.state = 'done'
           AND a.end_datetime >= now() AT TIME ZONE 'UTC' - INTERVAL '32 days'
           AND (a.sputnik_nps_category = 'detractor'
                OR a.sputnik_csat BETWEEN 1 AND 2)
            ON CONFLICT (key) DO NOTHING
        """
    )
