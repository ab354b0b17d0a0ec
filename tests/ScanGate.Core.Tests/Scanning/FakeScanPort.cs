using System.Text;
using System.Text.Json;
using ScanGate.Results;
using ScanGate.Scanning;

namespace ScanGate.Core.Tests.Scanning;

/// <summary>A scripted Qualys: each call is counted and recorded, answers come from the script.</summary>
internal sealed class FakeScanPort : IQualysScanPort
{
    public int ApiCalls => Calls.Count;

    public List<string> Calls { get; } = [];

    public ScanPortException? ConnectionError { get; set; }

    public List<ConnectorInfo> Connectors { get; } = [];

    /// <summary>States returned by successive connector GETs; the last repeats.</summary>
    public Queue<string> ConnectorStates { get; } = new();

    public string RunConnectorState { get; set; } = "QUEUED";

    public int ConnectorRuns { get; private set; }

    public InstanceInfo? Instance { get; set; }

    /// <summary>The instance as seen after a connector run (the inventory refresh).</summary>
    public InstanceInfo? InstanceAfterRun { get; set; }

    public List<LaunchRequest> Launches { get; } = [];

    public ScanPortException? LaunchError { get; set; }

    /// <summary>The launch creates the scan but its response is lost.</summary>
    public bool LoseLaunchResponse { get; set; }

    /// <summary>The launch response is lost and the scan was not created either.</summary>
    public bool LaunchNeverArrives { get; set; }

    private readonly List<(string Title, LaunchedScan Scan)> _scans = [];

    /// <summary>Statuses returned by successive polls; the last repeats.</summary>
    public Queue<ScanStatusInfo?> Statuses { get; } = new();

    private ScanStatusInfo? _lastStatus;

    public int Polls { get; private set; }

    /// <summary>Called before each poll answers, with the poll number (1-based).</summary>
    public Action<int>? OnPoll { get; set; }

    /// <summary>Poll number that fails (after the port's retries).</summary>
    public int? FailingPoll { get; set; }

    public string ResultJson { get; set; } = SampleResults.WithFindings;

    public ScanPortException? FetchError { get; set; }

    public List<string> Cancelled { get; } = [];

    public ScanPortException? CancelError { get; set; }

    public Task TestConnectionAsync(CancellationToken cancellationToken)
    {
        Calls.Add("test-connection");
        return ConnectionError is null ? Task.CompletedTask : Task.FromException(ConnectionError);
    }

    public Task<ConnectorInfo?> FindConnectorAsync(string name, CancellationToken cancellationToken)
    {
        Calls.Add("connector-search");
        return Task.FromResult(Connectors.FirstOrDefault(c => c.Name == name));
    }

    public Task<string> GetConnectorStateAsync(long connectorId, CancellationToken cancellationToken)
    {
        Calls.Add("connector-get");
        var state = ConnectorStates.Count > 1 ? ConnectorStates.Dequeue() : ConnectorStates.Peek();
        return Task.FromResult(state);
    }

    public Task<string> RunConnectorAsync(long connectorId, CancellationToken cancellationToken)
    {
        Calls.Add("connector-run");
        ConnectorRuns++;
        return Task.FromResult(RunConnectorState);
    }

    public Task<InstanceInfo?> GetInstanceAsync(string instanceId, string? awsAccountId, CancellationToken cancellationToken)
    {
        Calls.Add("instance-search");
        return Task.FromResult(ConnectorRuns > 0 && InstanceAfterRun is not null ? InstanceAfterRun : Instance);
    }

    public Task<LaunchedScan> LaunchScanAsync(LaunchRequest request, CancellationToken cancellationToken)
    {
        Calls.Add("launch");
        Launches.Add(request);
        if (LaunchError is not null)
        {
            return Task.FromException<LaunchedScan>(LaunchError);
        }

        if (LaunchNeverArrives)
        {
            return Task.FromException<LaunchedScan>(new ScanPortException(ScanPortErrorKind.LaunchOutcomeUnknown, "connection reset"));
        }

        var scan = new LaunchedScan($"scan/1764324000.{10000 + _scans.Count}", (12345 + _scans.Count).ToString(System.Globalization.CultureInfo.InvariantCulture));
        _scans.Add((request.Title, scan));
        return LoseLaunchResponse
            ? Task.FromException<LaunchedScan>(new ScanPortException(ScanPortErrorKind.LaunchOutcomeUnknown, "connection reset"))
            : Task.FromResult(scan);
    }

    public Task<ScanStatusInfo?> GetScanStatusAsync(string scanRef, CancellationToken cancellationToken)
    {
        Calls.Add("list");
        Polls++;
        OnPoll?.Invoke(Polls);
        cancellationToken.ThrowIfCancellationRequested();
        if (FailingPoll == Polls)
        {
            return Task.FromException<ScanStatusInfo?>(new ScanPortException(ScanPortErrorKind.Connection, "HTTP 503 after 4 attempts"));
        }

        if (Statuses.Count > 0)
        {
            _lastStatus = Statuses.Dequeue();
        }

        return Task.FromResult(_lastStatus);
    }

    public Task<LaunchedScan?> FindScanByTitleAsync(string title, CancellationToken cancellationToken)
    {
        Calls.Add("list-by-title");
        return Task.FromResult<LaunchedScan?>(_scans.FirstOrDefault(s => s.Title == title).Scan);
    }

    public Task<Stream> OpenResultStreamAsync(string scanRef, CancellationToken cancellationToken)
    {
        Calls.Add("fetch");
        return FetchError is null
            ? Task.FromResult<Stream>(new MemoryStream(Encoding.UTF8.GetBytes(ResultJson)))
            : Task.FromException<Stream>(FetchError);
    }

    public Task CancelScanAsync(string scanRef, CancellationToken cancellationToken)
    {
        Calls.Add("cancel");
        if (CancelError is not null)
        {
            return Task.FromException(CancelError);
        }

        Cancelled.Add(scanRef);
        return Task.CompletedTask;
    }
}

/// <summary>
/// A stand-in for the policy engine: fails when a confirmed detection has severity at least <see cref="FailOnSeverity"/>.
/// It reads the file as JSON, and a file that is not a complete JSON array is a format error, as with the real reader.
/// </summary>
internal sealed class SeverityJudge : IScanJudge
{
    public int FailOnSeverity { get; init; } = 4;

    public ScanRecord? JudgedScan { get; private set; }

    public async Task<JudgeResult> JudgeAsync(string resultPath, ScanRecord scan, string outputDirectory, CancellationToken cancellationToken)
    {
        JudgedScan = scan;
        JsonDocument document;
        try
        {
            await using var stream = File.OpenRead(resultPath);
            document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        }
        catch (JsonException ex)
        {
            throw new ScanResultFormatException($"not JSON: {ex.Message}", 0, 0, ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new ScanResultFormatException("not an array");
            }

            var found = document.RootElement.EnumerateArray()
                .Count(e => e.TryGetProperty("qid", out _)
                    && e.GetProperty("type").GetString() == "Vuln"
                    && int.Parse(e.GetProperty("severity").GetString()!, System.Globalization.CultureInfo.InvariantCulture) >= FailOnSeverity);
            var path = Path.Combine(outputDirectory, ScanResultFile.FileName);
            await File.WriteAllTextAsync(path, $"{{\"verdict\":\"{(found > 0 ? "fail" : "pass")}\"}}", cancellationToken);
            return found > 0
                ? new JudgeResult(ExitCodes.PolicyFail, "fail", [$"severity: {found} findings with severity >= {FailOnSeverity}"], "{\"evaluationStatus\":\"fail\"}", path)
                : new JudgeResult(ExitCodes.Pass, "pass", [], "{\"evaluationStatus\":\"pass\"}", path);
        }
    }
}

internal static class SampleResults
{
    public const string WithFindings = """
        [{"scan_report_template_title":"Scan Results"},
         {"reference":"scan/1764324000.10000","status":"Finished"},
         {"ip":"192.0.2.10","qid":38170,"type":"Vuln","severity":"5","title":"SSL Certificate - Expired"},
         {"ip":"192.0.2.10","qid":86000,"type":"Ig","severity":"1","title":"Web Server Version"},
         {"target_distribution_across_scanner_appliances":"External : 192.0.2.10"}]
        """;

    public const string Clean = """
        [{"scan_report_template_title":"Scan Results"},
         {"reference":"scan/1764324000.10000","status":"Finished"},
         {"ip":"192.0.2.11","qid":86000,"type":"Ig","severity":"1","title":"Web Server Version"}]
        """;

    public const string Truncated = """
        [{"scan_report_template_title":"Scan Results"},
         {"reference":"scan/1764324000.10000","status":"Finished"},
         {"ip":"192.0.2.10","qid":38170,"type":"Vu
        """;
}
