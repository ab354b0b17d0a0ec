// Test code compares ASCII literals; == on string is ordinal already.
#pragma warning disable MA0006, MA0002

namespace ScanGate.Core.Tests.Pipelines;

/// <summary>Golden files in tests/ScanGate.Core.Tests/Expectations/; UPDATE_GOLDEN=1 rewrites them.</summary>
internal static class Golden
{
    public static string Directory { get; } = Path.Combine(FindRepositoryRoot(), "tests", "ScanGate.Core.Tests", "Expectations", "Pipelines");

    public static void Verify(string name, string actual)
    {
        var path = Path.Combine(Directory, name);
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            System.IO.Directory.CreateDirectory(Directory);
            File.WriteAllText(path, actual);
            return;
        }

        File.Exists(path).ShouldBeTrue($"golden file {path} is missing; run the tests with UPDATE_GOLDEN=1 to create it");
        actual.ShouldBe(File.ReadAllText(path), $"output differs from {path}; if the change is intended, rerun with UPDATE_GOLDEN=1");
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ScanGate.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ScanGate.slnx not found above " + AppContext.BaseDirectory);
    }

    public static string RepositoryRoot => FindRepositoryRoot();
}
