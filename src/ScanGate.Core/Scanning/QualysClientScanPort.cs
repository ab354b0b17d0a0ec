using System.Globalization;
using ScanGate.Qualys;

namespace ScanGate.Scanning;

/// <summary>
/// The production <see cref="IQualysScanPort"/>: the Qualys client (which does the retrying, the rate-limit waits
/// and the lost-launch lookup), its failures mapped to <see cref="ScanPortException"/>, every HTTP request counted.
/// </summary>
public sealed class QualysClientScanPort : IQualysScanPort, IDisposable
{
    private readonly QualysClient _client;
    private readonly CountingHandler _counter;

    /// <param name="options">Connection options for the client.</param>
    /// <param name="transport">The HTTP transport (production handler, or a test handler).</param>
    /// <param name="time">Time for the client's waits and timeouts.</param>
    /// <param name="logger">Client logs (retries, calls).</param>
    public QualysClientScanPort(QualysClientOptions options, HttpMessageHandler transport, TimeProvider time, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        _counter = new CountingHandler(transport);
        _client = new QualysClient(options, _counter, time, logger);
    }

    public int ApiCalls => _counter.Count;

    /// <summary>The underlying client, for calls outside the scan lifecycle (test-connection, list).</summary>
    public QualysClient Client => _client;

    /// <summary>A 1965 rate-limit wait that would end after this fails at once instead (the run's timeout).</summary>
    public DateTimeOffset? Deadline
    {
        get => _client.Deadline;
        set => _client.Deadline = value;
    }

    public void Dispose() => _client.Dispose();

    public Task TestConnectionAsync(CancellationToken cancellationToken) =>
        Map("Connection check failed", async () => await _client.TestConnectionAsync(cancellationToken));

    public Task<ConnectorInfo?> FindConnectorAsync(string name, CancellationToken cancellationToken) =>
        Map("Connector search failed", async () =>
        {
            var found = await _client.SearchAwsConnectorsAsync(name, cancellationToken);
            return found.Count switch
            {
                0 => null,
                1 => ToInfo(found[0]),
                _ => throw new ScanPortException(ScanPortErrorKind.Api,
                    $"{found.Count} AWS connectors are named '{name}' (ids {string.Join(", ", found.Select(c => c.Id))}); rename them so the name is unique."),
            };
        });

    public Task<string> GetConnectorStateAsync(long connectorId, CancellationToken cancellationToken) =>
        Map("Reading the connector failed", async () => (await _client.GetConnectorAsync(connectorId, cancellationToken)).State ?? "UNKNOWN");

    public Task<string> RunConnectorAsync(long connectorId, CancellationToken cancellationToken) =>
        Map("Running the connector failed", async () => (await _client.RunConnectorAsync(connectorId, cancellationToken)).State ?? string.Empty);

    public Task<InstanceInfo?> GetInstanceAsync(string instanceId, string? awsAccountId, CancellationToken cancellationToken) =>
        Map("Reading the EC2 instance failed", async () =>
        {
            var assets = await _client.FindEc2HostAssetsAsync(instanceId, awsAccountId, cancellationToken);
            var asset = assets.FirstOrDefault(a => string.Equals(a.InstanceId, instanceId, StringComparison.OrdinalIgnoreCase)) ?? (assets.Count > 0 ? assets[0] : null);
            return asset is null ? null : new InstanceInfo(asset.InstanceId ?? instanceId, asset.InstanceState, asset.Region);
        });

    public async Task<LaunchedScan> LaunchScanAsync(LaunchRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var result = await _client.LaunchScanAsync(
                new ScanLaunchRequest
                {
                    Title = request.Title,
                    OptionProfile = request.OptionProfile,
                    ScannerName = request.ScannerName,
                    ScannersInNetwork = request.ScannersInNetwork,
                    Ip = request.Ip,
                    NetworkId = request.NetworkId,
                    Ec2InstanceId = request.Ec2InstanceId,
                    ConnectorName = request.ConnectorName,
                    Ec2Endpoint = request.Ec2Endpoint,
                },
                cancellationToken);
            return new LaunchedScan(result.ScanRef, result.ScanId?.ToString(CultureInfo.InvariantCulture));
        }
        catch (QualysConnectionException ex) when (ex.Failure is QualysConnectionFailure.Reset or QualysConnectionFailure.Timeout or QualysConnectionFailure.Other)
        {
            // The request may have reached Qualys: the lifecycle looks the scan up by title rather than relaunching.
            throw new ScanPortException(ScanPortErrorKind.LaunchOutcomeUnknown, $"Launch failed: {ex.Message}", inner: ex);
        }
        catch (QualysException ex)
        {
            throw Translate("Launch failed", ex);
        }
    }

    public Task<ScanStatusInfo?> GetScanStatusAsync(string scanRef, CancellationToken cancellationToken) =>
        Map("Scan status check failed", async () =>
        {
            var scan = await _client.GetScanAsync(scanRef, cancellationToken);
            return scan?.State is null ? null : new ScanStatusInfo(scan.State, scan.SubState, scan.Duration);
        });

    public Task<LaunchedScan?> FindScanByTitleAsync(string title, CancellationToken cancellationToken) =>
        Map("Looking the scan up by title failed", async () =>
        {
            var scans = await _client.FindScansByTitleAsync(title, DateTimeOffset.UnixEpoch, cancellationToken);
            var scan = scans.FirstOrDefault(s => string.Equals(s.Title, title, StringComparison.Ordinal));
            return scan is null ? null : new LaunchedScan(scan.Ref, scan.Id?.ToString(CultureInfo.InvariantCulture));
        });

    public Task<Stream> OpenResultStreamAsync(string scanRef, CancellationToken cancellationToken) =>
        Map("Fetching the result failed", () => _client.OpenScanResultAsync(scanRef, cancellationToken));

    public Task CancelScanAsync(string scanRef, CancellationToken cancellationToken) =>
        Map("Cancelling the scan failed", async () => await _client.CancelScanAsync(scanRef, cancellationToken));

    private static ConnectorInfo ToInfo(AwsConnector connector) =>
        new(connector.Id, connector.Name ?? string.Empty, connector.AwsAccountId, connector.State);

    private static async Task Map(string what, Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (QualysException ex)
        {
            throw Translate(what, ex);
        }
    }

    private static async Task<T> Map<T>(string what, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (QualysException ex)
        {
            throw Translate(what, ex);
        }
    }

    /// <summary>Client failures to port failures; the client's message already names the likely cause.</summary>
    public static ScanPortException Translate(string what, QualysException ex)
    {
        var kind = ex switch
        {
            QualysApiException api when api.Code == 2000 || api.HttpStatus == 401 || api.QpsResponseCode is "INVALID_CREDENTIALS" => ScanPortErrorKind.Authentication,
            QualysApiException => ScanPortErrorKind.Api,
            QualysConnectionException => ScanPortErrorKind.Connection,
            _ => ScanPortErrorKind.InvalidResponse,
        };
        return new ScanPortException(kind, $"{what}: {ex.Message}", inner: ex);
    }

    /// <summary>Counts every request that goes to the wire, retries included.</summary>
    private sealed class CountingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
