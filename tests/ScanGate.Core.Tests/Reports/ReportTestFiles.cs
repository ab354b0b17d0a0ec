using System.Text;

namespace ScanGate.Reports.Tests;

/// <summary>Temporary folders, rendering helpers and golden files for the report tests.</summary>
internal static class ReportTestFiles
{
    public static string TempDir() => Directory.CreateTempSubdirectory("scangate-reports-").FullName;

    public static async Task<string> RenderAsync(string resultPath, ReportFormat format, string? sarifTarget = null)
    {
        var dir = TempDir();
        var result = await ReportRenderer.RenderAsync(resultPath, [format], dir, new ReportOptions { SarifTargetFile = sarifTarget }, TestContext.Current.CancellationToken);
        return await File.ReadAllTextAsync(result.Files.Single().Path, TestContext.Current.CancellationToken);
    }

    public static string PayloadPath()
    {
        var path = Path.Combine(TempDir(), "payload-result.json");
        ResultFixtures.WritePayload(path);
        return path;
    }

    /// <summary>
    /// Compares <paramref name="actual"/> with tests/ScanGate.Core.Tests/Expectations/Reports/<paramref name="name"/>;
    /// UPDATE_GOLDEN=1 rewrites it. On a mismatch the actual text is saved next to it as *.received.* for diffing.
    /// </summary>
    public static void VerifyGolden(string name, string actual)
    {
        actual = actual.Replace("\r\n", "\n", StringComparison.Ordinal);
        var path = Path.Combine(ExpectationsDir(), name);
        if (string.Equals(Environment.GetEnvironmentVariable("UPDATE_GOLDEN"), "1", StringComparison.Ordinal))
        {
            File.WriteAllText(path, actual, new UTF8Encoding(false));
            return;
        }

        File.Exists(path).ShouldBeTrue($"Golden file {path} is missing; run the tests with UPDATE_GOLDEN=1 to create it.");
        var expected = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        if (!string.Equals(expected, actual, StringComparison.Ordinal))
        {
            var received = path.Replace(".verified.", ".received.", StringComparison.Ordinal);
            File.WriteAllText(received, actual, new UTF8Encoding(false));
            var expectedLines = expected.Split('\n');
            var actualLines = actual.Split('\n');
            var line = 0;
            while (line < Math.Min(expectedLines.Length, actualLines.Length) && string.Equals(expectedLines[line], actualLines[line], StringComparison.Ordinal))
            {
                line++;
            }

            var want = line < expectedLines.Length ? expectedLines[line] : "(end of file)";
            var got = line < actualLines.Length ? actualLines[line] : "(end of file)";
            Assert.Fail($"{name} differs from its golden file at line {line + 1}.\nexpected: {want}\nactual:   {got}\nActual output saved to {received}; UPDATE_GOLDEN=1 accepts it.");
        }
    }

    private static string ExpectationsDir()
    {
        // Walk up from the test binaries to the repository (CallerFilePath is path-mapped in CI builds).
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ScanGate.slnx")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new InvalidOperationException("Cannot find the repository root (ScanGate.slnx) above " + AppContext.BaseDirectory);
        }

        var expectations = Path.Combine(dir.FullName, "tests", "ScanGate.Core.Tests", "Expectations", "Reports");
        Directory.CreateDirectory(expectations);
        return expectations;
    }
}
