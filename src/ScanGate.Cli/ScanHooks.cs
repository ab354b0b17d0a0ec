using System.Runtime.CompilerServices;
using ScanGate.Qualys;

namespace ScanGate.Cli;

/// <summary>
/// Seams for in-process end-to-end tests, attached to one <see cref="CliContext"/>: deliver a signal mid-scan
/// without signalling the test process, and tune client timings. Production contexts have none.
/// </summary>
internal sealed class ScanHooks
{
    private static readonly ConditionalWeakTable<CliContext, ScanHooks> Table = new();

    /// <summary>Called after each status poll with the run's interrupt (tests call <see cref="ScanInterrupt.Raise"/>).</summary>
    public Action<ScanInterrupt, QualysScan>? OnStatus { get; init; }

    /// <summary>Called once when the run starts, with its interrupt (tests raise a signal at any phase through it).</summary>
    public Action<ScanInterrupt>? OnStart { get; init; }

    /// <summary>Shortest back-off the Qualys client uses (tests shrink the 10-60 s concurrency back-off).</summary>
    public TimeSpan? RetryDelay { get; init; }

    public static ScanHooks? For(CliContext context) => Table.TryGetValue(context, out var hooks) ? hooks : null;

    public static void Attach(CliContext context, ScanHooks hooks) => Table.AddOrUpdate(context, hooks);
}
