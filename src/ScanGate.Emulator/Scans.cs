using System.Globalization;

namespace ScanGate.Emulator;

/// <summary>A launched scan. Its state is computed from the virtual clock on each read (no timers).</summary>
internal sealed class ScanRecord
{
    public required long Id { get; init; }
    public required string Ref { get; init; }
    public required string Title { get; init; }
    public required string UserLogin { get; init; }
    public required DateTimeOffset Launched { get; init; }
    public required string TargetText { get; init; }
    public required List<IpRange> Target { get; init; }
    public required string OptionProfile { get; init; }
    public required string ScannerName { get; init; }
    public required string NetworkName { get; init; }
    public required int Priority { get; init; }

    /// <summary>Scenario hosts in the target that are alive, with this scan's ordinal for that host (1-based).</summary>
    public required List<ScannedHost> AliveHosts { get; init; }

    /// <summary>error | canceled | stuck_queued | stuck_paused, from a fault; null = normal.</summary>
    public string? Fate { get; set; }

    /// <summary>From a <c>scan_state</c> fault: the STATE shown from Running on (any text, unknown ones included).</summary>
    public string? ForcedState { get; set; }

    /// <summary>From a <c>scan_state</c> fault: the SUB_STATE shown from Running on.</summary>
    public string? ForcedSubState { get; set; }

    public DateTimeOffset? CanceledAt { get; set; }
    public TimeSpan ElapsedAtCancel { get; set; }
    public DateTimeOffset? PausedAt { get; set; }
    public TimeSpan PausedTotal { get; set; }
    public bool Deleted { get; set; }
}

internal readonly record struct ScanStatus(string State, bool Processed, string Duration, TimeSpan Elapsed);

internal static class ScanMachine
{
    public static TimeSpan Elapsed(ScanRecord scan, DateTimeOffset now)
    {
        var end = scan.PausedAt ?? now;
        var elapsed = end - scan.Launched - scan.PausedTotal;
        return elapsed < TimeSpan.Zero ? TimeSpan.Zero : elapsed;
    }

    public static ScanStatus Evaluate(ScanRecord scan, ScenarioTimings t, DateTimeOffset now)
    {
        var submitted = TimeSpan.FromSeconds(t.Submitted);
        var queuedEnd = submitted + TimeSpan.FromSeconds(t.Queued);
        var runningEnd = queuedEnd + TimeSpan.FromSeconds(t.Running);
        var loadingEnd = runningEnd + TimeSpan.FromSeconds(t.Loading);
        var processedAt = loadingEnd + TimeSpan.FromSeconds(t.Processing);

        if (scan.CanceledAt is not null)
        {
            return new ScanStatus("Canceled", true, RunDuration(scan.ElapsedAtCancel, queuedEnd), scan.ElapsedAtCancel);
        }

        var elapsed = Elapsed(scan, now);
        if (elapsed < submitted)
        {
            return new ScanStatus("Submitted", false, "Pending", elapsed);
        }

        if (elapsed < queuedEnd || scan.Fate == "stuck_queued")
        {
            return new ScanStatus(scan.PausedAt is null ? "Queued" : "Paused", false, "Pending", elapsed);
        }

        if (scan.ForcedState is { } forced)
        {
            var done = forced is "Finished" or "Canceled" or "Error" && elapsed >= processedAt;
            return new ScanStatus(forced, done, RunDuration(elapsed < loadingEnd ? elapsed : loadingEnd, queuedEnd), elapsed);
        }

        if (scan.Fate == "stuck_paused" || scan.PausedAt is not null)
        {
            return new ScanStatus("Paused", false, RunDuration(elapsed, queuedEnd), elapsed);
        }

        if (elapsed < runningEnd)
        {
            return new ScanStatus("Running", false, RunDuration(elapsed, queuedEnd), elapsed);
        }

        if (scan.Fate == "error")
        {
            return new ScanStatus("Error", true, RunDuration(runningEnd, queuedEnd), elapsed);
        }

        if (scan.Fate == "canceled")
        {
            return new ScanStatus("Canceled", true, RunDuration(runningEnd, queuedEnd), elapsed);
        }

        if (elapsed < loadingEnd)
        {
            return new ScanStatus("Loading", false, RunDuration(elapsed, queuedEnd), elapsed);
        }

        return new ScanStatus("Finished", elapsed >= processedAt, RunDuration(loadingEnd, queuedEnd), elapsed);
    }

    /// <summary>The time a host scan of this scan is complete (detection data visible), or null if not yet.</summary>
    public static bool IsProcessed(ScanRecord scan, ScenarioTimings t, DateTimeOffset now)
    {
        var status = Evaluate(scan, t, now);
        return status.State == "Finished" && status.Processed;
    }

    private static string RunDuration(TimeSpan elapsed, TimeSpan queuedEnd)
    {
        var run = elapsed - queuedEnd;
        if (run < TimeSpan.Zero)
        {
            return "Pending";
        }

        var hms = string.Create(CultureInfo.InvariantCulture, $"{run.Hours:D2}:{run.Minutes:D2}:{run.Seconds:D2}");
        return run.Days > 0 ? string.Create(CultureInfo.InvariantCulture, $"{run.Days} days {hms}") : hms;
    }

    public static string PriorityText(int priority) => priority switch
    {
        1 => "1 - Emergency",
        2 => "2 - Ultimate",
        3 => "3 - Critical",
        4 => "4 - Major",
        5 => "5 - High",
        6 => "6 - Standard",
        7 => "7 - Medium",
        8 => "8 - Minor",
        9 => "9 - Low",
        _ => "0 - No Priority",
    };
}

/// <summary>A scenario host as one scan saw it: its scan number (1-based, per host) and the address it had then.</summary>
internal sealed record ScannedHost(ScenarioHost Host, int HostScanNumber, HostIdentity Identity);

/// <summary>A detection as found on one host in one scan, joined with its KB entry.</summary>
internal readonly record struct FoundDetection(KbEntry Kb, string? Port, string Protocol, bool Ssl, string? Results, string? TypeOverride, int Instance,
    bool Ignored = false, bool Disabled = false);

internal static class HostDetections
{
    /// <summary>
    /// Detections of <paramref name="host"/> in its <paramref name="hostScanNumber"/>-th scan, launched at
    /// <paramref name="launched"/>, lazily (generated ones are never stored). A QID published after the launch is
    /// not found by that scan.
    /// </summary>
    public static IEnumerable<FoundDetection> For(ScenarioHost host, int hostScanNumber, KnowledgeBase kb, DateTimeOffset launched)
    {
        foreach (var d in host.Detections)
        {
            if (d.Scans.Count > 0 && !d.Scans.Contains(hostScanNumber))
            {
                continue;
            }

            // Existence is checked when the scenario loads.
            var entry = kb.Find(d.Qid)!;
            if (!entry.IsPublishedAt(launched))
            {
                continue;
            }

            yield return new FoundDetection(entry, d.Port, d.Protocol, d.Ssl, d.Results, d.Type, 0, d.Ignored, d.Disabled);
        }

        if (host.Generate is { Count: > 0 } generate && kb.Vulnerabilities.Count > 0)
        {
            var random = new Random(generate.Seed);
            for (var i = 0; i < generate.Count; i++)
            {
                var entry = kb.Vulnerabilities[random.Next(kb.Vulnerabilities.Count)];
                var port = (random.Next(4)) switch { 0 => "443", 1 => "80", 2 => "22", _ => random.Next(1024, 65535).ToString(CultureInfo.InvariantCulture) };
                yield return new FoundDetection(entry, port, "tcp", port == "443", $"Synthetic finding {i + 1}\tport {port}", null, i + 1);
            }
        }
    }

    public static IEnumerable<FoundDetection> For(ScannedHost scanned, ScanRecord scan, KnowledgeBase kb) =>
        For(scanned.Host, scanned.HostScanNumber, kb, scan.Launched);

    public static bool HasVulns(ScannedHost scanned, ScanRecord scan, KnowledgeBase kb) =>
        For(scanned, scan, kb).Any(d => !d.Kb.IsIg);
}
