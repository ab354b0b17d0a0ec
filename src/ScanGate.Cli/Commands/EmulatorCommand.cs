using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using ScanGate.Emulator;

namespace ScanGate.Cli.Commands;

/// <summary><c>scangate emulator</c>: runs the Qualys API emulator on 127.0.0.1 until Ctrl-C or SIGTERM.</summary>
internal static class EmulatorCommand
{
    public static Command Create(CliContext context)
    {
        var port = new Option<int>("--port") { Description = "TCP port on 127.0.0.1 (0 = any free port).", DefaultValueFactory = _ => 0 };
        var scenario = new Option<string?>("--scenario") { Description = "Scenario YAML file (default: the built-in demo scenario, user demo / password demo)." };
        var speed = new Option<double>("--speed") { Description = "Virtual-clock speed: 10 runs scans ten times faster.", DefaultValueFactory = _ => 1 };
        var command = new Command("emulator", "Run a local, stateful Qualys API emulator (127.0.0.1 only). Prints its base URL on the first line.")
        {
            port, scenario, speed,
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

            QualysEmulator emulator;
            try
            {
                emulator = await QualysEmulator.StartAsync(new EmulatorOptions
                {
                    Port = portValue,
                    ScenarioPath = scenarioValue,
                    Speed = speedValue,
                    Time = context.Time,
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
                await context.Error.WriteLineAsync($"Control API: {emulator.BaseUrl}_emulator/requests, /_emulator/clock/advance?seconds=N, /_emulator/faults, /_emulator/reset. Speed x{speedValue.ToString(CultureInfo.InvariantCulture)}. Ctrl-C stops.").ConfigureAwait(false);
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
