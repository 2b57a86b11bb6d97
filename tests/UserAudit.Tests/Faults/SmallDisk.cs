using System.Diagnostics;

namespace UserAudit.Tests.Faults;

/// <summary>
/// A size-limited tmpfs mounted over a folder (Linux, as root), that a test fills to the last byte
/// and frees again: a service's data directory on a disk that runs full.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private readonly string _filler;

    private SmallDisk(string path)
    {
        Path = path;
        _filler = System.IO.Path.Combine(path, "disk-filler");
    }

    /// <summary>The mounted folder.</summary>
    public string Path { get; }

    /// <summary>Mounts a tmpfs of <paramref name="sizeMiB"/> MiB over <paramref name="path"/> (created when missing), or says why it cannot.</summary>
    public static SmallDisk? TryMount(string path, int sizeMiB, out string? whyNot)
    {
        whyNot = !OperatingSystem.IsLinux() ? "tmpfs mounts need Linux"
            : Environment.UserName != "root" ? "mounting a tmpfs needs root (CI runs as root)"
            : null;
        if (whyNot is not null)
        {
            return null;
        }

        Directory.CreateDirectory(path);
        int exit;
        string output;
        try
        {
            // 0700, the mode the services give their data directories.
            (exit, output) = Run("mount", "-t", "tmpfs", "-o", $"size={sizeMiB}m,mode=0700", "tmpfs", path);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            whyNot = "no mount program: " + ex.Message;
            return null;
        }

        if (exit != 0)
        {
            whyNot = $"mount -t tmpfs failed ({exit}): {output}";
            return null;
        }

        return new SmallDisk(path);
    }

    /// <summary>Bytes still free on the filesystem.</summary>
    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>Writes a file until the filesystem refuses (ENOSPC); returns how many bytes it took.</summary>
    public long Fill()
    {
        var chunk = new byte[64 * 1024];
        long written = 0;
        // Unbuffered (buffer size 1): each write reaches the filesystem, and nothing is left to fail on dispose.
        using var file = new FileStream(_filler, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 1);
        // Whole chunks while they fit, then single bytes for what is left of the last page.
        foreach (var size in (int[])[chunk.Length, 1])
        {
            try
            {
                while (true)
                {
                    file.Write(chunk, 0, size);
                    written += size;
                }
            }
            catch (IOException)
            {
                // ENOSPC: full at this granularity.
            }
        }

        return written;
    }

    /// <summary>Deletes what <see cref="Fill"/> wrote.</summary>
    public void Free() => File.Delete(_filler);

    /// <summary>Unmounts (lazily, should a process still hold a file) and removes the folder.</summary>
    public void Dispose()
    {
        Run("umount", "-l", Path);
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Left for the temp folder's own cleanup.
        }
    }

    private static (int Exit, string Output) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Trim());
    }
}
