using System.Runtime.InteropServices;

namespace UserAudit.KafkaBroker.MockCluster;

/// <summary>
/// The small part of librdkafka's C API that the embedded broker needs: creating a handle and
/// driving its mock cluster (rdkafka_mock.h). The mock API is experimental and has no ABI
/// promise, which is why librdkafka.redist is pinned.
/// </summary>
internal static partial class NativeMethods
{
    internal const int ProducerType = 0;
    internal const int ConfOk = 0;

    [LibraryImport(Librdkafka.LibraryName, EntryPoint = "rd_kafka_conf_new")]
    internal static partial IntPtr ConfNew();

    [LibraryImport(Librdkafka.LibraryName, EntryPoint = "rd_kafka_conf_destroy")]
    internal static partial void ConfDestroy(IntPtr conf);

    [LibraryImport(Librdkafka.LibraryName, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ConfSet(IntPtr conf, string name, string value, byte[] errstr, nuint errstrSize);

    [LibraryImport(Librdkafka.LibraryName, EntryPoint = "rd_kafka_new")]
    internal static partial IntPtr New(int type, IntPtr conf, byte[] errstr, nuint errstrSize);

    [LibraryImport(Librdkafka.LibraryName, EntryPoint = "rd_kafka_destroy")]
    internal static partial void Destroy(IntPtr rk);

    [LibraryImport(Librdkafka.LibraryName, EntryPoint = "rd_kafka_err2str")]
    internal static partial IntPtr ErrorToString(int err);

    [LibraryImport(Librdkafka.LibraryName, EntryPoint = "rd_kafka_mock_cluster_new")]
    internal static partial IntPtr MockClusterNew(IntPtr rk, int brokerCount);

    [LibraryImport(Librdkafka.LibraryName, EntryPoint = "rd_kafka_mock_cluster_destroy")]
    internal static partial void MockClusterDestroy(IntPtr cluster);

    [LibraryImport(Librdkafka.LibraryName, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    internal static partial IntPtr MockClusterBootstraps(IntPtr cluster);

    [LibraryImport(Librdkafka.LibraryName, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MockTopicCreate(IntPtr cluster, string topic, int partitions, int replicationFactor);

    [LibraryImport(Librdkafka.LibraryName, EntryPoint = "rd_kafka_mock_broker_set_host_port", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MockBrokerSetHostPort(IntPtr cluster, int brokerId, string host, int port);

    [LibraryImport(Librdkafka.LibraryName, EntryPoint = "rd_kafka_mock_broker_set_down")]
    internal static partial int MockBrokerSetDown(IntPtr cluster, int brokerId);

    [LibraryImport(Librdkafka.LibraryName, EntryPoint = "rd_kafka_mock_broker_set_up")]
    internal static partial int MockBrokerSetUp(IntPtr cluster, int brokerId);

    [LibraryImport(Librdkafka.LibraryName, EntryPoint = "rd_kafka_mock_broker_set_rtt")]
    internal static partial int MockBrokerSetRtt(IntPtr cluster, int brokerId, int rttMs);

    [LibraryImport(Librdkafka.LibraryName, EntryPoint = "rd_kafka_mock_group_initial_rebalance_delay_ms")]
    internal static partial void MockGroupInitialRebalanceDelayMs(IntPtr cluster, int delayMs);

    [LibraryImport(Librdkafka.LibraryName, EntryPoint = "rd_kafka_mock_push_request_errors_array")]
    internal static partial void MockPushRequestErrorsArray(IntPtr cluster, short apiKey, nuint count, int[] errors);

    internal static string Describe(int err) => Marshal.PtrToStringUTF8(ErrorToString(err)) ?? $"error {err}";

    internal static string ReadError(byte[] errstr)
    {
        var end = Array.IndexOf(errstr, (byte)0);
        return System.Text.Encoding.UTF8.GetString(errstr, 0, end < 0 ? errstr.Length : end);
    }
}
