using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using ScanGate.Cli;
using ScanGate.Infrastructure;
using Spectre.Console.Testing;

namespace ScanGate.Chaos.Tests;

/// <summary>What a case produced: everything the assertions look at.</summary>
internal sealed record ChaosRun(int ExitCode, TimeSpan FakeElapsed, TimeSpan RealElapsed, string Stdout, string Stderr, string WorkingDirectory)
{
    public string OutputDirectory => Path.Combine(WorkingDirectory, "out");

    public string Log => $"exit {ExitCode}, {FakeElapsed.TotalSeconds} s fake, {RealElapsed.TotalMilliseconds:0} ms real\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs <c>scangate scan</c> in-process through the CLI entry (real HTTP to 127.0.0.1) on a <see cref="ChaosClock"/>,
/// and checks what every case must hold: the exit code class, never a pass, the time bound, the cancel, the result
/// file, no password anywhere.
/// </summary>
internal static class ChaosRunner
{
    /// <summary>The documented cancel grace: a run ends at most this long after its --timeout.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(20);

    /// <summary>The longest fake and real time of any case, against its --timeout, for the report.</summary>
    public static ConcurrentBag<(string Case, TimeSpan Timeout, TimeSpan Fake, TimeSpan Real)> Timings { get; } = [];

    public static async Task<ChaosRun> RunAsync(ChaosClock clock, string password, Action<Action<PosixSignal>> connectSignals, params string[] args)
    {
        var work = Directory.CreateTempSubdirectory("scangate-chaos-").FullName;
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var environment = new DictionaryEnvironment();
        environment["QUALYS_PASSWORD"] = password;
        var context = new CliContext
        {
            Environment = environment,
            Time = clock,
            Out = stdout,
            Error = stderr,
            In = new StringReader(string.Empty),
            Console = new TestConsole(),
            IsInteractive = false,
            WorkingDirectory = work,
        };
        ScanInterrupt? interrupt = null;
        ScanHooks.Attach(context, new ScanHooks { OnStart = i => interrupt = i });
        connectSignals(signal => interrupt?.Raise(signal));

        var watch = Stopwatch.StartNew();
        var exitCode = await ScanGateCli.RunAsync(args, context, TestContext.Current.CancellationToken);
        watch.Stop();
        return new ChaosRun(exitCode, clock.Elapsed, watch.Elapsed, stdout.ToString(), stderr.ToString(), work);
    }

    /// <summary>The assertions every case holds.</summary>
    public static void AssertHolds(string name, ChaosRun run, IReadOnlyList<int> exitCodes, TimeSpan timeout, string password, IEnumerable<string> requestUrls)
    {
        Timings.Add((name, timeout, run.FakeElapsed, run.RealElapsed));
        TestContext.Current.TestOutputHelper?.WriteLine($"{name}: {run.Log}");
        run.ExitCode.ShouldNotBe(ScanGate.ExitCodes.Pass, run.Log);
        exitCodes.ShouldContain(run.ExitCode, run.Log);

        // The run ends within its timeout plus the cancel grace (fake time), and never hangs in real time.
        run.FakeElapsed.ShouldBeLessThanOrEqualTo(timeout + Grace + TimeSpan.FromSeconds(1), run.Log);
        run.RealElapsed.ShouldBeLessThan(TimeSpan.FromSeconds(60), run.Log);

        var resultFile = Path.Combine(run.OutputDirectory, "scangate-result.json");
        File.Exists(resultFile).ShouldBeTrue(run.Log);
        using (var document = JsonDocument.Parse(File.ReadAllText(resultFile)))
        {
            document.RootElement.GetProperty("exit_code").GetInt32().ShouldBe(run.ExitCode, run.Log);
            string.Equals(document.RootElement.GetProperty("verdict").GetString(), "pass", StringComparison.Ordinal).ShouldBeFalse(run.Log);
        }

        AssertNoSecret(run, password, requestUrls);
    }

    /// <summary>The password (plain, URL-encoded or inside a Basic header) is in no output, file or request URL.</summary>
    public static void AssertNoSecret(ChaosRun run, string password, IEnumerable<string> requestUrls)
    {
        string[] forms = [password, Uri.EscapeDataString(password), Convert.ToBase64String(Encoding.UTF8.GetBytes($"chaos:{password}"))];
        foreach (var form in forms)
        {
            run.Stdout.ShouldNotContain(form, Case.Sensitive);
            run.Stderr.ShouldNotContain(form, Case.Sensitive);
            foreach (var file in Directory.EnumerateFiles(run.WorkingDirectory, "*", SearchOption.AllDirectories))
            {
                File.ReadAllText(file).ShouldNotContain(form, Case.Sensitive, file);
            }

            foreach (var url in requestUrls)
            {
                url.ShouldNotContain(form, Case.Sensitive);
            }
        }
    }

    public static void CleanUp(ChaosRun run)
    {
        try
        {
            Directory.Delete(run.WorkingDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }
}
