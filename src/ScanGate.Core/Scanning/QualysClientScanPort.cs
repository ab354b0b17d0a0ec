using Microsoft.Extensions.Logging;
using ScanGate.Qualys;

namespace ScanGate.Scanning;

/// <summary>The production <see cref="IQualysScanPort"/>: the Qualys client's calls, unchanged.</summary>
public sealed class QualysClientScanPort : IQualysScanPort, IDisposable
{
    /// <param name="options">Connection options for the client.</param>
    /// <param name="transport">The HTTP transport (production handler, or a test handler).</param>
    /// <param name="time">Time for the client's waits and timeouts.</param>
    /// <param name="logger">Client logs (retries, calls).</param>
    public QualysClientScanPort(QualysClientOptions options, HttpMessageHandler transport, TimeProvider time, ILogger? logger = null)
    {
        Client = new QualysClient(options, transport, time, logger);
    }

    /// <summary>The underlying client, for calls outside the scan lifecycle (test-connection, list).</summary>
    public QualysClient Client { get; }

    public int ApiCalls => Client.RequestCount;

    public DateTimeOffset? Deadline
    {
        get => Client.Deadline;
        set => Client.Deadline = value;
    }

    public void Dispose() => Client.Dispose();

    public Task<QualysConnectionCheck> TestConnectionAsync(CancellationToken cancellationToken) => Client.TestConnectionAsync(cancellationToken);

    public Task<IReadOnlyList<AwsConnector>> SearchConnectorsAsync(string name, CancellationToken cancellationToken) => Client.Ec2.SearchConnectorsAsync(name, cancellationToken);

    public Task<AwsConnector> GetConnectorAsync(long connectorId, CancellationToken cancellationToken) => Client.Ec2.GetConnectorAsync(connectorId, cancellationToken);

    public Task<AwsConnector> RunConnectorAsync(long connectorId, CancellationToken cancellationToken) => Client.Ec2.RunConnectorAsync(connectorId, cancellationToken);

    public Task<IReadOnlyList<Ec2HostAsset>> FindHostAssetsAsync(string instanceId, string? awsAccountId, CancellationToken cancellationToken) =>
        Client.Ec2.FindHostAssetsAsync(instanceId, awsAccountId, cancellationToken);

    public Task<IReadOnlyList<QualysOptionProfile>> ListOptionProfilesAsync(OptionProfileKind kind, CancellationToken cancellationToken) =>
        Client.Catalog.ListOptionProfilesAsync(kind, cancellationToken);

    public Task<IReadOnlyList<QualysAppliance>> ListAppliancesAsync(CancellationToken cancellationToken) => Client.Catalog.ListAppliancesAsync(null, cancellationToken);

    public Task<IReadOnlyList<QualysNetwork>> ListNetworksAsync(CancellationToken cancellationToken) => Client.Catalog.ListNetworksAsync(cancellationToken);

    public Task<ScanLaunchResult> LaunchScanAsync(ScanLaunchRequest request, CancellationToken cancellationToken) => Client.Scans.LaunchAsync(request, cancellationToken);

    public Task<QualysScan?> GetScanAsync(string scanRef, CancellationToken cancellationToken) => Client.Scans.GetAsync(scanRef, cancellationToken);

    public Task<long> DownloadResultAsync(string scanRef, Stream destination, CancellationToken cancellationToken) =>
        Client.Scans.DownloadResultAsync(scanRef, destination, cancellationToken);

    public Task<ScanActionResult> CancelScanAsync(string scanRef, CancellationToken cancellationToken) => Client.Scans.CancelAsync(scanRef, cancellationToken);
}
