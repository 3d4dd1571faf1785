"""The barrier e-mails' outbox becomes everyone's notifications: its rows move here (already read: they
are history, not news), with their kind read off their key."""

from django.db import migrations


# One statement, in SQL: the rows keep their times (auto_now_add would restamp them through the ORM).
COPY = """
INSERT INTO notifications_notification (key, recipient_id, kind, subject, body, url, email, created_at, read_at, sent_at)
SELECT key, recipient_id,
       CASE WHEN key LIKE 'digest:%%' THEN 'barrier_overdue'
            WHEN subject LIKE '%%is now%%' OR subject LIKE '%%теперь%%' THEN 'barrier_status'
            ELSE 'barrier_assigned' END,
       subject, body, COALESCE('/barriers/' || barrier_id || '/', ''), true, created_at, created_at, sent_at
FROM barriers_notification
"""


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("barriers", "0001_initial"),
    ]

    operations = [migrations.RunSQL(COPY.replace("%%", "%"), migrations.RunSQL.noop)]
