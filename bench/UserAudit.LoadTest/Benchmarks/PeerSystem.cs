using System.Text.Json.Serialization;

namespace UserAudit.LoadTest.Benchmarks;

/// <summary>A system the peers command measures.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PeerSystem>))]
public enum PeerSystem
{
    /// <summary>UserService: row and outbox in one transaction, its relay, CloudEvents on Kafka.</summary>
    UserService,

    /// <summary>The Wolverine peer through its documented EF Core outbox.</summary>
    WolverineEfCore,

    /// <summary>The Wolverine peer with its outbox enlisted in a raw ADO.NET transaction.</summary>
    WolverineAdoNet,

    /// <summary>The same row update with no outbox and no event (<see cref="RowOnlyBaseline"/>).</summary>
    RowOnlyBaseline,

    /// <summary>Another build of UserService (<c>--user-service-before</c>), to measure a change in the same run.</summary>
    UserServiceBefore,

    /// <summary>UserService published as one native executable (<c>--user-service-native</c>): the memory it saves, the rate it costs.</summary>
    UserServiceNative,
}
