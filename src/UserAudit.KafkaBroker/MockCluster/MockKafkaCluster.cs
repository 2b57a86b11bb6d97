using System.Runtime.InteropServices;

namespace UserAudit.KafkaBroker.MockCluster;

/// <summary>
/// An in-memory Kafka cluster that speaks the real wire protocol: librdkafka's mock cluster.
/// For development and tests only: nothing is persisted and the API behind it is experimental.
/// </summary>
public sealed class MockKafkaCluster : IDisposable
{
    private readonly IntPtr _client;
    private IntPtr _cluster;

    private MockKafkaCluster(IntPtr client, IntPtr cluster, int brokerCount)
    {
        _client = client;
        _cluster = cluster;
        BrokerCount = brokerCount;
        Bootstraps = Marshal.PtrToStringUTF8(NativeMethods.MockClusterBootstraps(cluster))
            ?? throw new MockClusterException("read bootstrap servers", 0, "librdkafka returned none");
    }

    /// <summary>How many brokers the cluster has; their ids are 1 to <see cref="BrokerCount"/>.</summary>
    public int BrokerCount { get; }

    /// <summary>The addresses the brokers really listen on, comma separated (random loopback ports).</summary>
    public string Bootstraps { get; }

    /// <summary>Starts a cluster of <paramref name="brokerCount"/> brokers.</summary>
    /// <param name="brokerCount">Number of brokers, at least 1.</param>
    /// <param name="initialRebalanceDelay">How long the first member of a new consumer group waits for others (Kafka's default is 3 s).</param>
    public static MockKafkaCluster Start(int brokerCount = 1, TimeSpan? initialRebalanceDelay = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerCount, 1);
        Librdkafka.EnsureLoaded();

        var errstr = new byte[512];
        var conf = NativeMethods.ConfNew();
        // The handle only owns the cluster; it never connects anywhere, so keep it quiet.
        if (NativeMethods.ConfSet(conf, "log_level", "4", errstr, (nuint)errstr.Length) != NativeMethods.ConfOk)
        {
            NativeMethods.ConfDestroy(conf);
            throw new MockClusterException("configure handle", 0, NativeMethods.ReadError(errstr));
        }

        var client = NativeMethods.New(NativeMethods.ProducerType, conf, errstr, (nuint)errstr.Length);
        if (client == IntPtr.Zero)
        {
            NativeMethods.ConfDestroy(conf);
            throw new MockClusterException("create handle", 0, NativeMethods.ReadError(errstr));
        }

        var cluster = NativeMethods.MockClusterNew(client, brokerCount);
        if (cluster == IntPtr.Zero)
        {
            NativeMethods.Destroy(client);
            throw new MockClusterException("create mock cluster", 0, "rd_kafka_mock_cluster_new returned null");
        }

        var mock = new MockKafkaCluster(client, cluster, brokerCount);
        mock.SetInitialRebalanceDelay(initialRebalanceDelay ?? TimeSpan.Zero);
        return mock;
    }

    /// <summary>Creates a topic. Creating an existing topic is an error from the cluster.</summary>
    public void CreateTopic(string name, int partitions, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        Check($"create topic '{name}'", NativeMethods.MockTopicCreate(Handle, name, partitions, Math.Min(replicationFactor, BrokerCount)));
    }

    /// <summary>Changes the address a broker advertises in Metadata (not the socket it listens on).</summary>
    public void Advertise(int brokerId, string host, int port) =>
        Check($"advertise broker {brokerId}", NativeMethods.MockBrokerSetHostPort(Handle, brokerId, host, port));

    /// <summary>Disconnects a broker and refuses new connections until <see cref="SetBrokerUp"/>.</summary>
    public void SetBrokerDown(int brokerId) => Check($"take broker {brokerId} down", NativeMethods.MockBrokerSetDown(Handle, brokerId));

    /// <summary>Lets a broker accept connections again.</summary>
    public void SetBrokerUp(int brokerId) => Check($"bring broker {brokerId} up", NativeMethods.MockBrokerSetUp(Handle, brokerId));

    /// <summary>Adds a round-trip delay to every response of a broker.</summary>
    public void SetBrokerRoundTrip(int brokerId, TimeSpan rtt) =>
        Check($"set round trip of broker {brokerId}", NativeMethods.MockBrokerSetRtt(Handle, brokerId, (int)rtt.TotalMilliseconds));

    /// <summary>Sets the delay before the first rebalance of a new consumer group.</summary>
    public void SetInitialRebalanceDelay(TimeSpan delay) =>
        NativeMethods.MockGroupInitialRebalanceDelayMs(Handle, (int)delay.TotalMilliseconds);

    /// <summary>
    /// Makes the next requests of one API (Kafka API key, e.g. 0 = Produce) fail with the given
    /// error codes, one per request, in order.
    /// </summary>
    public void PushRequestErrors(short apiKey, IReadOnlyList<int> errorCodes)
    {
        ArgumentNullException.ThrowIfNull(errorCodes);
        if (errorCodes.Count == 0)
        {
            return;
        }

        NativeMethods.MockPushRequestErrorsArray(Handle, apiKey, (nuint)errorCodes.Count, [.. errorCodes]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        var cluster = Interlocked.Exchange(ref _cluster, IntPtr.Zero);
        if (cluster != IntPtr.Zero)
        {
            NativeMethods.MockClusterDestroy(cluster);
            NativeMethods.Destroy(_client);
        }
    }

    private IntPtr Handle => _cluster != IntPtr.Zero ? _cluster : throw new ObjectDisposedException(nameof(MockKafkaCluster));

    private static void Check(string operation, int err)
    {
        if (err != 0)
        {
            throw new MockClusterException(operation, err, NativeMethods.Describe(err));
        }
    }
}

/// <summary>A mock cluster operation failed; <see cref="ErrorCode"/> is librdkafka's error code.</summary>
public sealed class MockClusterException(string operation, int errorCode, string description)
    : Exception($"Embedded Kafka broker could not {operation}: {description}")
{
    /// <summary>librdkafka's error code (0 when the failure had none).</summary>
    public int ErrorCode { get; } = errorCode;
}
