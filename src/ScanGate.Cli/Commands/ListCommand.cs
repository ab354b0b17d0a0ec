using System.CommandLine;
using ScanGate.Qualys;

namespace ScanGate.Cli.Commands;

/// <summary>
/// <c>scangate list scanners|option-profiles|networks|connectors</c>: the values the plugin's form offered in its
/// dropdowns, as a table or <c>--json</c>.
/// </summary>
internal static class ListCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("list", "List what a scan can use: scanners, option-profiles, networks, connectors.\n" + ScanGateCli.ExitCodeHelp);
        command.Subcommands.Add(Sub(context, "scanners", "Scanner appliances (--scanner).", (client, network, ec2, ct) => Scanners(client, network, ec2, ct), withNetwork: true));
        command.Subcommands.Add(Sub(context, "option-profiles", "Option profiles (--option-profile).", (client, _, _, ct) => OptionProfiles(client, ct)));
        command.Subcommands.Add(Sub(context, "networks", "Networks (--network-id).", (client, _, _, ct) => Networks(client, ct)));
        command.Subcommands.Add(Sub(context, "connectors", "AWS connectors (--ec2-connector).", (client, _, _, ct) => Connectors(client, ct)));
        return command;
    }

    private sealed record Listing(IReadOnlyList<string> Headers, IReadOnlyList<string> Keys, IReadOnlyList<IReadOnlyList<string?>> Rows);

    private static Command Sub(CliContext context, string name, string description, Func<QualysClient, string?, bool, CancellationToken, Task<Listing>> fetch, bool withNetwork = false)
    {
        var options = new QualysCliOptions();
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var network = new Option<string?>("--network-id") { Description = "Only appliances of this network.", HelpName = "ID" };
        var ec2 = new Option<bool>("--ec2") { Description = "EC2 scanner appliances (with their AWS account)." };
        var command = new Command(name, description);
        options.AddTo(command);
        command.Options.Add(json);
        if (withNetwork)
        {
            command.Options.Add(network);
            command.Options.Add(ec2);
        }

        command.SetAction((parseResult, cancellationToken) => QualysCommandRunner.RunAsync(context, options, parseResult, async (client, _) =>
        {
            var listing = await fetch(client, parseResult.GetValue(network), parseResult.GetValue(ec2), cancellationToken);
            if (parseResult.GetValue(json))
            {
                QualysCommandRunner.WriteJson(context.Out, listing.Rows.Select(row =>
                    (IReadOnlyDictionary<string, object?>)listing.Keys.Select((key, i) => (key, value: (object?)row[i])).ToDictionary(p => p.key, p => p.value, StringComparer.Ordinal)));
            }
            else
            {
                QualysCommandRunner.WriteTable(context.Out, listing.Headers, listing.Rows);
            }

            return ExitCodes.Pass;
        }));
        return command;
    }

    private static async Task<Listing> Scanners(QualysClient client, string? network, bool ec2, CancellationToken ct)
    {
        var appliances = ec2 ? await client.Catalog.ListEc2AppliancesAsync(ct) : await client.Catalog.ListAppliancesAsync(network, ct);
        return new(
            ["NAME", "STATUS", "NETWORK", "TYPE", "ACCOUNT", "REGION"],
            ["name", "status", "network_id", "type", "aws_account_id", "region"],
            [.. appliances.OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase).Select(a => (IReadOnlyList<string?>)[a.Name, a.Status, a.NetworkId, a.Type, a.CloudAccountId, a.CloudRegion])]);
    }

    private static async Task<Listing> OptionProfiles(QualysClient client, CancellationToken ct)
    {
        var profiles = await client.Catalog.ListOptionProfilesAsync(ct);
        return new(
            ["TITLE", "KIND", "DEFAULT", "ID"],
            ["title", "kind", "default", "id"],
            [.. profiles.Profiles.OrderBy(p => p.Title, StringComparer.OrdinalIgnoreCase)
                .Select(p => (IReadOnlyList<string?>)[p.Title, p.Kind == OptionProfileKind.Pci ? "pci" : "vm", p.IsDefault ? "yes" : "no", p.Id?.ToString(System.Globalization.CultureInfo.InvariantCulture)])]);
    }

    private static async Task<Listing> Networks(QualysClient client, CancellationToken ct)
    {
        var networks = await client.Catalog.ListNetworksAsync(ct);
        return new(
            ["ID", "NAME", "SCANNERS"],
            ["id", "name", "scanners"],
            [.. networks.OrderBy(n => n.Name, StringComparer.OrdinalIgnoreCase).Select(n => (IReadOnlyList<string?>)[n.Id, n.Name, string.Join(", ", n.ApplianceNames)])]);
    }

    private static async Task<Listing> Connectors(QualysClient client, CancellationToken ct)
    {
        var connectors = await client.Ec2.SearchConnectorsAsync(null, ct);
        return new(
            ["NAME", "STATE", "ACCOUNT", "ID"],
            ["name", "state", "aws_account_id", "id"],
            [.. connectors.OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase).Select(c => (IReadOnlyList<string?>)[c.Name, c.State, c.AwsAccountId, c.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])]);
    }
}
