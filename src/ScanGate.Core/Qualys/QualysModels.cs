namespace ScanGate.Qualys;

/// <summary>Outcome of a successful connection test.</summary>
public sealed record QualysConnectionCheck
{
    /// <summary><c>gateway</c> (JWT modulesAllowed) or <c>about</c> (/msp/about.php WEB-VERSION).</summary>
    public required string Method { get; init; }

    /// <summary>Modules the JWT allows (gateway method), e.g. VM, PC.</summary>
    public IReadOnlyList<string> Modules { get; init; } = [];

    /// <summary>WEB-VERSION (about method), e.g. 10.35.0.0-1.</summary>
    public string? WebVersion { get; init; }
}

/// <summary>A scanner appliance (<c>APPLIANCE_LIST_OUTPUT</c>).</summary>
public sealed record QualysAppliance
{
    public long? Id { get; init; }

    public required string Name { get; init; }

    /// <summary><c>Online</c> / <c>Offline</c>.</summary>
    public string? Status { get; init; }

    public string? NetworkId { get; init; }

    public string? Type { get; init; }

    /// <summary>CLOUD_INFO/PLATFORM_PROVIDER (ec2 ...), when requested.</summary>
    public string? PlatformProvider { get; init; }

    /// <summary>CLOUD_INFO/EC2_INFO/ACCOUNT_ID.</summary>
    public string? CloudAccountId { get; init; }

    public string? CloudRegion { get; init; }
}

public enum OptionProfileKind
{
    Vm,
    Pci,
}

/// <summary>An option profile; <see cref="Title"/> (BASIC_INFO/GROUP_NAME) is what launch sends as option_title.</summary>
public sealed record QualysOptionProfile
{
    public long? Id { get; init; }

    public required string Title { get; init; }

    public OptionProfileKind Kind { get; init; }

    public bool IsDefault { get; init; }

    public bool IsGlobal { get; init; }
}

/// <summary>Option profiles of both kinds; <see cref="PciUnavailable"/> explains a refused PCI list (e.g. 403, PCI not enabled).</summary>
public sealed record QualysOptionProfiles
{
    public required IReadOnlyList<QualysOptionProfile> Profiles { get; init; }

    public QualysApiException? PciUnavailable { get; init; }
}

/// <summary>A custom network. The Global Default Network (ID 0) is implicit and never listed.</summary>
public sealed record QualysNetwork
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public IReadOnlyList<string> ApplianceNames { get; init; } = [];
}

/// <summary>What to scan and how. Exactly one of <see cref="Ip"/> or <see cref="Ec2InstanceId"/>.</summary>
public sealed record ScanLaunchRequest
{
    /// <summary>Required and unique: the lost-launch recovery looks the scan up by this title.</summary>
    public required string Title { get; init; }

    /// <summary>Option profile title (option_title).</summary>
    public required string OptionProfile { get; init; }

    /// <summary>Scanner appliance name(s) (iscanner_name). <c>External</c> for external scanners. Ignored with <see cref="ScannersInNetwork"/>.</summary>
    public string? ScannerName { get; init; }

    /// <summary>Use every appliance of the network (scanners_in_network=1) instead of <see cref="ScannerName"/>.</summary>
    public bool ScannersInNetwork { get; init; }

    public string? Ip { get; init; }

    /// <summary>ip_network_id; omit for the default network.</summary>
    public string? NetworkId { get; init; }

    public string? Ec2InstanceId { get; init; }

    public string? ConnectorName { get; init; }

    /// <summary>ec2_endpoint: the instance's region (e.g. us-east-1).</summary>
    public string? Ec2Endpoint { get; init; }

    /// <summary>0–9, optional.</summary>
    public int? Priority { get; init; }
}

/// <summary>A launched scan.</summary>
public sealed record ScanLaunchResult
{
    /// <summary><c>scan/1358285558.36992</c>.</summary>
    public required string ScanRef { get; init; }

    public long? ScanId { get; init; }

    /// <summary>True when the launch response was lost and the scan was found by its title instead.</summary>
    public bool RecoveredByTitle { get; init; }
}

/// <summary>One scan of the scan list.</summary>
public sealed record QualysScan
{
    public required string Ref { get; init; }

    public long? Id { get; init; }

    public string? Title { get; init; }

    /// <summary>API / On-Demand / Scheduled.</summary>
    public string? Type { get; init; }

    /// <summary>Queued, Running, Paused, Loading, Finished, Error, Canceled ... (as sent).</summary>
    public string? State { get; init; }

    /// <summary>No_Vuln, No_Host ... or null.</summary>
    public string? SubState { get; init; }

    public bool Processed { get; init; }

    public DateTimeOffset? LaunchedAt { get; init; }

    /// <summary>HH:MM:SS, "N days HH:MM:SS" or Pending.</summary>
    public string? Duration { get; init; }

    public string? Target { get; init; }

    public string? UserLogin { get; init; }

    public bool IsTerminal => State is not null &&
        (State.Equals("Finished", StringComparison.OrdinalIgnoreCase) || State.Equals("Error", StringComparison.OrdinalIgnoreCase) ||
         State.Equals("Canceled", StringComparison.OrdinalIgnoreCase));
}

/// <summary>Result of cancel/pause/resume: the Qualys TEXT (no code means success).</summary>
public sealed record ScanActionResult(string ScanRef, string? Text);

/// <summary>An AWS asset data connector (QPS).</summary>
public sealed record AwsConnector
{
    public required long Id { get; init; }

    public string? Name { get; init; }

    /// <summary>QUEUED, RUNNING, PROCESSING, FINISHED_SUCCESS, FINISHED_ERRORS, DISABLED ... (as sent).</summary>
    public string? State { get; init; }

    public string? AwsAccountId { get; init; }

    public string? LastError { get; init; }

    public DateTimeOffset? LastSync { get; init; }

    public bool? Disabled { get; init; }
}

/// <summary>An EC2 host asset (QPS hostasset search).</summary>
public sealed record Ec2HostAsset
{
    public long? Id { get; init; }

    public long? QwebHostId { get; init; }

    public string? Name { get; init; }

    public string? Address { get; init; }

    public string? InstanceId { get; init; }

    /// <summary>RUNNING, STOPPED, TERMINATED ... (upper case, as sent).</summary>
    public string? InstanceState { get; init; }

    /// <summary>Region, sent as ec2_endpoint when launching.</summary>
    public string? Region { get; init; }

    public string? AccountId { get; init; }
}

/// <summary>One KnowledgeBase vulnerability.</summary>
public sealed record KbVulnerability
{
    public required long Qid { get; init; }

    /// <summary>Vulnerability, Potential Vulnerability, Information Gathered, Vulnerability or Potential Vulnerability.</summary>
    public string? VulnType { get; init; }

    public int? Severity { get; init; }

    public string? Title { get; init; }

    public string? Category { get; init; }

    public bool PciFlag { get; init; }

    public bool Patchable { get; init; }

    public IReadOnlyList<string> CveIds { get; init; } = [];

    /// <summary>CVSS/BASE text (attributes such as source= are ignored).</summary>
    public string? CvssBase { get; init; }

    public string? Cvss3Base { get; init; }

    public DateTimeOffset? Published { get; init; }
}

/// <summary>Filters for the KnowledgeBase list.</summary>
public sealed record KbQuery
{
    /// <summary>QIDs or ranges (<c>a-b</c>).</summary>
    public IReadOnlyList<string> Ids { get; init; } = [];

    public DateTimeOffset? LastModifiedAfter { get; init; }

    /// <summary>Basic (default), All or None.</summary>
    public string Details { get; init; } = "Basic";
}

/// <summary>Filters for the host detection list.</summary>
public sealed record HostDetectionQuery
{
    public IReadOnlyList<string> Ips { get; init; } = [];

    public IReadOnlyList<long> HostIds { get; init; } = [];

    public IReadOnlyList<long> Qids { get; init; } = [];

    /// <summary>New, Active, Re-Opened, Fixed.</summary>
    public IReadOnlyList<string> Statuses { get; init; } = [];

    public bool ShowIgs { get; init; }

    public bool ShowResults { get; init; } = true;

    public DateTimeOffset? VmScanSince { get; init; }

    public int? TruncationLimit { get; init; }
}

/// <summary>One host of the host detection list, with its detections.</summary>
public sealed record HostDetections
{
    public long? HostId { get; init; }

    public string? Ip { get; init; }

    public string? Dns { get; init; }

    public string? Os { get; init; }

    public string? TrackingMethod { get; init; }

    public DateTimeOffset? LastScan { get; init; }

    public required IReadOnlyList<HostDetection> Detections { get; init; }
}

/// <summary>One detection of a host (HLD).</summary>
public sealed record HostDetection
{
    public required long Qid { get; init; }

    /// <summary>Confirmed, Potential, Info.</summary>
    public string? Type { get; init; }

    public int? Severity { get; init; }

    public string? Port { get; init; }

    public string? Protocol { get; init; }

    public bool Ssl { get; init; }

    public string? Status { get; init; }

    public string? Results { get; init; }

    public DateTimeOffset? FirstFound { get; init; }

    public DateTimeOffset? LastFound { get; init; }
}
