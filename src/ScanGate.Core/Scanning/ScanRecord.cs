namespace ScanGate.Scanning;

/// <summary>What is known about the scan so far; written into <c>scangate-result.json</c> under <c>scan</c>.</summary>
public sealed class ScanRecord
{
    public string? Reference { get; set; }

    public string? Id { get; set; }

    /// <summary>The scan title; null when judging an existing scan (the result's summary then supplies it).</summary>
    public required string? Title { get; init; }

    /// <summary>The target as configured; null when judging an existing scan.</summary>
    public required string? Target { get; init; }

    /// <summary><c>source.kind</c> of scangate-result.json: <c>scan</c>, or <c>scan_ref</c> for <c>evaluate --scan-ref</c>.</summary>
    public string SourceKind { get; init; } = "scan";

    public string? State { get; set; }

    public string? SubState { get; set; }

    public string? Duration { get; set; }

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; set; }

    public double? ElapsedSeconds { get; set; }

    public int ApiCalls { get; set; }

    /// <summary>True when ScanGate asked Qualys to cancel the scan (timeout or interruption).</summary>
    public bool CancelRequested { get; set; }

    /// <summary>File name of the fetched result artifact (<c>qualys_&lt;ref&gt;.json</c>), when fetched.</summary>
    public string? ResultArtifact { get; set; }

    /// <summary>The plugin's artifact name for a scan reference: <c>qualys_&lt;ref with / as _&gt;.json</c>.</summary>
    public static string ArtifactNameFor(string reference)
    {
        // The reference comes from the API: keep it from escaping the output directory or naming odd files.
        var safe = string.Create(reference.Length, reference, static (span, r) =>
        {
            for (var i = 0; i < r.Length; i++)
            {
                var c = r[i];
                span[i] = char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_';
            }
        });
        return $"qualys_{safe}.json";
    }
}
