using Microsoft.Data.Sqlite;
using UserAudit.ServiceDefaults.Storage;
using Xunit;

namespace UserAudit.Tests.Edge;

/// <summary>A service's data folder is its own: created 0700, narrowed to 0700 when found wider.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataFolderTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "useraudit-tests", $"folders-{Guid.NewGuid():N}");

    [Fact]
    public void A_new_data_folder_is_owner_only()
    {
        var folder = Path.Combine(_root, "data-root", "audit-service");

        _ = new SqliteDatabase(new StorageOptions { DataDirectory = folder }, "audit.db");

        Assert.Equal(SqliteDatabase.PrivateDirectoryMode, File.GetUnixFileMode(folder));
    }

    [Fact]
    public void A_data_folder_found_readable_by_others_is_narrowed_to_its_owner()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_root, "open"), (UnixFileMode)0b111_101_101).FullName;

        _ = new SqliteDatabase(new StorageOptions { DataDirectory = folder }, "audit.db");

        Assert.Equal(SqliteDatabase.PrivateDirectoryMode, File.GetUnixFileMode(folder));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
