using System.Globalization;
using ScanGate.Policy;
using ScanGate.Qualys;
using ScanGate.Results;

namespace ScanGate.Scanning;

/// <summary>Waits for <paramref name="delay"/> of the run's time (tests advance a fake clock instead).</summary>
public delegate Task ScanWait(TimeSpan delay, CancellationToken cancellationToken);

/// <summary>
/// The scan gate from start to verdict: check the connection, [EC2 pre-flight], check the names Qualys knows,
/// launch, poll, fetch, judge. One deadline (<see cref="ScanRequest.Timeout"/>) bounds every call and wait; every
/// ending maps to one <see cref="Outcome"/> and exit code and leaves <c>scangate-result.json</c> behind. It fails
/// closed: an Error, Canceled, unreadable or missing result is never a pass, and a scan it gives up on is cancelled
/// within <see cref="CancelGrace"/> (unless <see cref="ScanRequest.LeaveRunning"/>).
/// </summary>
public sealed class ScanLifecycle
{
    /// <summary>
    /// How long ScanGate may still spend once the run is over (deadline, signal or error) to finish a launch in flight
    /// and cancel the scan: the run ends at most this long after <c>--timeout</c>.
    /// </summary>
    public static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(20);

    private static readonly HashSet<string> ConnectorInProgress = new(StringComparer.OrdinalIgnoreCase) { "RUNNING", "PENDING", "QUEUED", "PROCESSING" };
    private static readonly HashSet<string> ConnectorDone = new(StringComparer.OrdinalIgnoreCase) { "FINISHED_SUCCESS", "SUCCESS" };
    private static readonly HashSet<string> ConnectorFailed = new(StringComparer.OrdinalIgnoreCase) { "FINISHED_ERRORS", "ERROR", "INCOMPLETE", "DISABLED" };

    /// <summary>The launch parameters Qualys names in a 1905 refusal, and the flag each comes from.</summary>
    private static readonly Dictionary<string, (string Flag, string What, string List)> LaunchParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        ["option_title"] = ("--option-profile", "option profile with this title", "scangate list option-profiles"),
        ["iscanner_name"] = ("--scanner", "scanner appliance with this name", "scangate list scanners"),
        ["ip_network_id"] = ("--network-id", "network with this ID", "scangate list networks"),
    };

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

    /// <summary>What one run knows while it runs: where it is, its deadline and when it started to end.</summary>
    private sealed class Run(ScanRequest request, ScanRecord scan, DateTimeOffset deadline)
    {
        public ScanRequest Request { get; } = request;

        public ScanRecord Scan { get; } = scan;

        public DateTimeOffset Deadline { get; } = deadline;

        /// <summary>What the run is doing, for messages: "checking the connection", "waiting for scan/1.2" …</summary>
        public string Phase { get; set; } = "starting";

        /// <summary>When the run started to end (deadline, signal, error): the cancel grace counts from here.</summary>
        public DateTimeOffset? EndingSince { get; set; }

        /// <summary>The catalog lists read before launching, for the suggestions of a 1905 refusal.</summary>
        public Dictionary<string, IReadOnlyList<string>> KnownNames { get; } = new(StringComparer.Ordinal);
    }

    public async Task<ScanOutcome> RunAsync(ScanRequest request, CancellationToken cancellationToken)
    {
        var scan = new ScanRecord { Title = request.Title, Target = request.Target.Display, StartedAt = _time.GetUtcNow() };
        var run = new Run(request, scan, scan.StartedAt + request.Timeout);
        _port.Deadline = run.Deadline;
        using var deadline = new CancellationTokenSource(request.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        using var ending = linked.Token.Register(() => BeginEnding(run));
        var token = linked.Token;
        try
        {
            run.Phase = "checking the connection";
            _observer.Info("Checking the connection to Qualys.");
            await _port.TestConnectionAsync(token);

            string? endpoint = null;
            if (request.Target is Ec2Target ec2)
            {
                run.Phase = "in the EC2 pre-flight";
                var preflight = await Ec2PreflightAsync(run, ec2, token);
                if (preflight.Outcome is not null)
                {
                    return preflight.Outcome;
                }

                endpoint = preflight.Endpoint;
            }

            run.Phase = "checking the names Qualys knows";
            if (await CheckNamesAsync(run, token) is { } unknownName)
            {
                return await EndAsync(request, scan, Outcome.UsageError, unknownName, []);
            }

            run.Phase = "launching";
            var launched = await LaunchAsync(run, endpoint, linked);
            if (launched is not null)
            {
                return launched;
            }

            run.Phase = $"waiting for scan {scan.Reference}";
            var status = await PollAsync(run, token);
            if (status is null)
            {
                return await TimeOutAsync(run);
            }

            return await FinishAsync(request, scan, status, run, token, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return await InterruptedAsync(run);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return await TimeOutAsync(run);
        }
        catch (QualysException ex)
        {
            var note = await AbandonAsync(run, "the run ended with an API error");
            return await EndAsync(request, scan, ex.Outcome, Join($"Qualys API error while {run.Phase}: {ex.Message}", note), []);
        }
        catch (QualysSettingException ex)
        {
            var note = await AbandonAsync(run, "the run ended with a configuration error");
            return await EndAsync(request, scan, Outcome.UsageError, Join(ex.Message, note), []);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Never the policy-fail code for a run that produced no verdict.
            var note = await AbandonAsync(run, "the results could not be written");
            return await EndAsync(request, scan, Outcome.NoResult, Join($"Could not write the results in '{request.OutputDirectory}' while {run.Phase}: {ex.Message}", note), []);
        }
#pragma warning disable CA1031 // A fault of ours after launch must still cancel the scan and leave a result file (exit 70).
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var note = await AbandonAsync(run, "internal error");
            return await EndAsync(request, scan, Outcome.InternalError,
                Join($"Internal error while {run.Phase} ({ex.GetType().Name}): {ex.Message}. This is a bug in ScanGate {ToolInfo.Version}; the result is not a pass.", note), []);
        }
    }

    private void BeginEnding(Run run)
    {
        var now = _time.GetUtcNow();
        run.EndingSince ??= now;

        // The run is over: no retry may start a wait any more (a launch in flight may still finish, within the grace).
        _port.Deadline = now < run.Deadline ? now : run.Deadline;
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
            var status = await _port.GetScanAsync(reference, cancellationToken);
            if (status?.State is null)
            {
                return await EndAsync(request, scan, Outcome.UsageError,
                    $"--scan-ref '{reference}': no such scan in the scan list of this subscription (scans older than the list's window are not shown).", []);
            }

            Record(scan, status);
            if (!IsTerminal(status.State))
            {
                return await EndAsync(request, scan, Outcome.NoResult, $"Scan {reference} is {status.State}, not finished: nothing to judge yet.", []);
            }

            return await FinishAsync(request, scan, status, run: null, cancellationToken, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return await EndAsync(request, scan, Outcome.Interrupted, "Interrupted.", []);
        }
        catch (QualysException ex)
        {
            return await EndAsync(request, scan, ex.Outcome, $"Qualys API error: {ex.Message}", []);
        }
        catch (QualysSettingException ex)
        {
            return await EndAsync(request, scan, Outcome.UsageError, $"--scan-ref '{reference}': {ex.Message}", []);
        }
    }

    private async Task<(ScanOutcome? Outcome, string? Endpoint)> Ec2PreflightAsync(Run run, Ec2Target ec2, CancellationToken cancellationToken)
    {
        var (request, scan) = (run.Request, run.Scan);
        var connectors = await _port.SearchConnectorsAsync(ec2.ConnectorName, cancellationToken);
        if (connectors.Count == 0)
        {
            return (await EndAsync(request, scan, Outcome.UsageError,
                $"--ec2-connector: no AWS connector named '{ec2.ConnectorName}' in this subscription (names are exact; see 'scangate list connectors').", []), null);
        }

        if (connectors.Count > 1)
        {
            return (await EndAsync(request, scan, Outcome.ApiError,
                $"{connectors.Count} AWS connectors are named '{ec2.ConnectorName}' (ids {string.Join(", ", connectors.Select(c => c.Id))}); rename them so the name is unique.", []), null);
        }

        var connector = connectors[0];
        _observer.Detail($"Connector '{connector.Name}' (id {connector.Id}, account {connector.AwsAccountId ?? "unknown"}).");
        if (ec2.RunConnector)
        {
            var failure = await RunConnectorAsync(run, connector, cancellationToken);
            if (failure is not null)
            {
                return (failure, null);
            }
        }

        // Always read the instance (the plugin skipped this for known instances and scanned stopped ones), and read
        // it after any connector run, so the region is the fresh one (the plugin launched with "Unknown").
        var assets = await _port.FindHostAssetsAsync(ec2.InstanceId, connector.AwsAccountId, cancellationToken);
        var instance = assets.FirstOrDefault(a => string.Equals(a.InstanceId, ec2.InstanceId, StringComparison.OrdinalIgnoreCase)) ?? (assets.Count > 0 ? assets[0] : null);
        if (instance is null)
        {
            var advice = ec2.RunConnector
                ? "the connector ran, so check the instance id and that the connector covers its account and region"
                : "run the connector first with --run-connector, or check the instance id and connector";
            return (await EndAsync(request, scan, Outcome.UsageError,
                $"--ec2-instance: instance '{ec2.InstanceId}' is not known to Qualys through connector '{connector.Name}' ({advice}).", []), null);
        }

        if (!string.Equals(instance.InstanceState, "RUNNING", StringComparison.OrdinalIgnoreCase))
        {
            return (await EndAsync(request, scan, Outcome.NoResult,
                $"EC2 instance '{ec2.InstanceId}' is {instance.InstanceState ?? "in an unknown state"}, not RUNNING: it cannot be scanned. Start it, or run the connector (--run-connector) if the state is stale.", []), null);
        }

        var endpoint = ec2.Region ?? instance.Region;
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return (await EndAsync(request, scan, Outcome.UsageError,
                $"--ec2-region: Qualys does not report a region for instance '{ec2.InstanceId}'; pass --ec2-region.", []), null);
        }

        if (ec2.Region is not null && instance.Region is not null && !string.Equals(ec2.Region, instance.Region, StringComparison.OrdinalIgnoreCase))
        {
            _observer.Warning($"--ec2-region {ec2.Region} differs from the region Qualys reports for the instance ({instance.Region}); using {ec2.Region}.");
        }

        _observer.Info($"EC2 instance {ec2.InstanceId} is RUNNING in {endpoint}.");
        return (null, endpoint);
    }

    /// <summary>The plugin's run decision (docs/configuration.md, EC2), then polling until the connector is done.</summary>
    private async Task<ScanOutcome?> RunConnectorAsync(Run run, AwsConnector connector, CancellationToken cancellationToken)
    {
        var (request, scan) = (run.Request, run.Scan);
        var name = connector.Name ?? string.Empty;
        var state = (await _port.GetConnectorAsync(connector.Id, cancellationToken)).State ?? "UNKNOWN";
        if (string.Equals(state, "DISABLED", StringComparison.OrdinalIgnoreCase))
        {
            return await EndAsync(request, scan, Outcome.ApiError, $"Connector '{name}' is DISABLED in Qualys; enable it or leave out --run-connector.", []);
        }

        if (ConnectorInProgress.Contains(state))
        {
            _observer.Info($"Connector '{name}' is already {state}; waiting for it instead of starting another run.");
        }
        else
        {
            // FINISHED_*, SUCCESS, ERROR, INCOMPLETE and unknown states: start a fresh run so the inventory is current.
            _observer.Info($"Running connector '{name}' (state was {state}).");
            state = (await _port.RunConnectorAsync(connector.Id, cancellationToken)).State ?? string.Empty;
            if (string.IsNullOrWhiteSpace(state))
            {
                return await EndAsync(request, scan, Outcome.ApiError, $"Qualys did not start connector '{name}' (the run call returned no state).", []);
            }
        }

        while (true)
        {
            var now = _time.GetUtcNow();
            if (now >= run.Deadline)
            {
                return await EndAsync(request, scan, Outcome.Timeout, $"Timeout of {FormatSpan(request.Timeout)} reached while connector '{name}' was {state}. No scan had been launched.", []);
            }

            await _wait(Min(request.PollInterval, run.Deadline - now), cancellationToken);
            state = (await _port.GetConnectorAsync(connector.Id, cancellationToken)).State ?? "UNKNOWN";
            _observer.Detail($"Connector '{name}' state: {state}.");
            if (ConnectorDone.Contains(state))
            {
                _observer.Info($"Connector '{name}' finished ({state}).");
                return null;
            }

            if (ConnectorFailed.Contains(state))
            {
                return await EndAsync(request, scan, Outcome.ApiError, $"Connector '{name}' ended in {state}; the instance inventory may be stale, so no scan was launched.", []);
            }
        }
    }

    /// <summary>
    /// Checks the option profile, scanner appliance and network against the live lists (one call each) so a typo is a
    /// configuration error naming the flag, not a launched-then-refused scan. A list this user may not read (403,
    /// 2012) leaves the check to Qualys at launch; any other failure ends the run with that error.
    /// </summary>
    private async Task<string?> CheckNamesAsync(Run run, CancellationToken cancellationToken)
    {
        var request = run.Request;
        var profile = request.OptionProfile;
        if (await ReadNamesAsync(run, "option_title", "option profiles", ct => ListProfilesAsync(OptionProfileKind.Vm, ct), cancellationToken) is { } vm
            && !vm.Contains(profile, StringComparer.Ordinal))
        {
            // Not a VM profile: it may be a PCI one (asked only then, so the usual case stays one call).
            var pci = await ReadNamesAsync(run, "option_title_pci", "PCI option profiles", ct => ListProfilesAsync(OptionProfileKind.Pci, ct), cancellationToken) ?? [];
            if (!pci.Contains(profile, StringComparer.Ordinal))
            {
                IReadOnlyList<string> all = [.. vm, .. pci];
                run.KnownNames["option_title"] = all;
                return KnownNames.Unknown("--option-profile", profile, "option profile with this title", KnownNames.Closest(profile, all), "scangate list option-profiles");
            }
        }

        var scanners = ScannerNames(request);
        if (scanners.Count > 0
            && await ReadNamesAsync(run, "iscanner_name", "scanner appliances", async ct => [.. (await _port.ListAppliancesAsync(ct)).Select(a => a.Name)], cancellationToken) is { } appliances)
        {
            foreach (var scanner in scanners.Where(s => !appliances.Contains(s, StringComparer.Ordinal)))
            {
                return KnownNames.Unknown("--scanner", scanner, "scanner appliance with this name", KnownNames.Closest(scanner, [.. appliances, "External"]), "scangate list scanners");
            }
        }

        if (request.Target is HostTarget { NetworkId: { } networkId } && !string.Equals(networkId, "0", StringComparison.Ordinal)
            && await ReadNamesAsync(run, "ip_network_id", "networks", async ct => [.. (await _port.ListNetworksAsync(ct)).Select(n => n.Id)], cancellationToken) is { } networks
            && !networks.Contains(networkId, StringComparer.Ordinal))
        {
            return KnownNames.Unknown("--network-id", networkId, "network with this ID", KnownNames.Closest(networkId, networks), "scangate list networks");
        }

        return null;
    }

    private async Task<IReadOnlyList<string>> ListProfilesAsync(OptionProfileKind kind, CancellationToken cancellationToken) =>
        [.. (await _port.ListOptionProfilesAsync(kind, cancellationToken)).Select(p => p.Title)];

    /// <summary>The names of one list, or null when this user may not read it.</summary>
    private async Task<IReadOnlyList<string>?> ReadNamesAsync(Run run, string key, string what, Func<CancellationToken, Task<IReadOnlyList<string>>> list, CancellationToken cancellationToken)
    {
        try
        {
            var names = await list(cancellationToken);
            run.KnownNames[key] = names;
            return names;
        }
        catch (QualysApiException ex) when (ex.IsNotPermitted)
        {
            _observer.Detail($"Cannot read the {what} ({ex.Message}); Qualys checks the name at launch.");
            return null;
        }
    }

    /// <summary>The appliance names <c>--scanner</c> sends (none for External or all-in-network).</summary>
    private static List<string> ScannerNames(ScanRequest request) =>
        string.Equals(request.Scanner, ScanRequest.AllScannersInNetwork, StringComparison.OrdinalIgnoreCase)
            ? []
            : [.. request.Scanner.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(s => !string.Equals(s, "External", StringComparison.OrdinalIgnoreCase))];

    /// <summary>
    /// Launches (the client settles a lost response). A launch in flight when the run ends (deadline, signal) is let
    /// finish within the cancel grace, so the scan it may have created is known and cancelled. Returns an outcome when
    /// the run ends here, null when the scan is launched and the run goes on.
    /// </summary>
    private async Task<ScanOutcome?> LaunchAsync(Run run, string? endpoint, CancellationTokenSource runToken)
    {
        var (request, scan) = (run.Request, run.Scan);
        // Never launch once the run is over (the deadline or a signal came during the checks).
        runToken.Token.ThrowIfCancellationRequested();
        var launch = BuildLaunch(request, endpoint);
        _observer.Info($"Launching scan of {request.Target.Display} with option profile '{request.OptionProfile}' on scanner '{request.Scanner}'.");
        using var launchToken = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        using (runToken.Token.Register(() => launchToken.CancelAfter(GraceLeft(run))))
        {
            ScanLaunchResult launched;
            try
            {
                launched = await _port.LaunchScanAsync(launch, launchToken.Token);
            }
            catch (QualysApiException ex) when (ex.InvalidParameter is { } parameter && LaunchParameters.TryGetValue(parameter, out var flag))
            {
                // Qualys refused a name we could not check beforehand: a configuration error naming our flag.
                var value = FlagValue(request, parameter);
                var known = run.KnownNames.GetValueOrDefault(parameter, []);
                return await EndAsync(request, scan, Outcome.UsageError,
                    $"{KnownNames.Unknown(flag.Flag, value, flag.What, KnownNames.Closest(value, known), flag.List)} (Qualys error {ex.Code}: {ex.Text})", []);
            }
            catch (OperationCanceledException) when (launchToken.IsCancellationRequested && runToken.IsCancellationRequested)
            {
                _observer.Warning($"The launch did not answer within the cancel grace; a scan titled '{request.Title}' may exist in Qualys: cancel it there.");
                throw;
            }

            scan.Reference = launched.ScanRef;
            scan.Id = launched.ScanId?.ToString(CultureInfo.InvariantCulture);
            var how = launched.RecoveredByTitle ? " (the launch response was lost; found by its title, not launched again)" : string.Empty;
            _observer.Info($"Scan launched: {launched.ScanRef}{(scan.Id is null ? string.Empty : $" (id {scan.Id})")}, title '{request.Title}'{how}.");
        }

        // The run ended while the launch was in flight: the scan exists now, and the ending cancels it.
        runToken.Token.ThrowIfCancellationRequested();
        return null;
    }

    private static string FlagValue(ScanRequest request, string parameter) => parameter switch
    {
        "option_title" => request.OptionProfile,
        "iscanner_name" => request.Scanner,
        _ => request.Target is HostTarget { NetworkId: { } id } ? id : string.Empty,
    };

    private static ScanLaunchRequest BuildLaunch(ScanRequest request, string? endpoint)
    {
        var allInNetwork = string.Equals(request.Scanner, ScanRequest.AllScannersInNetwork, StringComparison.OrdinalIgnoreCase);
        var launch = new ScanLaunchRequest
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
    private async Task<QualysScan?> PollAsync(Run run, CancellationToken cancellationToken)
    {
        var request = run.Request;
        var launchedAt = _time.GetUtcNow();
        var reference = run.Scan.Reference!;
        while (true)
        {
            var now = _time.GetUtcNow();
            if (now >= run.Deadline)
            {
                return null;
            }

            // No fixed sleep before the first poll beyond one interval: a scan never finishes in less.
            await _wait(Min(request.PollInterval, run.Deadline - now), cancellationToken);
            var status = await _port.GetScanAsync(reference, cancellationToken);
            if (status?.State is null)
            {
                _observer.Detail($"Scan {reference} is not in the scan list yet.");
                continue;
            }

            Record(run.Scan, status);
            _observer.Status(status, _time.GetUtcNow() - launchedAt, request.Timeout);
            if (IsTerminal(status.State))
            {
                return status;
            }
        }
    }

    private static void Record(ScanRecord scan, QualysScan status)
    {
        scan.State = status.State;
        scan.SubState = status.SubState;
        scan.Duration = status.Duration;
    }

    public static bool IsTerminal(string? state) =>
        state is not null &&
        (state.Equals("Finished", StringComparison.OrdinalIgnoreCase)
         || state.Equals("Error", StringComparison.OrdinalIgnoreCase)
         || state.Equals("Canceled", StringComparison.OrdinalIgnoreCase)
         || state.Equals("Cancelled", StringComparison.OrdinalIgnoreCase));

    /// <summary>The end of a scan that reached a terminal state: no result, host down, or fetch and judge.</summary>
    /// <param name="request">The run's request.</param>
    /// <param name="scan">What is known about the scan.</param>
    /// <param name="status">The terminal status.</param>
    /// <param name="run">The run (null for <c>evaluate --scan-ref</c>).</param>
    /// <param name="fetchToken">Bounds the fetch (the run's deadline and the signal).</param>
    /// <param name="cancellationToken">The signal only: judging a fetched result is local work, not cut by the deadline.</param>
    private async Task<ScanOutcome> FinishAsync(ScanRequest request, ScanRecord scan, QualysScan status, Run? run, CancellationToken fetchToken, CancellationToken cancellationToken)
    {
        var reference = scan.Reference!;
        var state = status.State!;
        if (!state.Equals("Finished", StringComparison.OrdinalIgnoreCase))
        {
            var what = state.StartsWith("Cancel", StringComparison.OrdinalIgnoreCase)
                ? $"Scan {reference} was Canceled on Qualys before it finished: no result to judge."
                : $"Scan {reference} ended in Error{(status.SubState is null ? string.Empty : $" ({status.SubState})")}: no result to judge.";
            return await EndAsync(request, scan, Outcome.NoResult, what, []);
        }

        if (string.Equals(status.SubState, "No_Host", StringComparison.OrdinalIgnoreCase))
        {
            return await HostDownAsync(request, scan);
        }

        var artifact = Path.Combine(request.OutputDirectory, ScanRecord.ArtifactNameFor(reference));
        var raw = artifact + ".download";
        if (run is not null)
        {
            run.Phase = $"fetching the result of {reference}";
        }

        _observer.Info($"Scan finished{(status.SubState is null ? string.Empty : $" ({status.SubState})")}; fetching the result.");
        try
        {
            await FetchAsync(reference, raw, fetchToken);
        }
        catch (QualysException ex)
        {
            var kept = KeepIncomplete(raw, artifact);
            return await EndAsync(request, scan, ex.Outcome, $"Fetching the result of {reference} failed: {ex.Message}{kept} Scan {reference} had finished, so there was nothing to cancel.", []);
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
            return await EndAsync(request, scan, Outcome.ApiError,
                $"The result fetched for {reference} is not a complete json_extended result ({ex.Message}); it is kept as {Path.GetFileName(artifact)}.incomplete. Never a pass.", []);
        }

        await WriteArtifactAsync(raw, artifact, judged.EvaluationResultJson, cancellationToken);
        File.Delete(raw);
        scan.ResultArtifact = Path.GetFileName(artifact);
        var verdict = judged.Verdict switch
        {
            "pass" => Verdict.Pass,
            "warn" => Verdict.Warn,
            _ => Verdict.Fail,
        };
        var (outcome, message) = verdict switch
        {
            Verdict.Pass => (Outcome.Pass, "Gate passed."),
            Verdict.Warn => (Outcome.Warn, "Gate passed with warnings."),
            _ => (Outcome.PolicyFail, "Gate failed."),
        };
        return new ScanOutcome(outcome, judged.ExitCode, verdict, message, scan)
        {
            Reasons = judged.Reasons,
            ResultFile = judged.ResultFile,
            SummaryText = judged.SummaryText,
        };
    }

    private async Task FetchAsync(string reference, string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var target = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        await using (target)
        {
            await _port.DownloadResultAsync(reference, target, cancellationToken);
        }
    }

    /// <summary>Keeps the bytes of a failed fetch as <c>….incomplete</c> (never judged); the note says where.</summary>
    private static string KeepIncomplete(string raw, string artifact)
    {
        if (!File.Exists(raw))
        {
            return string.Empty;
        }

        if (new FileInfo(raw).Length == 0)
        {
            File.Delete(raw);
            return string.Empty;
        }

        File.Move(raw, artifact + ".incomplete", overwrite: true);
        return $" What arrived is kept as {Path.GetFileName(artifact)}.incomplete.";
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

    private async Task<ScanOutcome> HostDownAsync(ScanRequest request, ScanRecord scan)
    {
        var message = $"Scan {scan.Reference} finished with No_Host: the target{(scan.Target is null ? string.Empty : " " + scan.Target)} was not alive, so nothing was judged.";
        return request.OnHostDown switch
        {
            HostDownAction.Pass => await EndAsync(request, scan, Outcome.Pass, message + " Passing as --on-host-down pass says.", [message], Verdict.Pass),
            HostDownAction.Warn => await EndAsync(request, scan, Outcome.Warn, message + " Warning only, as --on-host-down warn says.", [message], Verdict.Warn),
            _ => await EndAsync(request, scan, Outcome.NoResult, message + " Failing (--on-host-down fail, the default).", []),
        };
    }

    private async Task<ScanOutcome> TimeOutAsync(Run run)
    {
        var scan = run.Scan;
        var where = run.Phase.StartsWith("waiting", StringComparison.Ordinal)
            ? $"; scan {scan.Reference} was still {scan.State ?? "not listed"}"
            : $" while {run.Phase}";
        var cancelNote = await AbandonAsync(run, "timeout");
        return await EndAsync(run.Request, scan, Outcome.Timeout, Join($"Timeout of {FormatSpan(run.Request.Timeout)} reached{where}.", cancelNote), []);
    }

    private async Task<ScanOutcome> InterruptedAsync(Run run)
    {
        // Cancel first: the signal handler may still be recording which signal it was.
        var cancelNote = await AbandonAsync(run, "interrupted");
        var known = InterruptExitCode();
        var signal = known switch
        {
            ExitCodes.Terminated => "SIGTERM",
            ExitCodes.Interrupted => "SIGINT",
            _ => "a signal",
        };
        return await EndAsync(run.Request, run.Scan, Outcome.Interrupted, Join($"Interrupted by {signal} while {run.Phase}.", cancelNote), [], exitCode: known);
    }

    /// <summary>
    /// The one way a run gives a launched scan up: when the scan may still be running, cancel it within what is left of
    /// the cancel grace (unless <c>--leave-running</c>), record <c>cancel_requested</c>, and say what happened.
    /// </summary>
    private async Task<string> AbandonAsync(Run run, string why)
    {
        var (request, scan) = (run.Request, run.Scan);
        run.EndingSince ??= _time.GetUtcNow();
        if (scan.Reference is null)
        {
            return string.Equals(run.Phase, "launching", StringComparison.Ordinal) ? string.Empty : "No scan had been launched.";
        }

        if (IsTerminal(scan.State))
        {
            return $"Scan {scan.Reference} had already ended ({scan.State}), so there was nothing to cancel.";
        }

        if (request.LeaveRunning)
        {
            return $"Scan {scan.Reference} left running (--leave-running).";
        }

        var left = GraceLeft(run);
        _port.Deadline = _time.GetUtcNow() + left;
        using var grace = new CancellationTokenSource(left, _time);
        try
        {
            _observer.Info($"Cancelling scan {scan.Reference} ({why}).");
            await _port.CancelScanAsync(scan.Reference, grace.Token);
            scan.CancelRequested = true;
            return $"Scan {scan.Reference} was cancelled on Qualys.";
        }
        catch (Exception ex) when (ex is QualysException or OperationCanceledException)
        {
            var detail = ex is QualysException qualys ? qualys.Message : $"no answer within the {FormatSpan(CancelGrace)} cancel grace";
            _observer.Warning($"Could not cancel scan {scan.Reference}: {detail}. Cancel it in Qualys.");
            return $"Cancelling scan {scan.Reference} failed ({detail}); cancel it in Qualys.";
        }
    }

    /// <summary>What is left of the cancel grace, counted from when the run started to end.</summary>
    private TimeSpan GraceLeft(Run run)
    {
        var left = (run.EndingSince ?? _time.GetUtcNow()) + CancelGrace - _time.GetUtcNow();
        return left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1);
    }

    private static string Join(string message, string note) => note.Length == 0 ? message : $"{message} {note}";

    /// <summary>The exit code of an outcome for this run: a warn follows <c>--warn-exit-code</c>.</summary>
    private static int ExitCodeOf(ScanRequest request, Outcome outcome, int? exitCode) =>
        exitCode ?? (outcome == Outcome.Warn ? request.WarnExitCode ?? ExitCodes.Pass : outcome.DefaultExitCode());

    /// <summary>The one funnel of every ending without a judged result: writes <c>scangate-result.json</c> with what is known.</summary>
    private async Task<ScanOutcome> EndAsync(
        ScanRequest request,
        ScanRecord scan,
        Outcome outcome,
        string message,
        IReadOnlyList<string> warnings,
        Verdict verdict = Verdict.Fail,
        int? exitCode = null)
    {
        var code = ExitCodeOf(request, outcome, exitCode);
        scan.ApiCalls = _port.ApiCalls;
        scan.FinishedAt = _time.GetUtcNow();
        scan.ElapsedSeconds = (scan.FinishedAt.Value - scan.StartedAt).TotalSeconds;
        string? file = null;
        try
        {
            file = await ScanResultFile.WriteUnjudgedAsync(request.OutputDirectory, scan, ResultDocument.VerdictName(verdict), code, [message], warnings, scan.FinishedAt.Value, CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _observer.Warning($"Could not write {ScanResultFile.FileName} in '{request.OutputDirectory}': {ex.Message}");
        }

        return new ScanOutcome(outcome, code, verdict, message, scan) { ResultFile = file, Reasons = [message] };
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
