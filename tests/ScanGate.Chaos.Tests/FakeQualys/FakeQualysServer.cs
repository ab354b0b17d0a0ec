using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ScanGate.Chaos.Tests.FakeQualys;

/// <summary>A scan the fake subscription holds.</summary>
internal sealed record FakeScan(string Reference, long Id, string Title, string Target, string LaunchedAt);

/// <summary>A request as the fake saw it (for the cancel and no-secret-in-URL checks).</summary>
internal sealed record SeenRequest(Phase Phase, string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Form);

/// <summary>What one chaos case scripts: the faulted phase, the scan states the polls show, the result served.</summary>
internal sealed class FakeScript
{
    public Phase? FaultPhase { get; init; }

    public Fault? Fault { get; init; }

    /// <summary>The state every poll shows (the first poll already); default Finished.</summary>
    public (string State, string? SubState) ScanState { get; init; } = ("Finished", null);

    /// <summary>The body of the fetch, when not the default result (the incomplete-result shapes).</summary>
    public string? ResultBody { get; init; }

    public required ChaosClock Clock { get; init; }

    /// <summary>Delivers a signal to the run (through ScanHooks).</summary>
    public required Action<PosixSignal> Raise { get; init; }
}

/// <summary>
/// A programmable Qualys on Kestrel, 127.0.0.1:0, written from the Qualys API reference (it shares no code with ScanGate's
/// client): Basic auth and X-Requested-With checked, the calls a scan run makes, and a fault injected into every
/// request of one phase. One case at a time (<see cref="Begin"/>).
/// </summary>
internal sealed class FakeQualysServer : IAsyncDisposable
{
    public const string Username = "chaos";

    /// <summary>Never to appear in any output, file or URL.</summary>
    public const string Password = "Ch4os-Pw-7f3a9!";

    public const string OptionProfile = "Initial Options";
    public const string Scanner = "chaos-scanner";
    public const string NetworkId = "1002";
    public const string Connector = "chaos-aws";
    public const string AccountId = "123456789012";
    public const string InstanceId = "i-0c4a05deadbeef123";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<SeenRequest> _requests = new();
    private readonly ConcurrentDictionary<string, FakeScan> _scans = new(StringComparer.Ordinal);
    private FakeScript? _script;
    private int _sequence;

    private FakeQualysServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public IReadOnlyList<SeenRequest> Requests => [.. _requests];

    public IReadOnlyCollection<FakeScan> Scans => [.. _scans.Values];

    public static async Task<FakeQualysServer> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "ScanGate.Chaos.FakeQualys" });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.AddServerHeader = false;
        });
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeQualysServer? server = null;
        app.Run(http => server!.HandleAsync(http));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new FakeQualysServer(app, new Uri($"http://127.0.0.1:{new Uri(address).Port.ToString(CultureInfo.InvariantCulture)}/"));
        return server;
    }

    /// <summary>Forgets the last case and scripts the next.</summary>
    public void Begin(FakeScript script)
    {
        _requests.Clear();
        _scans.Clear();
        _script = script;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext http)
    {
        var script = _script!;
        var request = http.Request;
        var form = request.HasFormContentType ? await request.ReadFormAsync(http.RequestAborted) : null;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in request.Query)
        {
            parameters[key] = value.ToString();
        }

        foreach (var (key, value) in form ?? (IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>>)[])
        {
            parameters[key] = value.ToString();
        }

        var path = request.Path.Value ?? "/";
        var action = parameters.GetValueOrDefault("action");
        var phase = PhaseOf(path, action);
        _requests.Enqueue(new SeenRequest(phase, request.Method, path + request.QueryString, form is null ? new Dictionary<string, string>(StringComparer.Ordinal) : parameters));

        if (!Authorized(request))
        {
            await Write(http, Reply.Xml(QualysBodies.Error(2000, "Bad Login/Password"), 401));
            return;
        }

        if (path.StartsWith("/api/", StringComparison.Ordinal) && !request.Headers.ContainsKey("X-Requested-With"))
        {
            await Write(http, Reply.Xml(QualysBodies.Error(1901, "X-Requested-With header is required"), 400));
            return;
        }

        Reply Normal() => Answer(path, action, parameters, script);
        if (script.FaultPhase == phase && script.Fault is { } fault)
        {
            await fault.Act(new FaultContext(http, Normal, script.Clock, script.Raise));
            return;
        }

        await Write(http, Normal());
    }

    private static Phase PhaseOf(string path, string? action) => path switch
    {
        _ when path.StartsWith("/msp/about.php", StringComparison.Ordinal) => Phase.Connection,
        _ when path.StartsWith("/qps/rest/", StringComparison.Ordinal) => Phase.Ec2,
        _ when path.StartsWith("/api/2.0/fo/subscription/option_profile/", StringComparison.Ordinal)
            || path.StartsWith("/api/2.0/fo/appliance/", StringComparison.Ordinal)
            || path.StartsWith("/api/2.0/fo/network/", StringComparison.Ordinal) => Phase.Names,
        _ => action switch
        {
            "launch" => Phase.Launch,
            "fetch" => Phase.Fetch,
            "cancel" => Phase.Cancel,
            _ => Phase.Poll,
        },
    };

    private static bool Authorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}"));
        return string.Equals(header, expected, StringComparison.Ordinal);
    }

    /// <summary>What an unfaulted subscription answers.</summary>
    private Reply Answer(string path, string? action, Dictionary<string, string> parameters, FakeScript script)
    {
        if (path.StartsWith("/msp/about.php", StringComparison.Ordinal))
        {
            return Reply.Xml(QualysBodies.About());
        }

        if (path.StartsWith("/qps/rest/2.0/search/am/awsassetdataconnector", StringComparison.Ordinal))
        {
            return Reply.Xml(QualysBodies.Connector("AwsAssetDataConnector", 501, Connector, AccountId, "FINISHED_SUCCESS"));
        }

        if (path.StartsWith("/qps/rest/2.0/get/am/assetdataconnector/", StringComparison.Ordinal))
        {
            return Reply.Xml(QualysBodies.Connector("AssetDataConnector", 501, Connector, AccountId, "FINISHED_SUCCESS"));
        }

        if (path.StartsWith("/qps/rest/2.0/run/am/assetdataconnector/", StringComparison.Ordinal))
        {
            return Reply.Xml(QualysBodies.Connector("AwsAssetDataConnector", 501, Connector, AccountId, "QUEUED"));
        }

        if (path.StartsWith("/qps/rest/2.0/search/am/hostasset", StringComparison.Ordinal))
        {
            return Reply.Xml(QualysBodies.HostAsset(InstanceId, AccountId, "us-east-1"));
        }

        if (path.StartsWith("/api/2.0/fo/subscription/option_profile/", StringComparison.Ordinal))
        {
            return Reply.Xml(QualysBodies.OptionProfiles(OptionProfile, "Full Audit"));
        }

        if (path.StartsWith("/api/2.0/fo/appliance/", StringComparison.Ordinal))
        {
            return Reply.Xml(QualysBodies.Appliances(Scanner, NetworkId));
        }

        if (path.StartsWith("/api/2.0/fo/network/", StringComparison.Ordinal))
        {
            return Reply.Xml(QualysBodies.Networks(NetworkId, "Chaos Network", Scanner));
        }

        switch (action)
        {
            case "launch":
                if (!string.Equals(parameters.GetValueOrDefault("option_title"), OptionProfile, StringComparison.Ordinal))
                {
                    return Reply.Xml(QualysBodies.Error(1905, $"parameter option_title has invalid value: {parameters.GetValueOrDefault("option_title")}"), 400);
                }

                var id = 36992 + Interlocked.Increment(ref _sequence);
                var scan = new FakeScan($"scan/1764324000.{id.ToString(CultureInfo.InvariantCulture)}", id, parameters.GetValueOrDefault("scan_title") ?? "N/A",
                    parameters.GetValueOrDefault("ip") ?? parameters.GetValueOrDefault("ec2_instance_ids") ?? string.Empty,
                    script.Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                _scans[scan.Reference] = scan;
                return Reply.Xml(QualysBodies.Launched(scan.Reference, id));
            case "list":
                var scans = parameters.TryGetValue("scan_ref", out var reference)
                    ? _scans.Values.Where(s => string.Equals(s.Reference, reference, StringComparison.Ordinal))
                    : _scans.Values;
                return Reply.Xml(QualysBodies.ScanList(scans, _ => script.ScanState));
            case "fetch":
                var fetched = parameters.GetValueOrDefault("scan_ref") ?? string.Empty;
                if (!_scans.TryGetValue(fetched, out var result))
                {
                    return Reply.Xml(QualysBodies.Error(1905, $"parameter scan_ref has invalid value: {fetched}"), 400);
                }

                return new Reply(200, "application/json", Encoding.UTF8.GetBytes(script.ResultBody ?? QualysBodies.Result(fetched, result.Target)));
            case "cancel":
                return Reply.Xml(QualysBodies.Simple("Scan cancelled"));
            default:
                return Reply.Xml(QualysBodies.Error(1901, $"Unrecognized parameter(s): action={action}"), 400);
        }
    }

    private static async Task Write(HttpContext http, Reply reply) =>
        await new FaultContext(http, () => reply, null!, _ => { }).WriteAsync(reply);
}
