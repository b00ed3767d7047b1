"""The queue database: its tables, indexes, triggers and migrations, and SQL text shared by its readers.

Migrations only ever append (kiosk.storage.store.Schema applies the ones a file has not seen yet):
never edit a step that has shipped.
"""

from __future__ import annotations

from kiosk.storage.store import Schema

QUEUE_SCHEMA = Schema("queue", [
    """
    CREATE TABLE tickets (
        id TEXT PRIMARY KEY,
        number TEXT NOT NULL,
        service_code TEXT NOT NULL,
        issued_service TEXT NOT NULL,
        prefix TEXT NOT NULL,
        seq INTEGER NOT NULL,
        day TEXT NOT NULL,
        priority TEXT,
        state TEXT NOT NULL,
        arrived_at TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        called_at TEXT,
        started_at TEXT,
        finished_at TEXT,
        counter INTEGER,
        recalls INTEGER NOT NULL DEFAULT 0,
        request_id TEXT NOT NULL UNIQUE,
        identity_status TEXT NOT NULL DEFAULT 'none',
        nik_masked TEXT,
        lang TEXT NOT NULL DEFAULT 'id',
        application_id TEXT
    );
    CREATE UNIQUE INDEX tickets_number ON tickets(day, number);
    CREATE INDEX tickets_waiting ON tickets(day, service_code, arrived_at, id) WHERE state = 'issued';
    CREATE INDEX tickets_quota ON tickets(day, issued_service);
    CREATE INDEX tickets_done ON tickets(service_code, finished_at) WHERE state = 'done';
    CREATE INDEX tickets_at_counter ON tickets(counter, day) WHERE state IN ('called', 'serving');
    CREATE TABLE sequences (
        day TEXT NOT NULL,
        prefix TEXT NOT NULL,
        last_seq INTEGER NOT NULL,
        PRIMARY KEY (day, prefix)
    ) WITHOUT ROWID;
    CREATE TABLE counter_streaks (
        day TEXT NOT NULL,
        counter INTEGER NOT NULL,
        priority_streak INTEGER NOT NULL,
        PRIMARY KEY (day, counter)
    ) WITHOUT ROWID;
    CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ticket_id TEXT NOT NULL REFERENCES tickets(id),
        at TEXT NOT NULL,
        type TEXT NOT NULL,
        actor TEXT NOT NULL,
        counter INTEGER,
        detail TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX events_ticket ON events(ticket_id, id);
    CREATE INDEX events_by_type ON events(type, at);
    CREATE INDEX events_by_counter ON events(counter, at);
    """,
    # Call-next looks up the head of each service's priority or normal line: one index seek per
    # service instead of sorting every waiting ticket of the counter's services (3,000 waiting made
    # call-next 3.5× slower with the first index alone).
    """
    CREATE INDEX tickets_line_head ON tickets(day, service_code, (priority IS NULL), arrived_at, id)
        WHERE state = 'issued';
    """,
    # The counter's view of the application filed with a ticket (kiosk.queue.models.ApplicationView).
    # Its answers are personal data (UU 27/2022): kept for the ticket's day only, then deleted
    # (purge_application_views: when the queue starts, at each attach, and on the host's timer).
    """
    CREATE TABLE ticket_applications (
        ticket_id TEXT PRIMARY KEY REFERENCES tickets(id),
        day TEXT NOT NULL,
        application_id TEXT NOT NULL,
        number TEXT NOT NULL,
        view TEXT NOT NULL,
        attached_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX ticket_applications_by_day ON ticket_applications(day);
    """,
    # tickets_line_head answers every lookup tickets_waiting did (no query plan used it any more);
    # one index fewer to write at each issue and call.
    """
    DROP INDEX IF EXISTS tickets_waiting;
    """,
    # Running counts, kept by triggers whatever statement changes a ticket: how many wait in each
    # service line (priority or normal) and how many were issued per service and day. Issuing read
    # both with COUNT(*), which walks the line: with 450 waiting per service that was a quarter of
    # an issue's cost, and it grows with the line (bench/queue_host.py).
    """
    CREATE TABLE line_counts (
        day TEXT NOT NULL,
        service_code TEXT NOT NULL,
        priority_line INTEGER NOT NULL,
        waiting INTEGER NOT NULL,
        PRIMARY KEY (day, service_code, priority_line)
    ) WITHOUT ROWID;
    CREATE TABLE issued_counts (
        day TEXT NOT NULL,
        service_code TEXT NOT NULL,
        issued INTEGER NOT NULL,
        PRIMARY KEY (day, service_code)
    ) WITHOUT ROWID;
    INSERT INTO line_counts(day, service_code, priority_line, waiting)
        SELECT day, service_code, priority IS NOT NULL, COUNT(*) FROM tickets WHERE state = 'issued'
        GROUP BY day, service_code, priority IS NOT NULL;
    INSERT INTO issued_counts(day, service_code, issued)
        SELECT day, issued_service, COUNT(*) FROM tickets GROUP BY day, issued_service;
    CREATE TRIGGER tickets_count_issued AFTER INSERT ON tickets BEGIN
        INSERT INTO issued_counts(day, service_code, issued) VALUES (NEW.day, NEW.issued_service, 1)
            ON CONFLICT(day, service_code) DO UPDATE SET issued = issued + 1;
    END;
    CREATE TRIGGER tickets_line_join_new AFTER INSERT ON tickets WHEN NEW.state = 'issued' BEGIN
        INSERT INTO line_counts(day, service_code, priority_line, waiting)
            VALUES (NEW.day, NEW.service_code, NEW.priority IS NOT NULL, 1)
            ON CONFLICT(day, service_code, priority_line) DO UPDATE SET waiting = waiting + 1;
    END;
    CREATE TRIGGER tickets_line_leave AFTER UPDATE OF state, service_code, priority, day ON tickets
        WHEN OLD.state = 'issued' BEGIN
        UPDATE line_counts SET waiting = waiting - 1
            WHERE day = OLD.day AND service_code = OLD.service_code AND priority_line = (OLD.priority IS NOT NULL);
    END;
    CREATE TRIGGER tickets_line_join AFTER UPDATE OF state, service_code, priority, day ON tickets
        WHEN NEW.state = 'issued' BEGIN
        INSERT INTO line_counts(day, service_code, priority_line, waiting)
            VALUES (NEW.day, NEW.service_code, NEW.priority IS NOT NULL, 1)
            ON CONFLICT(day, service_code, priority_line) DO UPDATE SET waiting = waiting + 1;
    END;
    CREATE TRIGGER tickets_line_delete AFTER DELETE ON tickets WHEN OLD.state = 'issued' BEGIN
        UPDATE line_counts SET waiting = waiting - 1
            WHERE day = OLD.day AND service_code = OLD.service_code AND priority_line = (OLD.priority IS NOT NULL);
    END;
    DROP INDEX tickets_quota;  -- its one use was that count (a day's tickets: tickets_number's prefix)
    DROP INDEX events_by_counter;  -- only events at a counter are looked up by counter: issuing skips it
    CREATE INDEX events_by_counter ON events(counter, at) WHERE counter IS NOT NULL;
    """,
    # Repairs of stored data that need Python (kiosk.queue.repairs): a migration files them here, the
    # engine runs each once when it opens the file and deletes its row. ``mask_niks``: versions before
    # issue 21 stored whatever a kiosk sent as ``nik_masked``, a full NIK included.
    """
    CREATE TABLE pending_repairs (name TEXT PRIMARY KEY) WITHOUT ROWID;
    INSERT INTO pending_repairs(name) VALUES ('mask_niks');
    """,
    # Calls for staff from a kiosk (kiosk.queue.help) and their audit trail: events of a ticket need
    # a ticket, so help requests keep their own. One open request per kiosk, by the unique index.
    """
    CREATE TABLE help_requests (
        id TEXT PRIMARY KEY,
        kiosk TEXT NOT NULL,
        state TEXT NOT NULL,
        raised_at TEXT NOT NULL,
        acknowledged_at TEXT,
        acknowledged_by TEXT,
        counter INTEGER,
        clerk TEXT,
        closed_at TEXT,
        close_reason TEXT,
        changed_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX help_requests_one_open ON help_requests(kiosk) WHERE state != 'closed';
    CREATE INDEX help_requests_open ON help_requests(changed_at) WHERE state != 'closed';
    CREATE TABLE help_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id TEXT NOT NULL REFERENCES help_requests(id),
        at TEXT NOT NULL,
        type TEXT NOT NULL,
        actor TEXT NOT NULL,
        counter INTEGER,
        detail TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX help_events_by_request ON help_events(request_id, id);
    """,
    # Bookings (issue 19, kiosk.queue.bookings). ``bookings``: the day's bookings as last downloaded
    # from the central API (a day is replaced whole, cancellations included). ``booking_checkins``: one
    # row per booking checked in, whether it was downloaded or only verified from its code; its
    # primary key makes the check-in idempotent (two kiosks at once: one ticket). ``tickets.booking``:
    # the booked slot ("HH:MM", local) of a ticket that keeps its booking, which calling puts ahead of
    # the walk-ins of its service once the slot has come (kiosk.queue.calling).
    """
    ALTER TABLE tickets ADD COLUMN booking TEXT;
    CREATE INDEX tickets_booked_head ON tickets(day, booking, arrived_at, id)
        WHERE state = 'issued' AND booking IS NOT NULL;
    CREATE TABLE bookings (
        code TEXT PRIMARY KEY,
        day TEXT NOT NULL,
        service_code TEXT NOT NULL,
        slot TEXT NOT NULL,
        nik_masked TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL CHECK (state IN ('booked', 'cancelled')),
        created_at TEXT,
        cancelled_at TEXT,
        downloaded_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX bookings_by_day ON bookings(day, service_code);
    CREATE TABLE booking_checkins (
        code TEXT PRIMARY KEY,
        day TEXT NOT NULL,
        service_code TEXT NOT NULL,
        slot TEXT NOT NULL,
        ticket_id TEXT NOT NULL UNIQUE REFERENCES tickets(id),
        arrival TEXT NOT NULL,
        choice TEXT NOT NULL,
        kiosk TEXT NOT NULL,
        request_id TEXT NOT NULL,
        checked_in_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX booking_checkins_by_day ON booking_checkins(day);
    """,
])

# The events that show a ticket at a counter on the board (the latest one wins).
CALL_EVENTS = "('called', 'recalled')"
# Call order inside one service line: priority first, then arrival, then id (stable tie-break).
LINE_ORDER = "(priority IS NULL), arrived_at, id"
