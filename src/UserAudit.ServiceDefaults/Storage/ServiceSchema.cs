namespace UserAudit.ServiceDefaults.Storage;

/// <summary>
/// A service's database and its migrations in both dialects. The two lists are separate because the
/// column types differ (SQLite's <c>INTEGER</c> and <c>BLOB</c>, PostgreSQL's <c>bigint</c> and
/// <c>bytea</c>); the statements that read and write the tables are the same for both.
/// </summary>
/// <param name="Name">
/// The database's name: the SQLite file is <c>{Name}.db</c> inside <see cref="StorageOptions.DataDirectory"/>,
/// the PostgreSQL database is <c>{Name}</c> on the server of the connection string <c>postgres</c>.
/// </param>
/// <param name="Sqlite">SQLite migrations, in order (counted by <c>PRAGMA user_version</c>).</param>
/// <param name="Postgres">PostgreSQL migrations, in order (counted in the table <c>schema_migrations</c>).</param>
public sealed record ServiceSchema(string Name, IReadOnlyList<string> Sqlite, IReadOnlyList<string> Postgres);
