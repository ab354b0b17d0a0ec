using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using ScanGate.Emulator;
using ScanGate.Infrastructure;
using Spectre.Console.Testing;

namespace ScanGate.Cli.Tests.Scan;

/// <summary>
/// The CLI in-process against the in-process emulator (real HTTP on 127.0.0.1), both on one fake clock that jumps
/// ahead whenever someone waits (poll interval, retry back-off), so a 2-minute poll or a 60 s back-off costs nothing.
/// </summary>
internal sealed class ScanTestBed : IAsyncDisposable
{
    private ScanTestBed(QualysEmulator emulator, FakeTimeProvider fake, JumpingTimeProvider time)
    {
        Emulator = emulator;
        Fake = fake;
        Time = time;
        Context = new CliContext
        {
            Environment = Environment,
            Time = time,
            Out = Out,
            Error = Error,
            In = new StringReader(string.Empty),
            Console = new TestConsole(),
            IsInteractive = false,
            WorkingDirectory = WorkingDirectory,
        };
        Environment["QUALYS_PASSWORD"] = "demo";
    }

    public QualysEmulator Emulator { get; }

    public FakeTimeProvider Fake { get; }

    public JumpingTimeProvider Time { get; }

    public CliContext Context { get; }

    public DictionaryEnvironment Environment { get; } = new();

    public StringWriter Out { get; } = new();

    public StringWriter Error { get; } = new();

    public string WorkingDirectory { get; } = Directory.CreateTempSubdirectory("scangate-e2e-").FullName;

    public string OutputDirectory => Path.Combine(WorkingDirectory, "scangate-out");

    public static async Task<ScanTestBed> StartAsync(string? scenarioYaml = null)
    {
        var fake = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero));
        var time = new JumpingTimeProvider(fake);
        var emulator = await QualysEmulator.StartAsync(new EmulatorOptions { Port = 0, Time = time, ScenarioYaml = scenarioYaml }, TestContext.Current.CancellationToken);
        return new ScanTestBed(emulator, fake, time);
    }

    /// <summary>Runs <c>scangate scan</c> against the emulator as user demo, polling every 30 s.</summary>
    public Task<int> ScanAsync(params string[] args) =>
        ScanGateCli.RunAsync(
            ["scan", "--api-url", Emulator.BaseUrl.ToString(), "--username", "demo", .. (args.Contains("--poll-interval") ? args : ["--poll-interval", "30s", .. args])],
            Context,
            TestContext.Current.CancellationToken);

    public Task<int> RunAsync(params string[] args) => ScanGateCli.RunAsync(args, Context, TestContext.Current.CancellationToken);

    public JsonElement Result()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(OutputDirectory, "scangate-result.json")));
        return document.RootElement.Clone();
    }

    /// <summary>Calls the emulator received on the FO scan API with this action.</summary>
    public IReadOnlyList<RecordedRequest> ScanCalls(string action) =>
        [.. Emulator.State.Requests.Where(r => r.Path.Contains("/fo/scan/", StringComparison.Ordinal)
            && r.Parameters.TryGetValue("action", out var a) && a == action)];

    public string Log => Out + "\n" + Error;

    public async ValueTask DisposeAsync()
    {
        await Emulator.DisposeAsync();
        try
        {
            Directory.Delete(WorkingDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }
}

/// <summary>
/// A fake clock that jumps ahead by a timer's due time as soon as the timer is made, so waits (Task.Delay, Polly
/// back-off) complete at once in fake time. Timers that are time limits (every CancellationTokenSource timer: the
/// run's deadline, the client's per-call timeouts and stall guard, the cancel grace) are left alone: they fire only
/// when the waits move the clock past them, never while a call is in flight.
/// </summary>
internal sealed class JumpingTimeProvider(FakeTimeProvider fake) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => fake.GetUtcNow();

    public override long GetTimestamp() => fake.GetTimestamp();

    public override long TimestampFrequency => fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = fake.CreateTimer(callback, state, dueTime, period);
        if (state is not CancellationTokenSource && dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan && period == Timeout.InfiniteTimeSpan)
        {
            ThreadPool.UnsafeQueueUserWorkItem(_ => fake.Advance(dueTime), null);
        }

        return timer;
    }
}
