namespace ScanGate.Scanning;

/// <summary>What to scan: one or more host addresses, or one EC2 instance through a connector.</summary>
public abstract record ScanTarget
{
    /// <summary>The target as shown in logs and written to <c>scan.target</c>.</summary>
    public abstract string Display { get; }
}

/// <summary>Hosts as Qualys <c>ip</c> entries (addresses and ranges; CIDR blocks already turned into ranges).</summary>
public sealed record HostTarget(IReadOnlyList<string> Entries, string? NetworkId) : ScanTarget
{
    public string IpParameter => string.Join(',', Entries);

    public override string Display => IpParameter;
}

public sealed record Ec2Target(string InstanceId, string ConnectorName, bool RunConnector, string? Region) : ScanTarget
{
    public override string Display => InstanceId;
}

/// <summary>An already launched scan, judged by <c>evaluate --scan-ref</c>.</summary>
public sealed record ExistingScanTarget(string Reference) : ScanTarget
{
    public override string Display => Reference;
}

/// <summary>What a scan whose host was not alive (<c>No_Host</c>) means for the build.</summary>
public enum HostDownAction
{
    Fail,
    Warn,
    Pass,
}

/// <summary>A validated scan plan: everything the lifecycle needs, configuration already resolved.</summary>
public sealed record ScanRequest
{
    /// <summary>The value <c>scanner</c> takes to use every appliance of the network (<c>scanners_in_network=1</c>).</summary>
    public const string AllScannersInNetwork = "all-in-network";

    public required ScanTarget Target { get; init; }

    /// <summary>The expanded title (template tokens replaced, timestamp appended).</summary>
    public required string Title { get; init; }

    public string OptionProfile { get; init; } = "Initial Options";

    public string Scanner { get; init; } = "External";

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMinutes(2);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(60);

    public HostDownAction OnHostDown { get; init; } = HostDownAction.Fail;

    /// <summary>Do not cancel the scan when the run ends without it (timeout, interruption, error).</summary>
    public bool LeaveRunning { get; init; }

    /// <summary>The exit code of every warn verdict (<c>--warn-exit-code</c>), the host-down warn included; null is 0.</summary>
    public int? WarnExitCode { get; init; }

    public required string OutputDirectory { get; init; }
}
