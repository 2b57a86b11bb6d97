namespace UserAudit.LoadTest.Load;

/// <summary>The SQLite write-ahead logs (<c>*-wal</c>) under the services' data root.</summary>
public static class WalFiles
{
    private const double BytesPerMiB = 1024 * 1024;

    /// <summary>
    /// Each WAL file's size in MiB, by its path relative to <paramref name="dataRoot"/>; null when
    /// the data root is missing or cannot be listed. A WAL removed while listing is left out.
    /// </summary>
    public static IReadOnlyDictionary<string, double>? Sizes(string dataRoot)
    {
        var root = new DirectoryInfo(dataRoot);
        if (!root.Exists)
        {
            return null;
        }

        var sizes = new SortedDictionary<string, double>(StringComparer.Ordinal);
        try
        {
            foreach (var file in root.EnumerateFiles("*-wal", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }))
            {
                try
                {
                    file.Refresh();
                    sizes[Path.GetRelativePath(root.FullName, file.FullName)] = Math.Round(file.Length / BytesPerMiB, 3);
                }
                catch (FileNotFoundException)
                {
                    // Removed (a clean close) between listing and reading.
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return sizes;
    }
}
