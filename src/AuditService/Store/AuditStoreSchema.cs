namespace AuditService.Store;

/// <summary>
/// AuditService's schema: its migrations, in order, for each provider. The tables and columns are the
/// same; only the types are spelled in each dialect (hashes are computed in C#, so no function differs).
/// </summary>
internal static class AuditStoreSchema
{
    public static readonly IReadOnlyList<string> Migrations =
    [
        """
        CREATE TABLE audit_events (
            seq               INTEGER PRIMARY KEY AUTOINCREMENT,
            source            TEXT    NOT NULL,
            id                TEXT    NOT NULL,
            type              TEXT    NOT NULL,
            specversion       TEXT    NOT NULL,
            subject           TEXT,
            time              TEXT,
            time_unix_ms      INTEGER,
            datacontenttype   TEXT,
            dataschema        TEXT,
            extensions        TEXT    NOT NULL,
            data_json         TEXT,
            data_bytes        BLOB,
            kafka_topic       TEXT,
            kafka_partition   INTEGER,
            kafka_offset      INTEGER,
            received_at       TEXT    NOT NULL,
            received_unix_ms  INTEGER NOT NULL,
            UNIQUE (source, id)
        );
        CREATE INDEX audit_events_type ON audit_events (type, seq);
        CREATE INDEX audit_events_subject ON audit_events (subject, seq);
        CREATE INDEX audit_events_time ON audit_events (time_unix_ms);
        CREATE INDEX audit_events_received ON audit_events (received_unix_ms);
        """,
        // Newest-first pages of one source walk this index and stop at the page size; without it the
        // (source, id) index found every row of the source and sorted them: 100 ms a page at 100,000 rows.
        "CREATE INDEX audit_events_source ON audit_events (source, seq);",
        // Tamper evidence (issue 17). seq becomes the chain position: written explicitly from the head
        // row inside the write transaction, so it has no gaps and follows commit order. The head row,
        // the signed checkpoints and the conflicting copies get tables of their own. Rows stored before
        // this migration are linked (and renumbered without gaps) when the chain is created.
        """
        ALTER TABLE audit_events ADD COLUMN ingested_by TEXT;
        ALTER TABLE audit_events ADD COLUMN content_hash BLOB;
        ALTER TABLE audit_events ADD COLUMN chain_hash BLOB;
        CREATE TABLE audit_chain (
            id        INTEGER PRIMARY KEY CHECK (id = 1),
            store_id  TEXT,
            position  INTEGER NOT NULL,
            hash      BLOB
        );
        INSERT INTO audit_chain (id, store_id, position, hash) VALUES (1, NULL, 0, NULL);
        CREATE TABLE audit_checkpoints (
            number      INTEGER PRIMARY KEY AUTOINCREMENT,
            kind        TEXT    NOT NULL,
            position    INTEGER NOT NULL,
            hash        BLOB    NOT NULL,
            created_at  TEXT    NOT NULL,
            statement   TEXT    NOT NULL,
            key_id      TEXT    NOT NULL,
            signature   BLOB    NOT NULL
        );
        CREATE INDEX audit_checkpoints_position ON audit_checkpoints (position);
        CREATE TABLE audit_conflicts (
            number               INTEGER PRIMARY KEY AUTOINCREMENT,
            source               TEXT    NOT NULL,
            id                   TEXT    NOT NULL,
            stored_content_hash  BLOB    NOT NULL,
            copy_content_hash    BLOB    NOT NULL,
            copy_event           TEXT    NOT NULL,
            kafka_topic          TEXT,
            kafka_partition      INTEGER,
            kafka_offset         INTEGER,
            ingested_by          TEXT,
            first_seen           TEXT    NOT NULL,
            last_seen            TEXT    NOT NULL,
            last_seen_unix_ms    INTEGER NOT NULL,
            copies               INTEGER NOT NULL,
            UNIQUE (source, id, copy_content_hash)
        );
        CREATE INDEX audit_conflicts_seen ON audit_conflicts (last_seen_unix_ms);
        """,
        // The actor (issue 12): the auth context extension's authtype and authid as indexed columns,
        // copies of the extensions (which the hashes cover; verification checks the copies still match).
        // Rows stored before this are filled from their extensions (json_extract: SQLite's dialect).
        """
        ALTER TABLE audit_events ADD COLUMN authtype TEXT;
        ALTER TABLE audit_events ADD COLUMN authid TEXT;
        UPDATE audit_events SET authtype = json_extract(extensions, '$.authtype'), authid = json_extract(extensions, '$.authid')
            WHERE extensions LIKE '%"auth%';
        CREATE INDEX audit_events_authid ON audit_events (authid, seq);
        CREATE INDEX audit_events_authtype ON audit_events (authtype, seq);
        """,
    ];

    /// <summary>
    /// The PostgreSQL schema: the SQLite migrations' end state in one step (PostgreSQL support began
    /// after them). <c>seq</c> is the chain position, written by the writer that holds the head row's
    /// lock, so it needs no sequence; numbers of checkpoints and conflicts are identities.
    /// </summary>
    public static readonly IReadOnlyList<string> PostgresMigrations =
    [
        """
        CREATE TABLE audit_events (
            seq               bigint  PRIMARY KEY,
            source            text    NOT NULL,
            id                text    NOT NULL,
            type              text    NOT NULL,
            specversion       text    NOT NULL,
            subject           text,
            time              text,
            time_unix_ms      bigint,
            datacontenttype   text,
            dataschema        text,
            extensions        text    NOT NULL,
            data_json         text,
            data_bytes        bytea,
            kafka_topic       text,
            kafka_partition   integer,
            kafka_offset      bigint,
            received_at       text    NOT NULL,
            received_unix_ms  bigint  NOT NULL,
            ingested_by       text,
            content_hash      bytea,
            chain_hash        bytea,
            authtype          text,
            authid            text,
            UNIQUE (source, id)
        );
        CREATE INDEX audit_events_type ON audit_events (type, seq);
        CREATE INDEX audit_events_subject ON audit_events (subject, seq);
        CREATE INDEX audit_events_time ON audit_events (time_unix_ms);
        CREATE INDEX audit_events_received ON audit_events (received_unix_ms);
        CREATE INDEX audit_events_source ON audit_events (source, seq);
        CREATE INDEX audit_events_authid ON audit_events (authid, seq);
        CREATE INDEX audit_events_authtype ON audit_events (authtype, seq);
        CREATE TABLE audit_chain (
            id        integer PRIMARY KEY CHECK (id = 1),
            store_id  text,
            position  bigint  NOT NULL,
            hash      bytea
        );
        INSERT INTO audit_chain (id, store_id, position, hash) VALUES (1, NULL, 0, NULL);
        CREATE TABLE audit_checkpoints (
            number      bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            kind        text    NOT NULL,
            position    bigint  NOT NULL,
            hash        bytea   NOT NULL,
            created_at  text    NOT NULL,
            statement   text    NOT NULL,
            key_id      text    NOT NULL,
            signature   bytea   NOT NULL
        );
        CREATE INDEX audit_checkpoints_position ON audit_checkpoints (position);
        CREATE TABLE audit_conflicts (
            number               bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            source               text    NOT NULL,
            id                   text    NOT NULL,
            stored_content_hash  bytea   NOT NULL,
            copy_content_hash    bytea   NOT NULL,
            copy_event           text    NOT NULL,
            kafka_topic          text,
            kafka_partition      integer,
            kafka_offset         bigint,
            ingested_by          text,
            first_seen           text    NOT NULL,
            last_seen            text    NOT NULL,
            last_seen_unix_ms    bigint  NOT NULL,
            copies               bigint  NOT NULL,
            UNIQUE (source, id, copy_content_hash)
        );
        CREATE INDEX audit_conflicts_seen ON audit_conflicts (last_seen_unix_ms);
        """,
    ];
}
