using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ScanGate.Emulator;

/// <summary>
/// A stateful Qualys API emulator on Kestrel, bound to 127.0.0.1 only. Serves the FO API, QPS, the gateway
/// <c>/auth</c>, <c>/msp/about.php</c> and the <c>/_emulator/</c> control API on one base URL.
/// </summary>
public sealed class QualysEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _stopped;

    private QualysEmulator(WebApplication app, Uri baseUrl, EmulatorState state)
    {
        _app = app;
        BaseUrl = baseUrl;
        State = state;
    }

    /// <summary>For example <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUrl { get; }

    public EmulatorState State { get; }

    /// <summary>Loads the scenario (throws <see cref="ScenarioException"/> naming the field on bad input) and starts listening.</summary>
    public static async Task<QualysEmulator> StartAsync(EmulatorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Port, "port: must be 0..65535");
        }

        if (!(options.Speed > 0) || double.IsInfinity(options.Speed))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Speed, "speed: must be a positive number");
        }

        if (options.Limits is { } limits)
        {
            limits.Validate("limits");
        }

        var scenario = Scenario.Load(options);
        if (options.Limits is { } startup)
        {
            scenario.Limits.Default = startup;
            foreach (var path in scenario.Limits.Paths.Keys.ToList())
            {
                scenario.Limits.Paths[path] = startup;
            }
        }

        var clock = new VirtualClock(options.Time ?? TimeProvider.System, options.Speed);
        var state = new EmulatorState(scenario, clock);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "ScanGate.Emulator" });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, options.Port);
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 16 * 1024 * 1024;
        });
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var pipeline = new Pipeline(state);
        app.Run(pipeline.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        return new QualysEmulator(app, new Uri($"http://127.0.0.1:{port}/"), state);
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            // Hanging and stalled answers end first, so shutdown does not wait for clients that never give up.
            await State.Stopping.CancelAsync().ConfigureAwait(false);
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        State.Stopping.Dispose();
    }
}
