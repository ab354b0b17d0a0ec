using System.Globalization;
using System.Xml.Linq;

namespace ScanGate.Qualys;

/// <summary>EC2 through QPS: AWS asset data connectors (search, get, run) and EC2 host assets.</summary>
public sealed class Ec2Client
{
    private readonly QualysConnection _connection;

    internal Ec2Client(QualysConnection connection) => _connection = connection;

    /// <summary>AWS connectors, following QPS pagination; <paramref name="name"/> keeps only that exact name.</summary>
    public async Task<IReadOnlyList<AwsConnector>> SearchConnectorsAsync(string? name, CancellationToken cancellationToken)
    {
        var criteria = string.IsNullOrWhiteSpace(name) ? [] : new[] { new QpsCriterion("name", "EQUALS", name.Trim()) };
        var all = new List<AwsConnector>();
        var offset = 1;
        for (var page = 0; page < 10_000; page++)
        {
            var call = new QualysRequest("connector search", HttpMethod.Post, _connection.Api("qps/rest/2.0/search/am/awsassetdataconnector/"), CallKind.Idempotent)
            {
                XmlBody = QpsRequest.Build(criteria, offset, _connection.Options.QpsPageSize),
            };
            var doc = await _connection.GetXmlAsync(call, cancellationToken).ConfigureAwait(false);
            QualysConnection.ExpectRoot(call.Operation, doc, "ServiceResponse");
            var items = doc.Root!.Element("data")?.Elements().Where(e => e.Name.LocalName is "AwsAssetDataConnector" or "AssetDataConnector").ToList() ?? [];
            all.AddRange(items.Select(i => ParseConnector(call.Operation, i)));
            if (!string.Equals(doc.Root.Text("hasMoreRecords"), "true", StringComparison.OrdinalIgnoreCase))
            {
                return string.IsNullOrWhiteSpace(name) ? all : [.. all.Where(c => string.Equals(c.Name, name.Trim(), StringComparison.Ordinal))];
            }

            if (items.Count == 0)
            {
                throw new QualysResponseFormatException(call.Operation, "hasMoreRecords is true but the page is empty");
            }

            offset += items.Count;
        }

        throw new QualysResponseFormatException("connector search", "pagination did not end");
    }

    /// <summary>One connector by ID (<c>get/am/assetdataconnector</c>).</summary>
    public async Task<AwsConnector> GetConnectorAsync(long connectorId, CancellationToken cancellationToken)
    {
        var call = new QualysRequest("connector get", HttpMethod.Get, _connection.Api($"qps/rest/2.0/get/am/assetdataconnector/{connectorId.ToString(CultureInfo.InvariantCulture)}"), CallKind.Idempotent);
        return SingleConnector(call.Operation, await _connection.GetXmlAsync(call, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Starts a connector run; returns the state Qualys reports (QUEUED, RUNNING ...).</summary>
    public async Task<AwsConnector> RunConnectorAsync(long connectorId, CancellationToken cancellationToken)
    {
        var call = new QualysRequest("connector run", HttpMethod.Post, _connection.Api($"qps/rest/2.0/run/am/assetdataconnector/{connectorId.ToString(CultureInfo.InvariantCulture)}"), CallKind.NonIdempotent);
        return SingleConnector(call.Operation, await _connection.GetXmlAsync(call, cancellationToken).ConfigureAwait(false));
    }

    private static AwsConnector SingleConnector(string operation, XDocument doc)
    {
        QualysConnection.ExpectRoot(operation, doc, "ServiceResponse");
        var item = doc.Root!.Element("data")?.Elements().FirstOrDefault(e => e.Name.LocalName is "AwsAssetDataConnector" or "AssetDataConnector")
            ?? throw new QualysResponseFormatException(operation, "no connector in the response data");
        return ParseConnector(operation, item);
    }

    private static AwsConnector ParseConnector(string operation, XElement e) => new()
    {
        Id = e.Long("id") ?? throw new QualysResponseFormatException(operation, "a connector has no numeric id"),
        Name = e.Text("name"),
        State = e.Text("connectorState"),
        AwsAccountId = e.Text("awsAccountId"),
        LastError = e.Text("lastError"),
        LastSync = e.Date("lastSync"),
        Disabled = e.Text("disabled") is { } d ? string.Equals(d, "true", StringComparison.OrdinalIgnoreCase) : null,
    };

    /// <summary>EC2 host assets by instance ID (and AWS account ID): instanceState and region come from Ec2AssetSourceSimple.</summary>
    public async Task<IReadOnlyList<Ec2HostAsset>> FindHostAssetsAsync(string instanceId, string? accountId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        var criteria = new List<QpsCriterion> { new("instanceId", "EQUALS", instanceId.Trim()) };
        if (!string.IsNullOrWhiteSpace(accountId))
        {
            criteria.Add(new("accountId", "EQUALS", accountId.Trim()));
        }

        var call = new QualysRequest("host asset search", HttpMethod.Post, _connection.Api("qps/rest/2.0/search/am/hostasset"), CallKind.Idempotent)
        {
            XmlBody = QpsRequest.Build(criteria),
        };
        var doc = await _connection.GetXmlAsync(call, cancellationToken).ConfigureAwait(false);
        QualysConnection.ExpectRoot(call.Operation, doc, "ServiceResponse");
        return
        [
            .. (doc.Root!.Element("data")?.Elements("HostAsset") ?? []).Select(h =>
            {
                var ec2 = h.Element("sourceInfo")?.Element("list")?.Elements("Ec2AssetSourceSimple").FirstOrDefault();
                return new Ec2HostAsset
                {
                    Id = h.Long("id"),
                    QwebHostId = h.Long("qwebHostId"),
                    Name = h.Text("name"),
                    Address = h.Text("address"),
                    InstanceId = ec2.Text("instanceId"),
                    InstanceState = ec2.Text("instanceState"),
                    Region = ec2.Text("region"),
                    AccountId = ec2.Text("accountId"),
                };
            }),
        ];
    }
}
