using ScanGate.Qualys;

namespace ScanGate.Scanning;

/// <summary>
/// Exactly the Qualys operations the scan lifecycle needs, in the client's own records. The production
/// implementation is the Qualys client (<see cref="QualysClientScanPort"/>); tests use a scripted fake.
/// Implementations throw <see cref="QualysException"/> for every failure (after their own retries; a lost launch
/// is settled by the client), so the lifecycle maps failures to outcomes in one place.
/// </summary>
public interface IQualysScanPort
{
    /// <summary>Number of HTTP requests made so far (retries included).</summary>
    int ApiCalls { get; }

    /// <summary>No retry wait may end after this (the run's deadline, or the end of the cancel grace).</summary>
    DateTimeOffset? Deadline { get; set; }

    /// <summary>Checks that the platform is reachable and the credentials are accepted.</summary>
    Task<QualysConnectionCheck> TestConnectionAsync(CancellationToken cancellationToken);

    /// <summary>AWS connectors with exactly this name.</summary>
    Task<IReadOnlyList<AwsConnector>> SearchConnectorsAsync(string name, CancellationToken cancellationToken);

    Task<AwsConnector> GetConnectorAsync(long connectorId, CancellationToken cancellationToken);

    /// <summary>Starts a connector run; returns the connector as the run call reports it.</summary>
    Task<AwsConnector> RunConnectorAsync(long connectorId, CancellationToken cancellationToken);

    /// <summary>EC2 host assets for the instance (and account); empty when it is not (yet) in the inventory.</summary>
    Task<IReadOnlyList<Ec2HostAsset>> FindHostAssetsAsync(string instanceId, string? awsAccountId, CancellationToken cancellationToken);

    Task<IReadOnlyList<QualysOptionProfile>> ListOptionProfilesAsync(OptionProfileKind kind, CancellationToken cancellationToken);

    Task<IReadOnlyList<QualysAppliance>> ListAppliancesAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<QualysNetwork>> ListNetworksAsync(CancellationToken cancellationToken);

    /// <summary>Launches a scan; a lost response is settled inside (found by title, or a failure that says so).</summary>
    Task<ScanLaunchResult> LaunchScanAsync(ScanLaunchRequest request, CancellationToken cancellationToken);

    /// <summary>The scan as the scan list shows it; null when the list does not (yet) show it.</summary>
    Task<QualysScan?> GetScanAsync(string scanRef, CancellationToken cancellationToken);

    /// <summary>
    /// Copies the <c>json_extended</c> result into <paramref name="destination"/> (streamed, validated while copied;
    /// a body that breaks off is fetched again once).
    /// </summary>
    Task<long> DownloadResultAsync(string scanRef, Stream destination, CancellationToken cancellationToken);

    /// <summary>Cancels a running or queued scan.</summary>
    Task<ScanActionResult> CancelScanAsync(string scanRef, CancellationToken cancellationToken);
}
