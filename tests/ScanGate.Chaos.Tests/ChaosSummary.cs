using System.Globalization;
using System.Text;

[assembly: AssemblyFixture(typeof(ScanGate.Chaos.Tests.ChaosSummary))]

namespace ScanGate.Chaos.Tests;

/// <summary>After the run: how many cases ran, and the longest of them against its --timeout (fake and real time).</summary>
public sealed class ChaosSummary : IDisposable
{
    public void Dispose()
    {
        var timings = ChaosRunner.Timings.ToList();
        if (timings.Count == 0)
        {
            return;
        }

        var longest = timings.MaxBy(t => t.Fake.TotalSeconds / t.Timeout.TotalSeconds);
        var slowest = timings.MaxBy(t => t.Real);
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"chaos matrix: {timings.Count} cases\n")
            .Append(CultureInfo.InvariantCulture, $"longest run against its --timeout: {longest.Case}: {longest.Fake.TotalSeconds:0.###} s of --timeout {longest.Timeout.TotalSeconds:0} s (bound {longest.Timeout.TotalSeconds + ChaosRunner.Grace.TotalSeconds:0} s)\n")
            .Append(CultureInfo.InvariantCulture, $"slowest case in real time: {slowest.Case}: {slowest.Real.TotalMilliseconds:0} ms\n")
            .ToString();
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "chaos-summary.txt"), text);
    }
}
