namespace UserAudit.LoadTest.Benchmarks;

/// <summary>Where the benchmarks find the services they start as processes.</summary>
public static class ServiceBuilds
{
    /// <summary>
    /// A service's assembly as built with the load generator (project references), in the load
    /// generator's configuration: <c>&lt;project&gt;/bin/&lt;Configuration&gt;/net10.0/&lt;name&gt;.dll</c>.
    /// </summary>
    /// <exception cref="UsageException">It is not built.</exception>
    public static string Assembly(string repositoryRoot, string projectFolder, string name)
    {
        var output = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
        var path = Path.Combine(repositoryRoot, projectFolder, "bin", output.Parent!.Name, output.Name, name + ".dll");
        return File.Exists(path)
            ? path
            : throw new UsageException($"No build of {name} at '{path}': build it first (dotnet build -c {output.Parent.Name} {projectFolder}).");
    }

    /// <summary>The full path of a build named on the command line.</summary>
    /// <exception cref="UsageException">Nothing is there.</exception>
    public static string Existing(string path, string option) =>
        File.Exists(path) ? Path.GetFullPath(path) : throw new UsageException($"No build at '{path}' ({option}).");
}
