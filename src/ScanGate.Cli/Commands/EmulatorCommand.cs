using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using ScanGate.Configuration;
using ScanGate.Emulator;

namespace ScanGate.Cli.Commands;

/// <summary><c>scangate emulator</c>: runs the Qualys API emulator on 127.0.0.1 until Ctrl-C or SIGTERM.</summary>
internal static class EmulatorCommand
{
    public static Command Create(CliContext context)
    {
        var port = new Option<int>("--port") { Description = "TCP port on 127.0.0.1 (0 = any free port).", DefaultValueFactory = _ => 0 };
        var scenario = new Option<string?>("--scenario") { Description = "Scenario YAML file (default: the built-in demo scenario, user demo / password demo)." };
        var speed = new Option<double>("--speed") { Description = "Virtual-clock speed: 10 runs scans ten times faster (and prints the scan flags to match).", DefaultValueFactory = _ => 1 };
        var rateLimit = new Option<int?>("--rate-limit") { Description = "Calls per window for every API (X-RateLimit-Limit), e.g. 300; default: the scenario's.", HelpName = "N" };
        var rateWindow = new Option<int?>("--rate-window") { Description = "Rolling window in virtual seconds (X-RateLimit-Window-Sec), e.g. 3600.", HelpName = "SECONDS" };
        var concurrencyLimit = new Option<int?>("--concurrency-limit") { Description = "Concurrent calls per API (X-Concurrency-Limit-Limit), e.g. 2.", HelpName = "N" };
        var command = new Command("emulator", "Run a local, stateful Qualys API emulator (127.0.0.1 only). Prints its base URL on the first line.")
        {
            port, scenario, speed, rateLimit, rateWindow, concurrencyLimit,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var portValue = parseResult.GetValue(port);
            var speedValue = parseResult.GetValue(speed);
            var scenarioValue = parseResult.GetValue(scenario);
            if (portValue is < 0 or > 65535)
            {
                await context.Error.WriteLineAsync($"scangate emulator: --port: invalid value '{portValue}' (0 to 65535)").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            if (!(speedValue > 0) || double.IsInfinity(speedValue))
            {
                await context.Error.WriteLineAsync($"scangate emulator: --speed: invalid value '{speedValue.ToString(CultureInfo.InvariantCulture)}' (a positive number)").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            foreach (var (option, value) in new[] { (rateLimit, parseResult.GetValue(rateLimit)), (rateWindow, parseResult.GetValue(rateWindow)), (concurrencyLimit, parseResult.GetValue(concurrencyLimit)) })
            {
                if (value is < 1)
                {
                    await context.Error.WriteLineAsync($"scangate emulator: {option.Name}: invalid value '{value.Value.ToString(CultureInfo.InvariantCulture)}' (at least 1)").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }
            }

            if (scenarioValue is not null)
            {
                scenarioValue = Path.GetFullPath(scenarioValue, context.WorkingDirectory);
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            // Our own handlers know which signal arrived; the invocation token alone does not.
            var signalled = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal =>
            {
                signal.Cancel = true;
                signalled.TrySetResult(ExitCodes.Interrupted);
                stop.Cancel();
            });
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
            {
                signal.Cancel = true;
                signalled.TrySetResult(ExitCodes.Terminated);
                stop.Cancel();
            });

            LimitSpec? limits = null;
            if (parseResult.GetValue(rateLimit) is not null || parseResult.GetValue(rateWindow) is not null || parseResult.GetValue(concurrencyLimit) is not null)
            {
                var defaults = new LimitSpec();
                limits = new LimitSpec
                {
                    Limit = parseResult.GetValue(rateLimit) ?? defaults.Limit,
                    Window = parseResult.GetValue(rateWindow) ?? defaults.Window,
                    Concurrency = parseResult.GetValue(concurrencyLimit) ?? defaults.Concurrency,
                };
            }

            QualysEmulator emulator;
            try
            {
                emulator = await QualysEmulator.StartAsync(new EmulatorOptions
                {
                    Port = portValue,
                    ScenarioPath = scenarioValue,
                    Speed = speedValue,
                    Time = context.Time,
                    Limits = limits,
                }, stop.Token).ConfigureAwait(false);
            }
            catch (ScenarioException ex)
            {
                await context.Error.WriteLineAsync($"scangate emulator: --scenario: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            catch (IOException ex)
            {
                await context.Error.WriteLineAsync($"scangate emulator: --port: cannot listen on 127.0.0.1:{portValue}: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            await using (emulator.ConfigureAwait(false))
            {
                await context.Out.WriteLineAsync(emulator.BaseUrl.ToString()).ConfigureAwait(false);
                await context.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                await context.Error.WriteLineAsync(scenarioValue is null
                    ? "Qualys API emulator (built-in demo scenario: user 'demo', password 'demo'; targets in 192.0.2.0/24, nothing is ever scanned)."
                    : $"Qualys API emulator (scenario {scenarioValue}).").ConfigureAwait(false);
                await context.Error.WriteLineAsync($"Control API: {emulator.BaseUrl}_emulator/requests, /_emulator/clock/advance?seconds=N, /_emulator/faults, /_emulator/stats, /_emulator/reset. Speed x{speedValue.ToString(CultureInfo.InvariantCulture)}. Ctrl-C stops.").ConfigureAwait(false);
                var l = emulator.State.DefaultLimits;
                await context.Error.WriteLineAsync($"Limits per API: {l.Limit} calls per {l.Window} s, {l.Concurrency} at once.").ConfigureAwait(false);
                // A rehearsal at --speed N: the flags for scan, with a poll interval that matches (never below what scan accepts).
                var hint = RehearsalHint.Lines(emulator.BaseUrl, emulator.State.Usernames[0], emulator.State.HostIps is [var firstHost, ..] ? firstHost : null, speedValue,
                    DurationParser.MinimumPollInterval, scenarioValue is null ? "demo" : null);
                foreach (var line in hint)
                {
                    await context.Error.WriteLineAsync(line).ConfigureAwait(false);
                }

                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl-C or SIGTERM: stop cleanly below.
                }

                await emulator.StopAsync(CancellationToken.None).ConfigureAwait(false);
                await context.Error.WriteLineAsync("Emulator stopped.").ConfigureAwait(false);
            }

            // The invocation token may fire before our signal handler ran; give it a moment to say which signal it was.
            await Task.WhenAny(signalled.Task, Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None)).ConfigureAwait(false);
            return signalled.Task.IsCompleted ? signalled.Task.Result : ExitCodes.Interrupted;
        });
        return command;
    }
}
