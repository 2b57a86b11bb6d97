using JasperFx.CodeGeneration;
using Microsoft.EntityFrameworkCore;
using Wolverine;
using Wolverine.EntityFrameworkCore;
using Wolverine.Kafka;
using Wolverine.Sqlite;
using WolverinePeer.Storage;
using WolverinePeer.Users;

namespace WolverinePeer;

/// <summary>The peer's wiring: SQLite, Wolverine's durable outbox to Kafka, and the writer of the chosen mode.</summary>
public static class Extensions
{
    /// <summary>Adds everything the user endpoints need, for the mode in <c>Peer:Mode</c>.</summary>
    public static void AddWolverinePeer(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Configuration.GetSection(PeerOptions.SectionName).Get<PeerOptions>() ?? new PeerOptions();
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("kafka")))
        {
            throw new InvalidOperationException("ConnectionStrings:kafka is required: the Kafka bootstrap servers.");
        }

        // The file exists, in WAL mode, before Wolverine builds its envelope tables in it.
        var database = new UserDatabase(options.DataDirectory);
        database.Create();

        var services = builder.Services;
        services.AddProblemDetails();
        services.AddHealthChecks();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(database);
        services.AddSingleton<PasswordHashing>();

        builder.UseWolverine(wolverine =>
        {
            // The peer only publishes: no handler, so no generated code to compile at run time and
            // no Roslyn to load (Wolverine's documented static mode).
            wolverine.CodeGeneration.TypeLoadMode = TypeLoadMode.Static;

            // One node owns its SQLite file: Wolverine's documented mode for a single node.
            wolverine.Durability.Mode = DurabilityMode.Solo;

            // The envelope tables live in the users' file, so an envelope commits with its row.
            wolverine.PersistMessagesWithSqlite(new PragmaDataSource(database));

            // UserService's producer is idempotent with acks=all: the same here.
            wolverine.UseKafkaUsingNamedConnection("kafka").UseIdempotentProducer();
            wolverine.PublishMessage<UserChanged>().ToKafkaTopic(options.Topic).UseDurableOutbox();

            if (options.Mode is OutboxMode.EfCore)
            {
                // The documented registration: maps Wolverine's envelope tables into the DbContext so
                // the outgoing envelope is saved by the same SaveChanges as the entity.
                wolverine.Services.AddDbContextWithWolverineIntegration<PeerDbContext>(
                    ef => ef.UseSqlite(database.ConnectionString).AddInterceptors(new PragmaInterceptor()));
                wolverine.Services.AddScoped<IUserWriter, EfCoreUserWriter>();
            }
            else
            {
                wolverine.Services.AddScoped<IUserWriter, AdoNetUserWriter>();
            }
        });
    }
}
