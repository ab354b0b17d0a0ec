using System.CommandLine;
using ScanGate.Cli.Options;
using ScanGate.Configuration;
using ScanGate.Policy;
using ScanGate.Reports;
using ScanGate.Scanning;

namespace ScanGate.Cli.Commands;

/// <summary>
/// <c>scangate scan</c>: launch a Qualys VM scan of hosts or an EC2 instance, wait, fetch, judge, exit with the verdict.
/// Configuration: flags &gt; environment &gt; scangate.yml (docs/configuration.md). Exit codes: docs/exit-codes.md.
/// </summary>
internal static class ScanCommand
{
    public static Command Create(CliContext context)
    {
        // Before System.CommandLine registers its handlers, so ours run first and know which signal it was.
        SignalHub.EnsureRegistered();
        var options = new ScanCliOptions();
        var command = new Command("scan", "Launch a Qualys VM scan, wait for it, fetch the result and judge it against the policy.\n" + ScanGateCli.ExitCodeHelp);
        options.AddTo(command);
        command.SetAction((parseResult, cancellationToken) => RunAsync(context, options, parseResult, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, ScanCliOptions options, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var console = new ScanConsole(context, options.Verbosity(parseResult));
        ScanSettings settings;
        IScanJudge judge;
        try
        {
            if (options.Reports.Validate(parseResult) is { } reportError)
            {
                throw new ConfigurationException(reportError);
            }

            settings = options.BuildSettings(parseResult, context);
            EnsureWritable(settings.Request.OutputDirectory);
            // The policy is checked before anything is launched: a typo never costs a scan.
            var policy = ScanServices.BuildPolicy(context, options.Policy, parseResult, settings.PolicyFile,
                given => settings.Criteria with { WarnExitCode = given.WarnExitCode });
            judge = new PolicyScanJudge(policy, context.Time);

            // --warn-exit-code applies to every warn, the one --on-host-down warn gives included.
            settings = settings with { Request = settings.Request with { WarnExitCode = policy.WarnExitCode } };
        }
        catch (ConfigurationException ex)
        {
            console.Error(ex.Message);
            return ExitCodes.Usage;
        }

        // Reports and the webhook follow the result even when the run was interrupted, so they get their own token.
        return await RunScanAsync(context, console, settings, judge, outcome => outcome.ResultFile is null
            ? Task.FromResult(outcome.ExitCode)
            : options.Reports.RenderAsync(parseResult, context, outcome.ResultFile, settings.Request.OutputDirectory, outcome.ExitCode, CancellationToken.None),
            cancellationToken);
    }

    /// <summary>Checks the output directory before a scan is spent on a run whose result could not be saved.</summary>
    public static void EnsureWritable(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
            var probe = Path.Combine(directory, $".scangate-write-test-{Guid.NewGuid():N}");
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException("--output-dir", directory, $"cannot write there ({ex.Message}).", ex);
        }
    }

    /// <summary>Runs the lifecycle with signal handling and prints the summary; shared with <c>demo</c>.</summary>
    public static async Task<int> RunScanAsync(
        CliContext context, ScanConsole console, ScanSettings settings, IScanJudge judge, Func<ScanOutcome, Task<int>> finish, CancellationToken cancellationToken)
    {
        using var interrupt = new ScanInterrupt();
        using var tracking = SignalHub.Track(interrupt);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(interrupt.Token, cancellationToken);
        var hooks = ScanHooks.For(context);
        hooks?.OnStart?.Invoke(interrupt);
        var observer = hooks?.OnStatus is { } onStatus
            ? new ScanConsole(context, console.Level) { StatusHook = status => onStatus(interrupt, status) }
            : console;

        QualysClientScanPort port;
        try
        {
            port = ScanServices.CreatePort(context, settings.Connection, console, settings.Request.Timeout);
        }
        catch (ConfigurationException ex)
        {
            console.Error(ex.Message);
            return ExitCodes.Usage;
        }

        try
        {
            console.Info($"ScanGate {ToolInfo.Version}: scanning {settings.Request.Target.Display} ({settings.Ci.System} job '{settings.Ci.JobName}' build {settings.Ci.BuildNumber}).");
            var lifecycle = new ScanLifecycle(port, judge, context.Time, observer)
            {
                InterruptExitCode = () => interrupt.ExitCode,
            };
            var outcome = await lifecycle.RunAsync(settings.Request, linked.Token);
            if (!outcome.Outcome.HasVerdict())
            {
                console.Error(outcome.Message);
            }

            console.Summary(outcome);
            return await finish(outcome);
        }
        finally
        {
            port.Dispose();
        }
    }

}

/// <summary>The flags of <c>scan</c>, mapped to configuration keys.</summary>
internal sealed class ScanCliOptions
{
    public QualysCliOptions Qualys { get; } = new();

    public Option<string[]> Host { get; } = new("--host") { Description = "Host(s) to scan: IPv4/IPv6 addresses, ranges a-b and CIDR blocks, comma-separated or repeated.", HelpName = "ADDRESSES", AllowMultipleArgumentsPerToken = true };

    public Option<string?> NetworkId { get; } = new("--network-id") { Description = "Qualys network ID of the hosts (see 'scangate list networks').", HelpName = "ID" };

    public Option<string?> Ec2Instance { get; } = new("--ec2-instance") { Description = "EC2 instance ID to scan (instead of --host).", HelpName = "ID" };

    public Option<string?> Ec2Connector { get; } = new("--ec2-connector") { Description = "Name of the Qualys AWS connector that knows the instance.", HelpName = "NAME" };

    public Option<bool> RunConnector { get; } = new("--run-connector") { Description = "Run the connector first (unless it is already running) so the inventory is current." };

    public Option<string?> Ec2Region { get; } = new("--ec2-region") { Description = "Region (ec2_endpoint); default: the region Qualys reports for the instance.", HelpName = "REGION" };

    public Option<string?> OptionProfile { get; } = new("--option-profile") { Description = "Option profile title (default: Initial Options).", HelpName = "TITLE" };

    public Option<string?> Scanner { get; } = new("--scanner") { Description = "Scanner appliance name (default: External); all-in-network uses every appliance of --network-id.", HelpName = "NAME" };

    public Option<string?> ScanName { get; } = new("--scan-name") { Description = "Scan title template; tokens [job_name], [build_number], [timestamp]; _[timestamp] is always appended.", HelpName = "TEMPLATE" };

    public Option<string?> PollInterval { get; } = new("--poll-interval") { Description = "Time between status checks: 30s, 2m, 1h, or minutes like 2 (default 2m, at least 10s).", HelpName = "DURATION" };

    public Option<string?> Timeout { get; } = new("--timeout") { Description = "Wall-clock limit of the whole run, from start to exit 5 (plus a 20 s grace to cancel the scan): 30m, 2h, or minutes like 60*2 (default 60m).", HelpName = "DURATION" };

    public Option<string?> OnHostDown { get; } = new("--on-host-down") { Description = "When the scan finds no live host (No_Host): fail (default, exit 4), warn or pass.", HelpName = "fail|warn|pass" };

    public Option<bool> LeaveRunning { get; } = new("--leave-running") { Description = "Do not cancel the Qualys scan when the run ends without it (timeout, interruption, error)." };

    public Option<string?> OutputDir { get; } = new("--output-dir") { Description = "Where to write scangate-result.json and qualys_<ref>.json (default scangate-out).", HelpName = "DIR" };

    public ReportCliOptions Reports { get; } = new();

    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "Only errors and the verdict." };

    public Option<bool> Verbose { get; } = new("--verbose", "-v") { Description = "Also show every API call and connector state." };

    public PolicyCliOptions Policy { get; } = new();

    public void AddTo(Command command)
    {
        Qualys.AddTo(command);
        foreach (var option in new Option[] { Host, NetworkId, Ec2Instance, Ec2Connector, RunConnector, Ec2Region, OptionProfile, Scanner, ScanName, PollInterval, Timeout, OnHostDown, LeaveRunning, OutputDir, Quiet, Verbose })
        {
            command.Options.Add(option);
        }

        Policy.AddTo(command);
        Reports.AddTo(command);
    }

    public Verbosity Verbosity(ParseResult parseResult) =>
        parseResult.GetValue(Quiet) ? Cli.Verbosity.Quiet : parseResult.GetValue(Verbose) ? Cli.Verbosity.Verbose : Cli.Verbosity.Normal;

    public ScanSettings BuildSettings(ParseResult parseResult, CliContext context)
    {
        var flags = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (parseResult.GetValue(Host) is { Length: > 0 } hosts)
        {
            flags["host"] = hosts;
        }

        QualysCliOptions.Put(flags, "network_id", parseResult.GetValue(NetworkId));
        QualysCliOptions.Put(flags, "ec2_instance", parseResult.GetValue(Ec2Instance));
        QualysCliOptions.Put(flags, "ec2_connector", parseResult.GetValue(Ec2Connector));
        QualysCliOptions.Put(flags, "run_connector", parseResult, RunConnector);
        QualysCliOptions.Put(flags, "ec2_region", parseResult.GetValue(Ec2Region));
        QualysCliOptions.Put(flags, "option_profile", parseResult.GetValue(OptionProfile));
        QualysCliOptions.Put(flags, "scanner", parseResult.GetValue(Scanner));
        QualysCliOptions.Put(flags, "scan_name", parseResult.GetValue(ScanName));
        QualysCliOptions.Put(flags, "poll_interval", parseResult.GetValue(PollInterval));
        QualysCliOptions.Put(flags, "timeout", parseResult.GetValue(Timeout));
        QualysCliOptions.Put(flags, "on_host_down", parseResult.GetValue(OnHostDown));
        QualysCliOptions.Put(flags, "leave_running", parseResult, LeaveRunning);
        QualysCliOptions.Put(flags, "output_dir", parseResult.GetValue(OutputDir));
        // The criteria flags join the layers, so scangate.yml and SCANGATE_* criteria count like every other setting.
        foreach (var (key, values) in ScanConfiguration.CriteriaFlags(Policy.ReadOverrides(parseResult)))
        {
            flags[key] = values;
        }

        var layers = Qualys.Layers(parseResult, context, flags);
        return ScanConfiguration.Build(layers, Qualys.PasswordSource(parseResult), context.In, context.Time.GetUtcNow());
    }
}
