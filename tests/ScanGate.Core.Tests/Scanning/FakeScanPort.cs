using System.Text;
using System.Text.Json;
using ScanGate.Qualys;
using ScanGate.Results;
using ScanGate.Scanning;

namespace ScanGate.Core.Tests.Scanning;

/// <summary>A scripted Qualys: each call is counted and recorded, answers come from the script.</summary>
internal sealed class FakeScanPort : IQualysScanPort
{
    public int ApiCalls => Calls.Count;

    public DateTimeOffset? Deadline { get; set; }

    public List<string> Calls { get; } = [];

    public QualysException? ConnectionError { get; set; }

    public List<AwsConnector> Connectors { get; } = [];

    /// <summary>States returned by successive connector GETs; the last repeats.</summary>
    public Queue<string> ConnectorStates { get; } = new();

    public string RunConnectorState { get; set; } = "QUEUED";

    public int ConnectorRuns { get; private set; }

    public Ec2HostAsset? Instance { get; set; }

    /// <summary>The instance as seen after a connector run (the inventory refresh).</summary>
    public Ec2HostAsset? InstanceAfterRun { get; set; }

    /// <summary>VM option profile titles the subscription has.</summary>
    public List<string> OptionProfiles { get; } = ["Initial Options"];

    public List<string> PciOptionProfiles { get; } = [];

    public List<string> Appliances { get; } = ["dmz-scanner"];

    public List<string> Networks { get; } = ["7"];

    /// <summary>When set, every catalog list call fails with it (e.g. a 403 for a user who may not read them).</summary>
    public QualysException? CatalogError { get; set; }

    public List<ScanLaunchRequest> Launches { get; } = [];

    public QualysException? LaunchError { get; set; }

    /// <summary>The launch creates the scan but its response is lost: the client finds it by its title.</summary>
    public bool LoseLaunchResponse { get; set; }

    /// <summary>The launch response is lost and the scan was not created either: the client gives up without relaunching.</summary>
    public bool LaunchNeverArrives { get; set; }

    /// <summary>Called when the launch arrives, before it answers.</summary>
    public Action? OnLaunch { get; set; }

    private readonly List<(string Title, ScanLaunchResult Scan)> _scans = [];

    /// <summary>Statuses returned by successive polls; the last repeats.</summary>
    public Queue<QualysScan?> Statuses { get; } = new();

    private QualysScan? _lastStatus;

    public int Polls { get; private set; }

    /// <summary>Called before each poll answers, with the poll number (1-based).</summary>
    public Action<int>? OnPoll { get; set; }

    /// <summary>Poll number that fails (after the client's retries).</summary>
    public int? FailingPoll { get; set; }

    /// <summary>When set, polls throw it (an unexpected fault of ours).</summary>
    public Exception? PollFault { get; set; }

    public string ResultJson { get; set; } = SampleResults.WithFindings;

    public QualysException? FetchError { get; set; }

    public List<string> Cancelled { get; } = [];

    public QualysException? CancelError { get; set; }

    public Action? OnCancel { get; set; }

    /// <summary>The call (test-connection, launch, list, fetch, cancel) that never answers until its token is cancelled.</summary>
    public string? HangOn { get; set; }

    /// <summary>Released each time a call starts hanging.</summary>
    public SemaphoreSlim Hanging { get; } = new(0);

    private async Task<T> HangAsync<T>(CancellationToken cancellationToken)
    {
        Hanging.Release();
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new InvalidOperationException("unreachable");
    }

    public Task<QualysConnectionCheck> TestConnectionAsync(CancellationToken cancellationToken)
    {
        Calls.Add("test-connection");
        if (HangOn == "test-connection")
        {
            return HangAsync<QualysConnectionCheck>(cancellationToken);
        }

        return ConnectionError is null ? Task.FromResult(new QualysConnectionCheck { Method = "about", WebVersion = "10.35.0.0-1" }) : Task.FromException<QualysConnectionCheck>(ConnectionError);
    }

    public Task<IReadOnlyList<AwsConnector>> SearchConnectorsAsync(string name, CancellationToken cancellationToken)
    {
        Calls.Add("connector-search");
        return Task.FromResult<IReadOnlyList<AwsConnector>>([.. Connectors.Where(c => c.Name == name)]);
    }

    public Task<AwsConnector> GetConnectorAsync(long connectorId, CancellationToken cancellationToken)
    {
        Calls.Add("connector-get");
        var state = ConnectorStates.Count > 1 ? ConnectorStates.Dequeue() : ConnectorStates.Peek();
        return Task.FromResult(new AwsConnector { Id = connectorId, State = state });
    }

    public Task<AwsConnector> RunConnectorAsync(long connectorId, CancellationToken cancellationToken)
    {
        Calls.Add("connector-run");
        ConnectorRuns++;
        return Task.FromResult(new AwsConnector { Id = connectorId, State = RunConnectorState });
    }

    public Task<IReadOnlyList<Ec2HostAsset>> FindHostAssetsAsync(string instanceId, string? awsAccountId, CancellationToken cancellationToken)
    {
        Calls.Add("instance-search");
        var instance = ConnectorRuns > 0 && InstanceAfterRun is not null ? InstanceAfterRun : Instance;
        return Task.FromResult<IReadOnlyList<Ec2HostAsset>>(instance is null ? [] : [instance]);
    }

    public Task<IReadOnlyList<QualysOptionProfile>> ListOptionProfilesAsync(OptionProfileKind kind, CancellationToken cancellationToken)
    {
        Calls.Add(kind == OptionProfileKind.Pci ? "pci-option-profiles" : "option-profiles");
        return CatalogError is not null
            ? Task.FromException<IReadOnlyList<QualysOptionProfile>>(CatalogError)
            : Task.FromResult<IReadOnlyList<QualysOptionProfile>>([.. (kind == OptionProfileKind.Pci ? PciOptionProfiles : OptionProfiles).Select(t => new QualysOptionProfile { Title = t, Kind = kind })]);
    }

    public Task<IReadOnlyList<QualysAppliance>> ListAppliancesAsync(CancellationToken cancellationToken)
    {
        Calls.Add("appliances");
        return CatalogError is not null
            ? Task.FromException<IReadOnlyList<QualysAppliance>>(CatalogError)
            : Task.FromResult<IReadOnlyList<QualysAppliance>>([.. Appliances.Select(a => new QualysAppliance { Name = a })]);
    }

    public Task<IReadOnlyList<QualysNetwork>> ListNetworksAsync(CancellationToken cancellationToken)
    {
        Calls.Add("networks");
        return CatalogError is not null
            ? Task.FromException<IReadOnlyList<QualysNetwork>>(CatalogError)
            : Task.FromResult<IReadOnlyList<QualysNetwork>>([.. Networks.Select(n => new QualysNetwork { Id = n, Name = "net " + n })]);
    }

    public Task<ScanLaunchResult> LaunchScanAsync(ScanLaunchRequest request, CancellationToken cancellationToken)
    {
        Calls.Add("launch");
        Launches.Add(request);
        OnLaunch?.Invoke();
        if (HangOn == "launch")
        {
            return HangAsync<ScanLaunchResult>(cancellationToken);
        }

        if (LaunchError is not null)
        {
            return Task.FromException<ScanLaunchResult>(LaunchError);
        }

        if (LaunchNeverArrives)
        {
            // As the client does: the lookup by title finds nothing, so it gives up without launching again.
            Calls.Add("list-by-title");
            return Task.FromException<ScanLaunchResult>(new QualysApiException("scan launch", 0, null,
                $"the launch response was lost (connection reset) and no scan titled '{request.Title}' exists; not launching again, so one build never makes two scans"));
        }

        var scan = new ScanLaunchResult { ScanRef = $"scan/1764324000.{10000 + _scans.Count}", ScanId = 12345 + _scans.Count };
        _scans.Add((request.Title, scan));
        if (LoseLaunchResponse)
        {
            Calls.Add("list-by-title");
            return Task.FromResult(scan with { RecoveredByTitle = true });
        }

        return Task.FromResult(scan);
    }

    public Task<QualysScan?> GetScanAsync(string scanRef, CancellationToken cancellationToken)
    {
        Calls.Add("list");
        Polls++;
        OnPoll?.Invoke(Polls);
        cancellationToken.ThrowIfCancellationRequested();
        if (HangOn == "list")
        {
            return HangAsync<QualysScan?>(cancellationToken);
        }

        if (PollFault is not null)
        {
            return Task.FromException<QualysScan?>(PollFault);
        }

        if (FailingPoll == Polls)
        {
            return Task.FromException<QualysScan?>(new QualysApiException("scan list", 503, null, "Service Unavailable") { Attempts = 4 });
        }

        if (Statuses.Count > 0)
        {
            _lastStatus = Statuses.Dequeue();
        }

        return Task.FromResult(_lastStatus is null ? null : _lastStatus with { Ref = scanRef });
    }

    public async Task<long> DownloadResultAsync(string scanRef, Stream destination, CancellationToken cancellationToken)
    {
        Calls.Add("fetch");
        if (HangOn == "fetch")
        {
            return await HangAsync<long>(cancellationToken);
        }

        if (FetchError is not null)
        {
            throw FetchError;
        }

        var bytes = Encoding.UTF8.GetBytes(ResultJson);
        await destination.WriteAsync(bytes, cancellationToken);
        return bytes.Length;
    }

    public Task<ScanActionResult> CancelScanAsync(string scanRef, CancellationToken cancellationToken)
    {
        Calls.Add("cancel");
        OnCancel?.Invoke();
        if (HangOn == "cancel")
        {
            return HangAsync<ScanActionResult>(cancellationToken);
        }

        if (CancelError is not null)
        {
            return Task.FromException<ScanActionResult>(CancelError);
        }

        Cancelled.Add(scanRef);
        return Task.FromResult(new ScanActionResult(scanRef, "Scan cancelled"));
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

/// <summary>The client records the tests script with.</summary>
internal static class Records
{
    public static QualysScan Scan(string state, string? subState = null) => new() { Ref = "scan/1764324000.10000", State = state, SubState = subState };

    public static Ec2HostAsset Instance(string instanceId, string? state, string? region) => new() { InstanceId = instanceId, InstanceState = state, Region = region };

    public static AwsConnector Connector(long id, string name, string? awsAccountId, string? state) => new() { Id = id, Name = name, AwsAccountId = awsAccountId, State = state };
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
