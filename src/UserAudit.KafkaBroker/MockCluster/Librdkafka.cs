using System.Reflection;
using System.Runtime.InteropServices;

namespace UserAudit.KafkaBroker.MockCluster;

/// <summary>
/// Finds and loads the native librdkafka that ships in librdkafka.redist, and makes sure that
/// Confluent.Kafka and our own P/Invoke calls use the very same copy: the mock cluster must live
/// in the library instance whose handles we pass to it.
/// </summary>
public static class Librdkafka
{
    internal const string LibraryName = "librdkafka";

    private static readonly Lock Gate = new();
    private static IntPtr LoadedHandle;

    /// <summary>The file that was loaded, for diagnostics.</summary>
    public static string? LoadedPath { get; private set; }

    /// <summary>
    /// Loads librdkafka once per process. Safe to call many times and from many threads.
    /// </summary>
    /// <exception cref="DllNotFoundException">No candidate file could be loaded; the message lists what was tried.</exception>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (LoadedHandle != IntPtr.Zero)
            {
                return;
            }

            // Let Confluent.Kafka pick and load its build first (it knows which one suits this
            // system), then bind our P/Invoke calls to that very file.
            Confluent.Kafka.Library.Load();
            var tried = new List<string>();
            foreach (var candidate in LoadedByConfluent().Concat(Candidates()))
            {
                tried.Add(candidate);
                if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle))
                {
                    LoadedHandle = handle;
                    LoadedPath = candidate;
                    NativeLibrary.SetDllImportResolver(typeof(Librdkafka).Assembly, Resolve);
                    return;
                }
            }

            throw new DllNotFoundException(
                "librdkafka could not be loaded. Tried: " + string.Join(", ", tried));
        }
    }

    /// <summary>On Linux the process map names the librdkafka file Confluent.Kafka loaded.</summary>
    private static IEnumerable<string> LoadedByConfluent()
    {
        const string maps = "/proc/self/maps";
        if (!OperatingSystem.IsLinux() || !File.Exists(maps))
        {
            return [];
        }

        foreach (var line in File.ReadLines(maps))
        {
            var start = line.IndexOf('/', StringComparison.Ordinal);
            if (start >= 0 && line.AsSpan(start).EndsWith("librdkafka.so", StringComparison.Ordinal))
            {
                return [line[start..]];
            }
        }

        return [];
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == LibraryName ? LoadedHandle : IntPtr.Zero;

    private static IEnumerable<string> Candidates()
    {
        var baseDirectory = AppContext.BaseDirectory;
        if (OperatingSystem.IsLinux())
        {
            var arch = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
            var native = Path.Combine(baseDirectory, "runtimes", arch, "native");
            // The glibc build needs libsasl2.so.3, which some distributions (Debian 12) lack;
            // the centos8 build is self-contained. musl systems need the alpine build.
            yield return Path.Combine(native, "librdkafka.so");
            yield return Path.Combine(native, "centos8-librdkafka.so");
            yield return Path.Combine(native, "alpine-librdkafka.so");
        }
        else if (OperatingSystem.IsMacOS())
        {
            var arch = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "osx-arm64" : "osx-x64";
            yield return Path.Combine(baseDirectory, "runtimes", arch, "native", "librdkafka.dylib");
        }
        else if (OperatingSystem.IsWindows())
        {
            var arch = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "win-arm64" : "win-x64";
            yield return Path.Combine(baseDirectory, "runtimes", arch, "native", "librdkafka.dll");
        }
    }
}
