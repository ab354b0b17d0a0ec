namespace ScanGate.Qualys;

/// <summary>
/// The Qualys calls ScanGate makes, as an interface so the scan orchestrator can be tested with a fake.
/// <see cref="QualysClient"/> is the real implementation; see docs/client.md for retry and error behaviour.
/// </summary>
public interface IQualysClient
{
    QualysPlatform Platform { get; }

    /// <summary>A 1965 rate-limit wait that would end after this fails at once.</summary>
    DateTimeOffset? Deadline { get; set; }

    Task<QualysConnectionCheck> TestConnectionAsync(CancellationToken cancellationToken);

    Task<QualysConnectionCheck> CheckGatewayAsync(CancellationToken cancellationToken);

    Task<QualysConnectionCheck> CheckAboutAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<QualysAppliance>> ListAppliancesAsync(string? networkId, CancellationToken cancellationToken);

    Task<IReadOnlyList<QualysAppliance>> ListEc2AppliancesAsync(CancellationToken cancellationToken);

    Task<QualysOptionProfiles> ListOptionProfilesAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<QualysOptionProfile>> ListOptionProfilesAsync(OptionProfileKind kind, CancellationToken cancellationToken);

    Task<IReadOnlyList<QualysNetwork>> ListNetworksAsync(CancellationToken cancellationToken);

    Task<ScanLaunchResult> LaunchScanAsync(ScanLaunchRequest request, CancellationToken cancellationToken);

    Task<QualysScan?> GetScanAsync(string scanRef, CancellationToken cancellationToken);

    Task<IReadOnlyList<QualysScan>> FindScansByTitleAsync(string title, DateTimeOffset launchedAfter, CancellationToken cancellationToken);

    Task<IReadOnlyList<QualysScan>> ListScansAsync(ScanListQuery query, CancellationToken cancellationToken);

    Task<Stream> OpenScanResultAsync(string scanRef, CancellationToken cancellationToken);

    Task<long> DownloadScanResultAsync(string scanRef, Stream destination, CancellationToken cancellationToken);

    Task<ScanActionResult> CancelScanAsync(string scanRef, CancellationToken cancellationToken);

    Task<ScanActionResult> PauseScanAsync(string scanRef, CancellationToken cancellationToken);

    Task<ScanActionResult> ResumeScanAsync(string scanRef, CancellationToken cancellationToken);

    Task<IReadOnlyList<AwsConnector>> SearchAwsConnectorsAsync(string? name, CancellationToken cancellationToken);

    Task<AwsConnector> GetConnectorAsync(long connectorId, CancellationToken cancellationToken);

    Task<AwsConnector> RunConnectorAsync(long connectorId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Ec2HostAsset>> FindEc2HostAssetsAsync(string instanceId, string? accountId, CancellationToken cancellationToken);

    IAsyncEnumerable<KbVulnerability> ListKnowledgeBaseAsync(KbQuery query, CancellationToken cancellationToken);

    IAsyncEnumerable<HostDetections> ListHostDetectionsAsync(HostDetectionQuery query, CancellationToken cancellationToken);
}
