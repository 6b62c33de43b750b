"""Who is "me" in chat exports imported without `--me`.

A WhatsApp export names every sender, the person included, and does not say which one is
the person: its messages come in as direction 'unknown'. Once a person's store holds two
chats or more (imports of the whatsapp source with rows), the one sender present in every
chat is taken to be the person: their messages become 'out' (to the other member of a
one-to-one chat, or to no single contact in a group), everybody else's 'in'. With one chat,
or when several senders are in every chat, the messages stay 'unknown'; importing again with
`--me NAME` settles them (the rows' uid does not depend on their direction). Only the
pseudonymised contact ids are compared: no name is read.
"""

from __future__ import annotations

from ..store import Store

CHAT_SOURCE = "whatsapp"


def settle_chat_directions(store: Store, person_id: str) -> int:
    """Give 'unknown' chat messages of `person_id` their direction when the person can be
    recognised; returns how many messages were settled."""
    chats = """
        SELECT c.import_id, c.contact_id FROM calls c JOIN imports i USING (import_id)
        WHERE c.person_id = $p AND c.channel = 'chat' AND i.source = $src
          AND c.contact_id IS NOT NULL GROUP BY ALL"""
    found = store.con.execute(f"""
        WITH chats AS ({chats}),
             everywhere AS (SELECT contact_id FROM chats GROUP BY contact_id
                            HAVING count(*) = (SELECT count(DISTINCT import_id) FROM chats))
        SELECT (SELECT count(DISTINCT import_id) FROM chats), list(contact_id)
        FROM everywhere""", {"p": person_id, "src": CHAT_SOURCE}).fetchall()
    n_chats, me = found[0]
    unknown = store.run("SELECT count(*) FROM calls WHERE person_id = ? AND channel = 'chat'"
                        " AND direction = 'unknown'", [person_id])[0][0]
    if not unknown or n_chats < 2 or not me or len(me) != 1:
        return 0
    with store.transaction():
        # the person's messages: to the one other member of a one-to-one chat, else nobody
        store.con.execute(f"""
            WITH chats AS ({chats}),
                 other AS (SELECT import_id, any_value(contact_id) AS contact_id FROM chats
                           WHERE contact_id <> $me GROUP BY import_id HAVING count(*) = 1)
            UPDATE calls SET direction = 'out',
                   contact_id = (SELECT o.contact_id FROM other o
                                 WHERE o.import_id = calls.import_id)
            WHERE person_id = $p AND channel = 'chat' AND direction = 'unknown'
              AND contact_id = $me""", {"p": person_id, "src": CHAT_SOURCE, "me": me[0]})
        store.run("UPDATE calls SET direction = 'in' WHERE person_id = ? AND channel = 'chat'"
                  " AND direction = 'unknown'", [person_id])
    return int(unknown)


def settle_many(store: Store, persons: list[str]) -> None:
    """`settle_chat_directions` for several persons at once, in the caller's transaction
    (a cohort batch): the same rules, each person's chats on their own."""
    if not persons:
        return
    store.con.execute("""
        CREATE OR REPLACE TEMP TABLE _chat_me AS
        WITH chats AS (
            SELECT c.person_id, c.import_id, c.contact_id
            FROM calls c JOIN imports i USING (import_id)
            WHERE list_contains($persons, c.person_id) AND c.channel = 'chat'
              AND i.source = $src AND c.contact_id IS NOT NULL GROUP BY ALL),
        n AS (SELECT person_id, count(DISTINCT import_id) AS n FROM chats GROUP BY ALL),
        everywhere AS (SELECT person_id, contact_id FROM chats JOIN n USING (person_id)
                       GROUP BY person_id, contact_id, n HAVING count(*) = n)
        SELECT person_id, any_value(contact_id) AS me FROM everywhere
        WHERE person_id IN (SELECT person_id FROM n WHERE n >= 2)
        GROUP BY person_id HAVING count(*) = 1""",
                      {"persons": persons, "src": CHAT_SOURCE}).fetchall()
    store.con.execute("""
        WITH chats AS (
            SELECT c.import_id, c.contact_id, m.me FROM calls c
            JOIN imports i USING (import_id) JOIN _chat_me m ON m.person_id = c.person_id
            WHERE c.channel = 'chat' AND i.source = $src AND c.contact_id IS NOT NULL
            GROUP BY ALL),
        other AS (SELECT import_id, any_value(contact_id) AS contact_id FROM chats
                  WHERE contact_id <> me GROUP BY import_id HAVING count(*) = 1)
        UPDATE calls SET direction = 'out',
               contact_id = (SELECT o.contact_id FROM other o
                             WHERE o.import_id = calls.import_id)
        FROM _chat_me m
        WHERE calls.person_id = m.person_id AND channel = 'chat' AND direction = 'unknown'
          AND calls.contact_id = m.me""", {"src": CHAT_SOURCE}).fetchall()
    store.run("UPDATE calls SET direction = 'in' FROM _chat_me m WHERE calls.person_id ="
              " m.person_id AND channel = 'chat' AND direction = 'unknown'")
    store.run("DROP TABLE _chat_me")
