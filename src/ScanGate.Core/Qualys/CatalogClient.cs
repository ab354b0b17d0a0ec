using System.Xml.Linq;
using Microsoft.Extensions.Logging;

namespace ScanGate.Qualys;

/// <summary>What a scan can use: scanner appliances, option profiles and networks (the plugin form's dropdowns).</summary>
public sealed partial class CatalogClient
{
    private readonly QualysConnection _connection;

    internal CatalogClient(QualysConnection connection) => _connection = connection;

    /// <summary>Scanner appliances; <paramref name="networkId"/> restricts to one network.</summary>
    public async Task<IReadOnlyList<QualysAppliance>> ListAppliancesAsync(string? networkId, CancellationToken cancellationToken)
    {
        var call = new QualysRequest("appliance list", HttpMethod.Get,
            _connection.Api($"api/2.0/fo/appliance/?{QualysConnection.Query(("action", "list"), ("output_mode", "full"), ("network_id", string.IsNullOrWhiteSpace(networkId) ? null : networkId.Trim()))}"),
            CallKind.Idempotent);
        return ParseAppliances(call.Operation, await _connection.GetXmlAsync(call, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>EC2 scanner appliances with their cloud account (platform_provider=ec2, include_cloud_info=1).</summary>
    public async Task<IReadOnlyList<QualysAppliance>> ListEc2AppliancesAsync(CancellationToken cancellationToken)
    {
        var call = new QualysRequest("EC2 appliance list", HttpMethod.Get,
            _connection.Api($"api/2.0/fo/appliance/?{QualysConnection.Query(("action", "list"), ("platform_provider", "ec2"), ("include_cloud_info", "1"), ("output_mode", "full"))}"),
            CallKind.Idempotent);
        return ParseAppliances(call.Operation, await _connection.GetXmlAsync(call, cancellationToken).ConfigureAwait(false));
    }

    private static List<QualysAppliance> ParseAppliances(string operation, XDocument doc)
    {
        QualysConnection.ExpectRoot(operation, doc, "APPLIANCE_LIST_OUTPUT");
        var list = new List<QualysAppliance>();
        foreach (var a in doc.Root!.Element("RESPONSE")?.Element("APPLIANCE_LIST")?.Elements("APPLIANCE") ?? [])
        {
            var name = a.Text("NAME");
            if (string.IsNullOrEmpty(name))
            {
                throw new QualysResponseFormatException(operation, "an APPLIANCE has no NAME");
            }

            var cloud = a.Element("CLOUD_INFO");
            list.Add(new QualysAppliance
            {
                Id = a.Long("ID"),
                Name = name,
                Status = a.Text("STATUS"),
                NetworkId = a.Text("NETWORK_ID"),
                Type = a.Text("TYPE"),
                PlatformProvider = cloud.Text("PLATFORM_PROVIDER"),
                CloudAccountId = cloud.TextAt("EC2_INFO", "ACCOUNT_ID"),
                CloudRegion = cloud.TextAt("EC2_INFO", "INSTANCE_REGION"),
            });
        }

        return list;
    }

    /// <summary>VM and PCI option profiles. A refused PCI list (PCI not enabled: 403) is reported, not thrown.</summary>
    public async Task<QualysOptionProfiles> ListOptionProfilesAsync(CancellationToken cancellationToken)
    {
        var vm = await ListOptionProfilesAsync(OptionProfileKind.Vm, cancellationToken).ConfigureAwait(false);
        try
        {
            var pci = await ListOptionProfilesAsync(OptionProfileKind.Pci, cancellationToken).ConfigureAwait(false);
            return new QualysOptionProfiles { Profiles = [.. vm, .. pci] };
        }
        catch (QualysApiException ex) when (ex.IsNotPermitted)
        {
            LogPciUnavailable(_connection.Logger, ex.Operation, ex.Message);
            return new QualysOptionProfiles { Profiles = vm, PciUnavailable = ex };
        }
    }

    /// <summary>Option profiles of one kind (<c>/subscription/option_profile/vm|pci/</c>).</summary>
    public async Task<IReadOnlyList<QualysOptionProfile>> ListOptionProfilesAsync(OptionProfileKind kind, CancellationToken cancellationToken)
    {
        var segment = kind == OptionProfileKind.Pci ? "pci" : "vm";
        var call = new QualysRequest($"option profile list ({segment})", HttpMethod.Get, _connection.Api($"api/2.0/fo/subscription/option_profile/{segment}/?action=list"), CallKind.Idempotent);
        var doc = await _connection.GetXmlAsync(call, cancellationToken).ConfigureAwait(false);
        var root = doc.Root!;
        if (!string.Equals(root.Name.LocalName, "OPTION_PROFILES", StringComparison.Ordinal))
        {
            // Some versions wrap the list in a RESPONSE; an empty subscription may return just DATETIME.
            QualysConnection.ExpectRoot(call.Operation, doc, "OPTION_PROFILES", "OPTION_PROFILE_LIST_OUTPUT");
        }

        var list = new List<QualysOptionProfile>();
        foreach (var p in root.Descendants("OPTION_PROFILE"))
        {
            var info = p.Element("BASIC_INFO");
            var title = info.Text("GROUP_NAME");
            if (string.IsNullOrEmpty(title))
            {
                throw new QualysResponseFormatException(call.Operation, "an OPTION_PROFILE has no BASIC_INFO/GROUP_NAME");
            }

            list.Add(new QualysOptionProfile
            {
                Id = info.Long("ID"),
                Title = title,
                Kind = kind,
                IsDefault = info.Flag("IS_DEFAULT"),
                IsGlobal = info.Flag("IS_GLOBAL"),
            });
        }

        return list;
    }

    /// <summary>Custom networks (needs Network Support; 403 otherwise, thrown as <see cref="QualysApiException"/>).</summary>
    public async Task<IReadOnlyList<QualysNetwork>> ListNetworksAsync(CancellationToken cancellationToken)
    {
        var call = new QualysRequest("network list", HttpMethod.Get, _connection.Api("api/2.0/fo/network/?action=list"), CallKind.Idempotent);
        var doc = await _connection.GetXmlAsync(call, cancellationToken).ConfigureAwait(false);
        QualysConnection.ExpectRoot(call.Operation, doc, "NETWORK_LIST_OUTPUT");
        var list = new List<QualysNetwork>();
        foreach (var n in doc.Root!.Element("RESPONSE")?.Element("NETWORK_LIST")?.Elements("NETWORK") ?? [])
        {
            var id = n.Text("ID");
            if (string.IsNullOrEmpty(id))
            {
                throw new QualysResponseFormatException(call.Operation, "a NETWORK has no ID");
            }

            list.Add(new QualysNetwork
            {
                Id = id,
                Name = n.Text("NAME") ?? id,
                ApplianceNames = [.. n.Element("SCANNER_APPLIANCE_LIST")?.Elements("SCANNER_APPLIANCE").Select(s => s.Text("NAME") ?? string.Empty).Where(s => s.Length > 0) ?? []],
            });
        }

        return list;
    }

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug, Message = "Qualys {Operation}: PCI option profiles unavailable ({Reason})")]
    private static partial void LogPciUnavailable(ILogger logger, string operation, string reason);
}
