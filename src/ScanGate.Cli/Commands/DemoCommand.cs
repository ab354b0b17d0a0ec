using System.CommandLine;
using System.Globalization;
using ScanGate.Cli.Options;
using ScanGate.Configuration;
using ScanGate.Emulator;
using ScanGate.Reports;
using ScanGate.Scanning;

namespace ScanGate.Cli.Commands;

/// <summary>
/// <c>scangate demo</c>: starts the embedded Qualys emulator on a loopback port and runs a real <c>scan</c> against it
/// over HTTP (the production client, lifecycle and policy engine), on an accelerated clock so minutes of scan pass in
/// seconds. The demo host has findings across severities, so the default gate (severity 4 or above) fails.
/// </summary>
internal static class DemoCommand
{
    /// <summary>The demo writes every report format so a newcomer sees them all.</summary>
    private static readonly ReportCliOptions.ReportRequest DemoReports =
        new([ReportFormat.Json, ReportFormat.Html, ReportFormat.JUnit, ReportFormat.Sarif, ReportFormat.Markdown]);

    public const string DemoHost = "192.0.2.10";

    public static Command Create(CliContext context)
    {
        SignalHub.EnsureRegistered();
        var host = new Option<string>("--host") { Description = "Emulated host to scan: 192.0.2.10 (findings), 192.0.2.11 (clean), 192.0.2.99 (down).", HelpName = "ADDRESS", DefaultValueFactory = _ => DemoHost };
        var speed = new Option<double>("--speed") { Description = "How many times faster than real time the demo clock runs (default 30).", HelpName = "X", DefaultValueFactory = _ => 30 };
        var outputDir = new Option<string>("--output-dir") { Description = "Where the result files are written (default scangate-out).", HelpName = "DIR", DefaultValueFactory = _ => ScanConfiguration.DefaultOutputDirectory };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only errors and the verdict." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Also show every API call." };
        var policy = new PolicyCliOptions();

        var command = new Command("demo", "Run a complete scan gate against the built-in Qualys emulator: no account needed, under 30 seconds.\n" + ScanGateCli.ExitCodeHelp);
        command.Options.Add(host);
        command.Options.Add(speed);
        command.Options.Add(outputDir);
        command.Options.Add(quiet);
        command.Options.Add(verbose);
        policy.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var verbosity = parseResult.GetValue(quiet) ? Verbosity.Quiet : parseResult.GetValue(verbose) ? Verbosity.Verbose : Verbosity.Normal;
            var console = new ScanConsole(context, verbosity);
            var factor = parseResult.GetValue(speed);
            if (!(factor is >= 1 and <= 1000))
            {
                console.Error($"--speed '{factor.ToString(CultureInfo.InvariantCulture)}': must be between 1 and 1000.");
                return ExitCodes.Usage;
            }

            var time = new ScaledTimeProvider(context.Time, factor);
            ScanSettings settings;
            IScanJudge judge;
            try
            {
                var target = TargetParser.Parse("--host", [parseResult.GetValue(host)!]);
                // Without criteria the demo gates on severity 4 or above, to show a real verdict.
                judge = ScanServices.CreateJudge(context, policy, parseResult, null, overrides => overrides.PolicyFile is null && overrides.FailOnSeverity is null
                    && overrides.FailOnQids is null && overrides.FailOnCves is null && overrides.FailOnCvss2 is null && overrides.FailOnCvss3 is null && overrides.FailOnPci is not true
                    ? overrides with { FailOnSeverity = "4" }
                    : overrides);
                settings = new ScanSettings(
                    new QualysConnectionSettings { ApiUrl = new Uri("http://127.0.0.1/"), Username = "demo", Password = "demo" },
                    new ScanRequest
                    {
                        Target = new HostTarget(target, null),
                        Title = ScanTitle.Expand("scangate-demo", "demo", "1", time.GetUtcNow()),
                        PollInterval = TimeSpan.FromSeconds(30),
                        Timeout = TimeSpan.FromMinutes(15),
                        OutputDirectory = Path.GetFullPath(parseResult.GetValue(outputDir)!, context.WorkingDirectory),
                    },
                    null,
                    new CiEnvironment("demo", "demo", "1"));
            }
            catch (ConfigurationException ex)
            {
                console.Error(ex.Message);
                return ExitCodes.Usage;
            }

            await using var emulator = await QualysEmulator.StartAsync(new EmulatorOptions { Port = 0, Time = time }, cancellationToken);
            settings = settings with { Connection = settings.Connection with { ApiUrl = emulator.BaseUrl } };
            var demoContext = new CliContext
            {
                Environment = context.Environment,
                Time = time,
                Out = context.Out,
                Error = context.Error,
                In = context.In,
                Console = context.Console,
                IsInteractive = context.IsInteractive,
                WorkingDirectory = context.WorkingDirectory,
                HttpHandlerFactory = context.HttpHandlerFactory,
            };
            if (ScanHooks.For(context) is { } hooks)
            {
                ScanHooks.Attach(demoContext, hooks);
            }

            var demoConsole = new ScanConsole(demoContext, verbosity);
            demoConsole.Info($"Qualys emulator listening on {emulator.BaseUrl} (user demo, password demo); the demo clock runs {factor.ToString(CultureInfo.InvariantCulture)}x real time.");
            var exitCode = await ScanCommand.RunScanAsync(demoContext, demoConsole, settings, judge,
                outcome => outcome.ResultFile is null
                    ? Task.FromResult(outcome.ExitCode)
                    : ReportCliOptions.RenderAsync(demoContext, outcome.ResultFile, Path.GetDirectoryName(outcome.ResultFile)!, DemoReports, outcome.ExitCode, CancellationToken.None),
                cancellationToken);
            if (verbosity != Verbosity.Quiet)
            {
                await context.Out.WriteLineAsync($"This was a real scan gate against the emulator over HTTP. With a Qualys subscription: QUALYS_USERNAME=... QUALYS_PASSWORD=... scangate scan --platform US1 --host <address> --fail-on-severity 4");
            }

            return exitCode;
        });
        return command;
    }
}
