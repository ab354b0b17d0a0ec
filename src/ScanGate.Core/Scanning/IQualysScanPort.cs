namespace ScanGate.Scanning;

/// <summary>
/// Exactly the Qualys operations the scan lifecycle needs, nothing more. The production implementation adapts the
/// Qualys client; tests use a scripted fake. Implementations throw <see cref="ScanPortException"/> for every failure
/// (after their own retries), so the lifecycle maps failures to exit codes in one place.
/// </summary>
public interface IQualysScanPort
{
    /// <summary>Number of HTTP requests made so far (retries included).</summary>
    int ApiCalls { get; }

    /// <summary>Checks that the platform is reachable and the credentials are accepted.</summary>
    Task TestConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Finds an AWS connector by its exact name; null when none has that name.</summary>
    Task<ConnectorInfo?> FindConnectorAsync(string name, CancellationToken cancellationToken);

    /// <summary>The connector's current state (e.g. <c>FINISHED_SUCCESS</c>, <c>RUNNING</c>).</summary>
    Task<string> GetConnectorStateAsync(long connectorId, CancellationToken cancellationToken);

    /// <summary>Starts a connector run; returns the state reported by the run call.</summary>
    Task<string> RunConnectorAsync(long connectorId, CancellationToken cancellationToken);

    /// <summary>The EC2 instance as the subscription knows it; null when it is not (yet) in the inventory.</summary>
    Task<InstanceInfo?> GetInstanceAsync(string instanceId, string? awsAccountId, CancellationToken cancellationToken);

    /// <summary>
    /// Launches a scan. When the response is lost (the request may or may not have created a scan), throws
    /// <see cref="ScanPortException"/> with <see cref="ScanPortErrorKind.LaunchOutcomeUnknown"/>.
    /// </summary>
    Task<LaunchedScan> LaunchScanAsync(LaunchRequest request, CancellationToken cancellationToken);

    /// <summary>Status of the scan; null when the list does not (yet) show it.</summary>
    Task<ScanStatusInfo?> GetScanStatusAsync(string scanRef, CancellationToken cancellationToken);

    /// <summary>The scan launched with this exact title, if any.</summary>
    Task<LaunchedScan?> FindScanByTitleAsync(string title, CancellationToken cancellationToken);

    /// <summary>Opens the <c>json_extended</c> result as a stream (the body is never buffered whole).</summary>
    Task<Stream> OpenResultStreamAsync(string scanRef, CancellationToken cancellationToken);

    /// <summary>Cancels a running or queued scan.</summary>
    Task CancelScanAsync(string scanRef, CancellationToken cancellationToken);
}

public sealed record ConnectorInfo(long Id, string Name, string? AwsAccountId, string? State);

/// <summary>An EC2 instance from the host-asset search: its state (RUNNING, STOPPED, ...) and region.</summary>
public sealed record InstanceInfo(string InstanceId, string? State, string? Region);

public sealed record LaunchedScan(string Reference, string? Id);

/// <summary>A scan's status from the scan list: STATE, SUB_STATE and DURATION as sent.</summary>
public sealed record ScanStatusInfo(string State, string? SubState, string? Duration = null);

/// <summary>What to launch. Exactly one of <see cref="Ip"/> or <see cref="Ec2InstanceId"/> is set.</summary>
public sealed record LaunchRequest
{
    public required string Title { get; init; }

    public required string OptionProfile { get; init; }

    /// <summary>Scanner appliance name(s); null when <see cref="ScannersInNetwork"/> is set.</summary>
    public string? ScannerName { get; init; }

    /// <summary>Use every appliance of the network (<c>scanners_in_network=1</c>).</summary>
    public bool ScannersInNetwork { get; init; }

    /// <summary>Comma-separated IPs, ranges and CIDR blocks, normalised.</summary>
    public string? Ip { get; init; }

    public string? NetworkId { get; init; }

    public string? Ec2InstanceId { get; init; }

    public string? ConnectorName { get; init; }

    public string? Ec2Endpoint { get; init; }
}
