using System.Globalization;
using ScanGate.Results;

namespace ScanGate.Scanning;

/// <summary>Waits for <paramref name="delay"/> of the run's time (tests advance a fake clock instead).</summary>
public delegate Task ScanWait(TimeSpan delay, CancellationToken cancellationToken);

/// <summary>
/// The scan gate from start to verdict: check the connection, [EC2 pre-flight], launch, poll, fetch, judge.
/// Every ending maps to one exit code and leaves <c>scangate-result.json</c> behind. It fails closed: an Error,
/// Canceled, unreadable or missing result is never a pass, and a scan it gives up on is cancelled (unless asked not
/// to), fixing the plugin's faults (original-plugin.md §11 items 1–3, 11, 16–18).
/// </summary>
public sealed class ScanLifecycle
{
    /// <summary>How long cancelling a scan may take once the run is already ending (timeout or interruption).</summary>
    public static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(20);

    private static readonly HashSet<string> ConnectorInProgress = new(StringComparer.OrdinalIgnoreCase) { "RUNNING", "PENDING", "QUEUED", "PROCESSING" };
    private static readonly HashSet<string> ConnectorDone = new(StringComparer.OrdinalIgnoreCase) { "FINISHED_SUCCESS", "SUCCESS" };
    private static readonly HashSet<string> ConnectorFailed = new(StringComparer.OrdinalIgnoreCase) { "FINISHED_ERRORS", "ERROR", "INCOMPLETE", "DISABLED" };

    private readonly IQualysScanPort _port;
    private readonly IScanJudge _judge;
    private readonly TimeProvider _time;
    private readonly IScanObserver _observer;
    private readonly ScanWait _wait;

    public ScanLifecycle(IQualysScanPort port, IScanJudge judge, TimeProvider time, IScanObserver? observer = null, ScanWait? wait = null)
    {
        _port = port;
        _judge = judge;
        _time = time;
        _observer = observer ?? NullScanObserver.Instance;
        _wait = wait ?? ((delay, ct) => Task.Delay(delay, time, ct));
    }

    /// <summary>
    /// The exit code of an interruption (130 for SIGINT, 143 for SIGTERM), asked after the scan is cancelled; null when
    /// the signal is not known (then 130).
    /// </summary>
    public Func<int?> InterruptExitCode { get; init; } = static () => ExitCodes.Interrupted;

    public async Task<ScanOutcome> RunAsync(ScanRequest request, CancellationToken cancellationToken)
    {
        var scan = new ScanRecord { Title = request.Title, Target = request.Target.Display, StartedAt = _time.GetUtcNow() };
        var deadline = scan.StartedAt + request.Timeout;
        try
        {
            _observer.Info($"Checking the connection to Qualys.");
            await _port.TestConnectionAsync(cancellationToken);

            string? endpoint = null;
            if (request.Target is Ec2Target ec2)
            {
                var preflight = await Ec2PreflightAsync(request, ec2, scan, deadline, cancellationToken);
                if (preflight.Outcome is not null)
                {
                    return preflight.Outcome;
                }

                endpoint = preflight.Endpoint;
            }

            var launched = await LaunchAsync(request, endpoint, scan, cancellationToken);
            if (launched is null)
            {
                return await EndAsync(request, scan, ScanEndKind.ApiError, ExitCodes.ApiError,
                    $"The launch response was lost and no scan titled '{request.Title}' exists; not launching again, so one build never makes two scans.", [], cancellationToken);
            }

            scan.Reference = launched.Reference;
            scan.Id = launched.Id;
            _observer.Info($"Scan launched: {launched.Reference}{(launched.Id is null ? string.Empty : $" (id {launched.Id})")}, title '{request.Title}'.");

            var status = await PollAsync(request, scan, deadline, cancellationToken);
            if (status is null)
            {
                return await TimeOutAsync(request, scan, cancellationToken);
            }

            return await FinishAsync(request, scan, status, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return await InterruptedAsync(request, scan);
        }
        catch (ScanPortException ex)
        {
            return await EndAsync(request, scan, ScanEndKind.ApiError, ExitCodes.ApiError, Describe(ex, scan), [], CancellationToken.None);
        }
    }

    /// <summary>
    /// <c>evaluate --scan-ref</c>: judges a scan that was launched elsewhere, without launching one. It must be finished;
    /// the result is fetched and judged exactly as at the end of a scan run.
    /// </summary>
    public async Task<ScanOutcome> EvaluateExistingAsync(string reference, string outputDirectory, HostDownAction onHostDown, CancellationToken cancellationToken)
    {
        var request = new ScanRequest { Target = new ExistingScanTarget(reference), Title = reference, OutputDirectory = outputDirectory, OnHostDown = onHostDown };
        var scan = new ScanRecord { Title = null, Target = null, StartedAt = _time.GetUtcNow(), Reference = reference, SourceKind = "scan_ref" };
        try
        {
            var status = await _port.GetScanStatusAsync(reference, cancellationToken);
            if (status is null)
            {
                return await EndAsync(request, scan, ScanEndKind.Configuration, ExitCodes.Usage,
                    $"--scan-ref '{reference}': no such scan in the scan list of this subscription (scans older than the list's window are not shown).", [], cancellationToken);
            }

            scan.State = status.State;
            scan.SubState = status.SubState;
            scan.Duration = status.Duration;
            if (!IsTerminal(status.State))
            {
                return await EndAsync(request, scan, ScanEndKind.NoResult, ExitCodes.NoResult,
                    $"Scan {reference} is {status.State}, not finished: nothing to judge yet.", [], cancellationToken);
            }

            return await FinishAsync(request, scan, status, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return await EndAsync(request, scan, ScanEndKind.Interrupted, InterruptExitCode() ?? ExitCodes.Interrupted, "Interrupted.", [], CancellationToken.None);
        }
        catch (ScanPortException ex)
        {
            return await EndAsync(request, scan, ScanEndKind.ApiError, ExitCodes.ApiError, $"Qualys API error: {ex.Describe()}", [], CancellationToken.None);
        }
    }

    private static string Describe(ScanPortException ex, ScanRecord scan)
    {
        var where = scan.Reference is null ? string.Empty : $" (scan {scan.Reference} may still be running on Qualys)";
        return $"Qualys API error: {ex.Describe()}{where}";
    }

    private async Task<(ScanOutcome? Outcome, string? Endpoint)> Ec2PreflightAsync(
        ScanRequest request, Ec2Target ec2, ScanRecord scan, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var connector = await _port.FindConnectorAsync(ec2.ConnectorName, cancellationToken);
        if (connector is null)
        {
            return (await EndAsync(request, scan, ScanEndKind.Configuration, ExitCodes.Usage,
                $"--ec2-connector: no AWS connector named '{ec2.ConnectorName}' in this subscription (names are exact; see 'scangate list connectors').", [], cancellationToken), null);
        }

        _observer.Detail($"Connector '{connector.Name}' (id {connector.Id}, account {connector.AwsAccountId ?? "unknown"}).");
        if (ec2.RunConnector)
        {
            var failure = await RunConnectorAsync(request, connector, scan, deadline, cancellationToken);
            if (failure is not null)
            {
                return (failure, null);
            }
        }

        // Always read the instance (the plugin skipped this for known instances and scanned stopped ones), and read
        // it after any connector run, so the region is the fresh one (the plugin launched with "Unknown").
        var instance = await _port.GetInstanceAsync(ec2.InstanceId, connector.AwsAccountId, cancellationToken);
        if (instance is null)
        {
            var advice = ec2.RunConnector
                ? "the connector ran, so check the instance id and that the connector covers its account and region"
                : "run the connector first with --run-connector, or check the instance id and connector";
            return (await EndAsync(request, scan, ScanEndKind.Configuration, ExitCodes.Usage,
                $"--ec2-instance: instance '{ec2.InstanceId}' is not known to Qualys through connector '{connector.Name}' ({advice}).", [], cancellationToken), null);
        }

        if (!string.Equals(instance.State, "RUNNING", StringComparison.OrdinalIgnoreCase))
        {
            return (await EndAsync(request, scan, ScanEndKind.NoResult, ExitCodes.NoResult,
                $"EC2 instance '{ec2.InstanceId}' is {instance.State ?? "in an unknown state"}, not RUNNING: it cannot be scanned. Start it, or run the connector (--run-connector) if the state is stale.", [], cancellationToken), null);
        }

        var endpoint = ec2.Region ?? instance.Region;
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return (await EndAsync(request, scan, ScanEndKind.Configuration, ExitCodes.Usage,
                $"--ec2-region: Qualys does not report a region for instance '{ec2.InstanceId}'; pass --ec2-region.", [], cancellationToken), null);
        }

        if (ec2.Region is not null && instance.Region is not null && !string.Equals(ec2.Region, instance.Region, StringComparison.OrdinalIgnoreCase))
        {
            _observer.Warning($"--ec2-region {ec2.Region} differs from the region Qualys reports for the instance ({instance.Region}); using {ec2.Region}.");
        }

        _observer.Info($"EC2 instance {ec2.InstanceId} is RUNNING in {endpoint}.");
        return (null, endpoint);
    }

    /// <summary>The plugin's run decision (original-plugin.md §5.4), then polling until the connector is done.</summary>
    private async Task<ScanOutcome?> RunConnectorAsync(
        ScanRequest request, ConnectorInfo connector, ScanRecord scan, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var state = await _port.GetConnectorStateAsync(connector.Id, cancellationToken);
        if (string.Equals(state, "DISABLED", StringComparison.OrdinalIgnoreCase))
        {
            return await EndAsync(request, scan, ScanEndKind.ApiError, ExitCodes.ApiError,
                $"Connector '{connector.Name}' is DISABLED in Qualys; enable it or leave out --run-connector.", [], cancellationToken);
        }

        if (ConnectorInProgress.Contains(state))
        {
            _observer.Info($"Connector '{connector.Name}' is already {state}; waiting for it instead of starting another run.");
        }
        else
        {
            // FINISHED_*, SUCCESS, ERROR, INCOMPLETE and unknown states: start a fresh run so the inventory is current.
            _observer.Info($"Running connector '{connector.Name}' (state was {state}).");
            state = await _port.RunConnectorAsync(connector.Id, cancellationToken);
            if (string.IsNullOrWhiteSpace(state))
            {
                return await EndAsync(request, scan, ScanEndKind.ApiError, ExitCodes.ApiError,
                    $"Qualys did not start connector '{connector.Name}' (the run call returned no state).", [], cancellationToken);
            }
        }

        while (true)
        {
            var now = _time.GetUtcNow();
            if (now >= deadline)
            {
                return await EndAsync(request, scan, ScanEndKind.Timeout, ExitCodes.Timeout,
                    $"Timeout of {FormatSpan(request.Timeout)} reached while connector '{connector.Name}' was {state}.", [], cancellationToken);
            }

            await _wait(Min(request.PollInterval, deadline - now), cancellationToken);
            state = await _port.GetConnectorStateAsync(connector.Id, cancellationToken);
            _observer.Detail($"Connector '{connector.Name}' state: {state}.");
            if (ConnectorDone.Contains(state))
            {
                _observer.Info($"Connector '{connector.Name}' finished ({state}).");
                return null;
            }

            if (ConnectorFailed.Contains(state))
            {
                return await EndAsync(request, scan, ScanEndKind.ApiError, ExitCodes.ApiError,
                    $"Connector '{connector.Name}' ended in {state}; the instance inventory may be stale, so no scan was launched.", [], cancellationToken);
            }
        }
    }

    /// <summary>Launches; when the response is lost, looks the scan up by its (unique) title instead of relaunching.</summary>
    private async Task<LaunchedScan?> LaunchAsync(ScanRequest request, string? endpoint, ScanRecord scan, CancellationToken cancellationToken)
    {
        var launch = BuildLaunch(request, endpoint);
        _observer.Info($"Launching scan of {request.Target.Display} with option profile '{request.OptionProfile}' on scanner '{request.Scanner}'.");
        try
        {
            return await _port.LaunchScanAsync(launch, cancellationToken);
        }
        catch (ScanPortException ex) when (ex.Kind == ScanPortErrorKind.LaunchOutcomeUnknown)
        {
            _observer.Warning($"The launch response was lost ({ex.Message}); looking the scan up by its title.");
            var found = await _port.FindScanByTitleAsync(request.Title, cancellationToken);
            if (found is not null)
            {
                _observer.Info($"Found the launched scan by its title: {found.Reference}.");
            }

            return found;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Interrupted while the launch was in flight: it may have created a scan. Find it so it gets cancelled.
            using var grace = new CancellationTokenSource(CancelGrace, _time);
            try
            {
                var found = await _port.FindScanByTitleAsync(request.Title, grace.Token);
                if (found is not null)
                {
                    scan.Reference = found.Reference;
                    scan.Id = found.Id;
                }
            }
            catch (Exception lookup) when (lookup is ScanPortException or OperationCanceledException)
            {
                _observer.Warning($"Could not check whether the interrupted launch created a scan titled '{request.Title}': {lookup.Message}");
            }

            throw;
        }
    }

    private static LaunchRequest BuildLaunch(ScanRequest request, string? endpoint)
    {
        var allInNetwork = string.Equals(request.Scanner, ScanRequest.AllScannersInNetwork, StringComparison.OrdinalIgnoreCase);
        var launch = new LaunchRequest
        {
            Title = request.Title,
            OptionProfile = request.OptionProfile,
            ScannerName = allInNetwork ? null : request.Scanner,
            ScannersInNetwork = allInNetwork,
        };
        return request.Target switch
        {
            HostTarget host => launch with { Ip = host.IpParameter, NetworkId = host.NetworkId },
            Ec2Target ec2 => launch with { Ec2InstanceId = ec2.InstanceId, ConnectorName = ec2.ConnectorName, Ec2Endpoint = endpoint },
            _ => throw new InvalidOperationException("Unknown target kind."),
        };
    }

    /// <summary>Polls on the interval until a terminal state; null on timeout.</summary>
    private async Task<ScanStatusInfo?> PollAsync(ScanRequest request, ScanRecord scan, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var launchedAt = _time.GetUtcNow();
        var reference = scan.Reference!;
        while (true)
        {
            var now = _time.GetUtcNow();
            if (now >= deadline)
            {
                return null;
            }

            // No fixed sleep before the first poll beyond one interval: a scan never finishes in less.
            await _wait(Min(request.PollInterval, deadline - now), cancellationToken);
            var status = await _port.GetScanStatusAsync(reference, cancellationToken);
            if (status is null)
            {
                _observer.Detail($"Scan {reference} is not in the scan list yet.");
                continue;
            }

            scan.State = status.State;
            scan.SubState = status.SubState;
            scan.Duration = status.Duration;
            _observer.Status(status, _time.GetUtcNow() - launchedAt, request.Timeout);
            if (IsTerminal(status.State))
            {
                return status;
            }
        }
    }

    public static bool IsTerminal(string state) =>
        state.Equals("Finished", StringComparison.OrdinalIgnoreCase)
        || state.Equals("Error", StringComparison.OrdinalIgnoreCase)
        || state.Equals("Canceled", StringComparison.OrdinalIgnoreCase)
        || state.Equals("Cancelled", StringComparison.OrdinalIgnoreCase);

    private async Task<ScanOutcome> FinishAsync(ScanRequest request, ScanRecord scan, ScanStatusInfo status, CancellationToken cancellationToken)
    {
        var reference = scan.Reference!;
        if (!status.State.Equals("Finished", StringComparison.OrdinalIgnoreCase))
        {
            var what = status.State.StartsWith("Cancel", StringComparison.OrdinalIgnoreCase)
                ? $"Scan {reference} was Canceled on Qualys before it finished: no result to judge."
                : $"Scan {reference} ended in Error{(status.SubState is null ? string.Empty : $" ({status.SubState})")}: no result to judge.";
            return await EndAsync(request, scan, ScanEndKind.NoResult, ExitCodes.NoResult, what, [], cancellationToken);
        }

        if (string.Equals(status.SubState, "No_Host", StringComparison.OrdinalIgnoreCase))
        {
            return await HostDownAsync(request, scan, cancellationToken);
        }

        var artifact = Path.Combine(request.OutputDirectory, ScanRecord.ArtifactNameFor(reference));
        var raw = artifact + ".download";
        try
        {
            _observer.Info($"Scan finished{(status.SubState is null ? string.Empty : $" ({status.SubState})")}; fetching the result.");
            await FetchAsync(reference, raw, cancellationToken);
        }
        catch (ScanPortException ex)
        {
            return await EndAsync(request, scan, ScanEndKind.ApiError, ExitCodes.ApiError, $"Fetching the result of {reference} failed: {ex.Describe()}", [], cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            return await EndAsync(request, scan, ScanEndKind.ApiError, ExitCodes.ApiError, $"Fetching the result of {reference} broke off: {ex.Message}", [], cancellationToken);
        }

        scan.ApiCalls = _port.ApiCalls;
        scan.FinishedAt = _time.GetUtcNow();
        scan.ElapsedSeconds = (scan.FinishedAt.Value - scan.StartedAt).TotalSeconds;
        JudgeResult judged;
        try
        {
            judged = await _judge.JudgeAsync(raw, scan, request.OutputDirectory, cancellationToken);
        }
        catch (ScanResultFormatException ex)
        {
            // Keep the bytes for inspection, under a name that says they are not a result.
            File.Move(raw, artifact + ".incomplete", overwrite: true);
            return await EndAsync(request, scan, ScanEndKind.ApiError, ExitCodes.ApiError,
                $"The result fetched for {reference} is not a complete json_extended result ({ex.Message}); it is kept as {Path.GetFileName(artifact)}.incomplete. Never a pass.", [], cancellationToken);
        }

        await WriteArtifactAsync(raw, artifact, judged.EvaluationResultJson, cancellationToken);
        File.Delete(raw);
        scan.ResultArtifact = Path.GetFileName(artifact);
        var message = judged.Verdict switch
        {
            "pass" => "Gate passed.",
            "warn" => "Gate passed with warnings.",
            _ => "Gate failed.",
        };
        return new ScanOutcome(ScanEndKind.Judged, judged.ExitCode, judged.Verdict, message, scan)
        {
            Reasons = judged.Reasons,
            ResultFile = judged.ResultFile,
            SummaryText = judged.SummaryText,
        };
    }

    private async Task FetchAsync(string reference, string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var source = await _port.OpenResultStreamAsync(reference, cancellationToken);
        await using var target = File.Create(path);
        await source.CopyToAsync(target, cancellationToken);
    }

    /// <summary>The plugin's artifact: <c>{"data": [...], "evaluationResult": {...}}</c>, the data copied as streamed.</summary>
    private static async Task WriteArtifactAsync(string raw, string artifact, string evaluationResultJson, CancellationToken cancellationToken)
    {
        var temp = artifact + ".tmp";
        await using (var target = File.Create(temp))
        {
            await target.WriteAsync("{\"data\":"u8.ToArray(), cancellationToken);
            await using (var source = File.OpenRead(raw))
            {
                await source.CopyToAsync(target, cancellationToken);
            }

            await target.WriteAsync(",\"evaluationResult\":"u8.ToArray(), cancellationToken);
            await target.WriteAsync(System.Text.Encoding.UTF8.GetBytes(evaluationResultJson), cancellationToken);
            await target.WriteAsync("}\n"u8.ToArray(), cancellationToken);
        }

        File.Move(temp, artifact, overwrite: true);
    }

    private async Task<ScanOutcome> HostDownAsync(ScanRequest request, ScanRecord scan, CancellationToken cancellationToken)
    {
        var message = $"Scan {scan.Reference} finished with No_Host: the target{(scan.Target is null ? string.Empty : " " + scan.Target)} was not alive, so nothing was judged.";
        return request.OnHostDown switch
        {
            HostDownAction.Pass => await EndAsync(request, scan, ScanEndKind.HostDown, ExitCodes.Pass, message + " Passing as --on-host-down pass says.", [message], cancellationToken, verdict: "pass"),
            HostDownAction.Warn => await EndAsync(request, scan, ScanEndKind.HostDown, ExitCodes.Pass, message + " Warning only, as --on-host-down warn says.", [message], cancellationToken, verdict: "warn"),
            _ => await EndAsync(request, scan, ScanEndKind.HostDown, ExitCodes.NoResult, message + " Failing (--on-host-down fail, the default).", [], cancellationToken),
        };
    }

    private async Task<ScanOutcome> TimeOutAsync(ScanRequest request, ScanRecord scan, CancellationToken cancellationToken)
    {
        var cancelNote = await CancelScanAsync(request, scan, "timeout");
        return await EndAsync(request, scan, ScanEndKind.Timeout, ExitCodes.Timeout,
            $"Timeout of {FormatSpan(request.Timeout)} reached; scan {scan.Reference} was still {scan.State ?? "not listed"}. {cancelNote}", [], cancellationToken);
    }

    private async Task<ScanOutcome> InterruptedAsync(ScanRequest request, ScanRecord scan)
    {
        // Cancel first: the signal handler may still be recording which signal it was.
        var cancelNote = scan.Reference is null ? "No scan had been launched." : await CancelScanAsync(request, scan, "interrupted");
        var known = InterruptExitCode();
        var signal = known switch
        {
            ExitCodes.Terminated => "SIGTERM",
            ExitCodes.Interrupted => "SIGINT",
            _ => "a signal",
        };
        return await EndAsync(request, scan, ScanEndKind.Interrupted, known ?? ExitCodes.Interrupted, $"Interrupted by {signal}. {cancelNote}", [], CancellationToken.None);
    }

    /// <summary>Cancels the scan on the way out, with its own short deadline (the run's token may be cancelled).</summary>
    private async Task<string> CancelScanAsync(ScanRequest request, ScanRecord scan, string why)
    {
        if (scan.Reference is null)
        {
            return "No scan to cancel.";
        }

        if (request.LeaveRunning)
        {
            return $"Scan {scan.Reference} left running (--leave-running).";
        }

        using var grace = new CancellationTokenSource(CancelGrace, _time);
        try
        {
            _observer.Info($"Cancelling scan {scan.Reference} ({why}).");
            await _port.CancelScanAsync(scan.Reference, grace.Token);
            scan.CancelRequested = true;
            return $"Scan {scan.Reference} was cancelled on Qualys.";
        }
        catch (Exception ex) when (ex is ScanPortException or OperationCanceledException)
        {
            var detail = ex is ScanPortException port ? port.Describe() : "no answer in time";
            _observer.Warning($"Could not cancel scan {scan.Reference}: {detail}. Cancel it in Qualys.");
            return $"Cancelling scan {scan.Reference} failed ({detail}); cancel it in Qualys.";
        }
    }

    private async Task<ScanOutcome> EndAsync(
        ScanRequest request,
        ScanRecord scan,
        ScanEndKind kind,
        int exitCode,
        string message,
        IReadOnlyList<string> warnings,
        CancellationToken cancellationToken,
        string verdict = "fail")
    {
        scan.ApiCalls = _port.ApiCalls;
        scan.FinishedAt = _time.GetUtcNow();
        scan.ElapsedSeconds = (scan.FinishedAt.Value - scan.StartedAt).TotalSeconds;
        string? file = null;
        try
        {
            file = await ScanResultFile.WriteUnjudgedAsync(request.OutputDirectory, scan, verdict, exitCode, [message], warnings, scan.FinishedAt.Value, CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _observer.Warning($"Could not write {ScanResultFile.FileName} in '{request.OutputDirectory}': {ex.Message}");
        }

        return new ScanOutcome(kind, exitCode, verdict, message, scan) { ResultFile = file, Reasons = [message] };
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    public static string FormatSpan(TimeSpan span)
    {
        if (span.TotalHours >= 1 && span.Minutes == 0 && span.Seconds == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{(long)span.TotalHours}h");
        }

        if (span.TotalMinutes >= 1 && span.Seconds == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{(long)span.TotalMinutes}m");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{(long)span.TotalSeconds}s");
    }
}
