using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml;

namespace ScanGate.Emulator;

/// <summary>An ordered QPS object: values are string, null, QpsObject, or a list wrapper (QpsList).</summary>
internal sealed class QpsObject : List<KeyValuePair<string, object?>>
{
    public QpsObject Add(string key, object? value)
    {
        Add(new KeyValuePair<string, object?>(key, value));
        return this;
    }
}

/// <summary>A collection as QPS sends it: <c>&lt;list&gt;&lt;Type&gt;…&lt;/Type&gt;&lt;/list&gt;</c>.</summary>
internal sealed record QpsList(string ItemName, List<QpsObject> Items);

internal readonly record struct Criterion(string Field, string Operator, string Value);

internal sealed partial class Handlers
{
    private static readonly string[] ConnectorFields = ["id", "name", "connectorState", "awsAccountId", "type", "disabled"];
    private static readonly string[] HostAssetFields = ["id", "name", "instanceId", "accountId", "instanceState", "region", "qwebHostId", "address", "trackingMethod"];

    public async Task QpsAsync(Req req)
    {
        var path = req.Path.TrimEnd('/');
        if (path == "/qps/rest/portal/version")
        {
            await PortalVersionAsync(req).ConfigureAwait(false);
            return;
        }

        // /qps/rest/{2.0|3.0}/{op}/am/{type}[/{id}]
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is < 6 or > 7 || parts[0] != "qps" || parts[1] != "rest" || parts[2] is not ("2.0" or "3.0") || parts[4] != "am")
        {
            await QpsErrorAsync(req, "INVALID_REQUEST", $"Unknown QPS path {req.Path}", "Check the API path.").ConfigureAwait(false);
            return;
        }

        var (op, type, id) = (parts[3], parts[5], parts.Length == 7 ? parts[6] : null);
        switch (op, type)
        {
            case ("search", "awsassetdataconnector"):
                await SearchConnectorsAsync(req).ConfigureAwait(false);
                return;
            case ("get", "assetdataconnector" or "awsassetdataconnector"):
            case ("run", "assetdataconnector" or "awsassetdataconnector"):
                if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var connectorId))
                {
                    await QpsErrorAsync(req, "INVALID_REQUEST", $"Invalid connector id '{id}'.", "Specify the connector id as Long.").ConfigureAwait(false);
                    return;
                }

                await ConnectorAsync(req, op == "run", connectorId, type == "assetdataconnector" && op == "get" ? "AssetDataConnector" : "AwsAssetDataConnector").ConfigureAwait(false);
                return;
            case ("search", "hostasset"):
                await SearchHostAssetsAsync(req).ConfigureAwait(false);
                return;
            default:
                await QpsErrorAsync(req, "OPERATION_NOT_SUPPORTED", $"Operation {op} on {type} is not supported by the emulator.", "Use search/get/run on awsassetdataconnector or search on hostasset.").ConfigureAwait(false);
                return;
        }
    }

    private Task PortalVersionAsync(Req req)
    {
        var s = Scenario.Subscription;
        var data = new QpsObject()
            .Add("Portal-Version", new QpsObject().Add("PortalApplication-VERSION", "3.11.0.0-3 EMULATED").Add("QWEB__VM-VERSION", "2.11.0"))
            .Add("QWeb-Version", new QpsObject().Add("WEB-VERSION", s.WebVersion).Add("SCANNER-VERSION", s.ScannerVersion).Add("VULNSIGS-VERSION", s.VulnsigsVersion));
        return QpsRespondAsync(req, "version.xsd", 1, null, data, asDataChildren: true);
    }

    private async Task SearchConnectorsAsync(Req req)
    {
        if (!TryParseServiceRequest(req, ConnectorFields, out var criteria, out var offset, out var limit, out var error))
        {
            await QpsErrorAsync(req, "INVALID_REQUEST", error!, "Fix the ServiceRequest.").ConfigureAwait(false);
            return;
        }

        List<QpsObject> all;
        lock (state.Sync)
        {
            all = [.. state.Connectors.Values.OrderBy(c => c.Definition.Id)
                .Where(c => criteria.All(cr => MatchConnector(c, cr)))
                .Select(c => ConnectorObject(c))];
        }

        var page = all.Skip(offset - 1).Take(limit).ToList();
        var data = new QpsObject();
        foreach (var item in page)
        {
            data.Add("AwsAssetDataConnector", item);
        }

        await QpsRespondAsync(req, "2.0/am/awsassetdataconnector.xsd", page.Count, offset - 1 + page.Count < all.Count, data, asDataChildren: true).ConfigureAwait(false);
    }

    private bool MatchConnector(ConnectorRuntime c, Criterion cr)
    {
        var (connectorState, _, _) = c.Evaluate(Scenario.Timings, Now);
        var value = cr.Field switch
        {
            "id" => Num(c.Definition.Id),
            "name" => c.Definition.Name,
            "connectorState" => connectorState,
            "awsAccountId" => c.Definition.AccountId,
            "type" => "AWS",
            _ => c.Definition.Disabled ? "true" : "false",
        };
        return Matches(value, cr);
    }

    private static bool Matches(string value, Criterion cr) => cr.Operator switch
    {
        "IN" => cr.Value.Split(',', StringSplitOptions.TrimEntries).Contains(value, StringComparer.Ordinal),
        "CONTAINS" => value.Contains(cr.Value, StringComparison.OrdinalIgnoreCase),
        "NOT EQUALS" => value != cr.Value,
        _ => value == cr.Value,
    };

    private async Task ConnectorAsync(Req req, bool run, long id, string element)
    {
        QpsObject? obj;
        string? refused = null;
        lock (state.Sync)
        {
            if (!state.Connectors.TryGetValue(id, out var connector))
            {
                obj = null;
            }
            else
            {
                var (current, _, _) = connector.Evaluate(Scenario.Timings, Now);
                if (run)
                {
                    if (current == "DISABLED")
                    {
                        refused = $"Connector {id} is disabled and cannot be run.";
                    }
                    else if (current is not ("QUEUED" or "RUNNING" or "PROCESSING"))
                    {
                        var fault = req.Http.Items[ConnectorFaultKey] as FaultRule;
                        connector.RunStarted = Now;
                        connector.RunOutcome = fault?.Kind switch
                        {
                            "connector_finished_errors" => "FINISHED_ERRORS",
                            "connector_incomplete" => "INCOMPLETE",
                            _ => null,
                        };
                        connector.RunError = fault?.Message;
                    }
                }

                obj = ConnectorObject(connector);
            }
        }

        if (obj is null)
        {
            await QpsErrorAsync(req, "OBJECT_NOT_FOUND", $"Connector with id {id} not found.", "Check the connector id.").ConfigureAwait(false);
            return;
        }

        if (refused is not null)
        {
            await QpsErrorAsync(req, "INVALID_REQUEST", refused, "Enable the connector before running it.").ConfigureAwait(false);
            return;
        }

        await QpsRespondAsync(req, "2.0/am/awsassetdataconnector.xsd", 1, null, new QpsObject().Add(element, obj), asDataChildren: true).ConfigureAwait(false);
    }

    private QpsObject ConnectorObject(ConnectorRuntime c)
    {
        var d = c.Definition;
        var (connectorState, lastSync, lastError) = c.Evaluate(Scenario.Timings, Now);
        var regions = new QpsList("AwsEndpointSimple", [.. d.Regions.Select(r => new QpsObject().Add("regionCode", r))]);
        return new QpsObject()
            .Add("id", Num(d.Id))
            .Add("name", d.Name)
            .Add("description", "Emulated AWS connector")
            .Add("type", "AWS")
            .Add("connectorState", connectorState)
            .Add("lastSync", lastSync is { } ls ? Xml.Time(ls) : null)
            .Add("lastError", lastError)
            .Add("disabled", d.Disabled ? "true" : "false")
            .Add("isDeleted", "false")
            .Add("runFrequency", "240")
            .Add("awsAccountId", d.AccountId)
            .Add("arn", $"arn:aws:iam::{d.AccountId}:role/QualysConnectorRole")
            .Add("externalId", "emulated-external-id")
            .Add("allRegions", "false")
            .Add("endpoints", new QpsObject().Add("list", regions))
            .Add("activation", new QpsObject().Add("list", new QpsList("ActivationModule", [new QpsObject().Add("", "VM")])));
    }

    private async Task SearchHostAssetsAsync(Req req)
    {
        if (!TryParseServiceRequest(req, HostAssetFields, out var criteria, out var offset, out var limit, out var error))
        {
            await QpsErrorAsync(req, "INVALID_REQUEST", error!, "Fix the ServiceRequest.").ConfigureAwait(false);
            return;
        }

        if (criteria.FirstOrDefault(c => c.Field is "qwebHostId" or "id" && c.Value.Split(',', StringSplitOptions.TrimEntries).Any(v => !long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out _))) is { Field: not null } bad)
        {
            await QpsErrorAsync(req, "INVALID_REQUEST", $"Criteria: Invalid value format for criteria '{bad.Field}' ({bad.Value}).", "Specify criteria value(s) as Long.").ConfigureAwait(false);
            return;
        }

        var assets = new List<QpsObject>();
        lock (state.Sync)
        {
            var index = 0;
            foreach (var connector in state.Connectors.Values.OrderBy(c => c.Definition.Id))
            {
                connector.Evaluate(Scenario.Timings, Now);
                foreach (var instance in connector.Definition.Instances)
                {
                    index++;
                    if (!instance.Known && !connector.HasCompletedRun)
                    {
                        continue;
                    }

                    var assetId = 84_047_000L + index;
                    var hostIndex = Scenario.Hosts.ToList().FindIndex(h => h.Ip == instance.Ip);
                    var qwebHostId = hostIndex >= 0 ? 1_000_000L + hostIndex : 107_800_000L + index;
                    var fields = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["id"] = Num(assetId), ["name"] = instance.InstanceId, ["instanceId"] = instance.InstanceId,
                        ["accountId"] = connector.Definition.AccountId, ["instanceState"] = instance.State, ["region"] = instance.Region,
                        ["qwebHostId"] = Num(qwebHostId), ["address"] = instance.Ip, ["trackingMethod"] = "INSTANCE_ID",
                    };
                    if (criteria.All(c => Matches(fields[c.Field], c)))
                    {
                        assets.Add(HostAssetObject(instance, connector.Definition, assetId, qwebHostId, hostIndex >= 0 ? Scenario.Hosts[hostIndex] : null));
                    }
                }
            }
        }

        var page = assets.Skip(offset - 1).Take(limit).ToList();
        var data = new QpsObject();
        foreach (var item in page)
        {
            data.Add("HostAsset", item);
        }

        await QpsRespondAsync(req, "2.0/am/hostasset.xsd", page.Count, offset - 1 + page.Count < assets.Count, data, asDataChildren: true).ConfigureAwait(false);
    }

    private QpsObject HostAssetObject(ScenarioInstance instance, ScenarioConnector connector, long assetId, long qwebHostId, ScenarioHost? host)
    {
        var discovered = Xml.Time(Now.AddDays(-7));
        var source = new QpsObject()
            .Add("assetId", Num(assetId)).Add("type", "EC_2").Add("firstDiscovered", discovered).Add("lastUpdated", Xml.Time(Now.AddHours(-1)))
            .Add("reservationId", "r-0" + assetId.ToString("x", CultureInfo.InvariantCulture)).Add("availabilityZone", instance.Region + "a")
            .Add("instanceId", instance.InstanceId).Add("instanceType", instance.InstanceType).Add("instanceState", instance.State)
            .Add("accountId", connector.AccountId).Add("region", instance.Region).Add("zone", "VPC").Add("imageId", "ami-0emulated")
            .Add("publicIpAddress", instance.PublicIp).Add("privateIpAddress", instance.Ip).Add("monitoringEnabled", "false");
        return new QpsObject()
            .Add("id", Num(assetId)).Add("name", instance.InstanceId).Add("created", discovered).Add("modified", Xml.Time(Now.AddHours(-1)))
            .Add("type", "HOST")
            .Add("sourceInfo", new QpsObject().Add("list", new QpsList("Ec2AssetSourceSimple", [source])))
            .Add("qwebHostId", Num(qwebHostId)).Add("fqdn", host?.Dns).Add("os", host?.Os).Add("dnsHostName", host?.Dns)
            .Add("address", instance.Ip).Add("trackingMethod", "INSTANCE_ID").Add("isDockerHost", "false");
    }

    /// <summary>Parses a ServiceRequest (XML, DTD prohibited, no resolver; or JSON). An empty body means no filter.</summary>
    private static bool TryParseServiceRequest(Req req, string[] fields, out List<Criterion> criteria, out int offset, out int limit, out string? error)
    {
        criteria = [];
        offset = 1;
        limit = 100;
        error = null;
        var body = req.Body?.Trim();
        if (string.IsNullOrEmpty(body))
        {
            return true;
        }

        string? offsetText = null, limitText = null;
        try
        {
            if (body.StartsWith('{'))
            {
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement.GetProperty("ServiceRequest");
                if (root.TryGetProperty("preferences", out var prefs))
                {
                    offsetText = prefs.TryGetProperty("startFromOffset", out var o) ? o.ToString() : null;
                    limitText = prefs.TryGetProperty("limitResults", out var l) ? l.ToString() : null;
                }

                if (root.TryGetProperty("filters", out var filters) && filters.TryGetProperty("Criteria", out var list))
                {
                    foreach (var c in list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().ToList() : [list])
                    {
                        criteria.Add(new Criterion(c.GetProperty("field").GetString() ?? "", c.GetProperty("operator").GetString() ?? "EQUALS", c.GetProperty("value").ToString()));
                    }
                }
            }
            else
            {
                var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
                using var reader = XmlReader.Create(new StringReader(body), settings);
                var doc = System.Xml.Linq.XDocument.Load(reader);
                offsetText = doc.Descendants("startFromOffset").FirstOrDefault()?.Value;
                limitText = doc.Descendants("limitResults").FirstOrDefault()?.Value;
                foreach (var c in doc.Descendants("Criteria"))
                {
                    criteria.Add(new Criterion((string?)c.Attribute("field") ?? "", (string?)c.Attribute("operator") ?? "EQUALS", c.Value.Trim()));
                }
            }
        }
        catch (Exception ex) when (ex is XmlException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            error = $"Invalid ServiceRequest: {ex.Message}";
            return false;
        }

        if (criteria.FirstOrDefault(c => !fields.Contains(c.Field, StringComparer.Ordinal)) is { Field: not null } unknown)
        {
            error = $"Criteria: Invalid field '{unknown.Field}'.";
            return false;
        }

        if (criteria.FirstOrDefault(c => c.Operator is not ("EQUALS" or "NOT EQUALS" or "IN" or "CONTAINS")) is { Field: not null } op)
        {
            error = $"Criteria: Invalid operator '{op.Operator}' for field '{op.Field}'.";
            return false;
        }

        if ((offsetText is not null && (!int.TryParse(offsetText, NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset < 1))
            || (limitText is not null && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1)))
        {
            error = $"preferences: invalid startFromOffset '{offsetText}' or limitResults '{limitText}'.";
            return false;
        }

        return true;
    }

    private static Task QpsErrorAsync(Req req, string code, string message, string resolution)
    {
        var details = new QpsObject().Add("errorMessage", message).Add("errorResolution", resolution);
        return QpsRespondAsync(req, "2.0/am/hostasset.xsd", null, null, new QpsObject().Add("responseErrorDetails", details), asDataChildren: false, code);
    }

    /// <summary>A ServiceResponse; <paramref name="xsd"/> is the schema path under <c>/qps/xsd/</c>: <c>2.0/am/hostasset.xsd</c>,
    /// or <c>version.xsd</c> for the portal version (as recorded).</summary>
    private static Task QpsRespondAsync(Req req, string xsd, int? count, bool? hasMore, QpsObject payload, bool asDataChildren, string code = "SUCCESS")
    {
        if (req.WantsJson)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteStartObject("ServiceResponse");
                w.WriteString("responseCode", code);
                if (count is { } c)
                {
                    w.WriteNumber("count", c);
                }

                if (hasMore is { } more)
                {
                    w.WriteString("hasMoreRecords", more ? "true" : "false");
                }

                if (asDataChildren)
                {
                    if (payload.Count > 0)
                    {
                        w.WriteStartArray("data");
                        foreach (var (key, value) in payload)
                        {
                            w.WriteStartObject();
                            WriteJsonValue(w, key, value);
                            w.WriteEndObject();
                        }

                        w.WriteEndArray();
                    }
                }
                else
                {
                    foreach (var (key, value) in payload)
                    {
                        WriteJsonValue(w, key, value);
                    }
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }

            return Respond.Text(req.Http, 200, "application/json", Encoding.UTF8.GetString(buffer.WrittenSpan));
        }

        var sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
            .Append("<ServiceResponse xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"")
            .Append(req.BaseUrl).Append("/qps/xsd/").Append(xsd).Append("\">\n")
            .Append("  <responseCode>").Append(code).Append("</responseCode>\n");
        if (count is { } n)
        {
            sb.Append("  <count>").Append(n).Append("</count>\n");
        }

        if (hasMore is { } has)
        {
            sb.Append("  <hasMoreRecords>").Append(has ? "true" : "false").Append("</hasMoreRecords>\n");
        }

        if (asDataChildren)
        {
            if (payload.Count > 0)
            {
                sb.Append("  <data>\n");
                foreach (var (key, value) in payload)
                {
                    WriteXmlValue(sb, key, value, "    ");
                }

                sb.Append("  </data>\n");
            }
        }
        else
        {
            foreach (var (key, value) in payload)
            {
                WriteXmlValue(sb, key, value, "  ");
            }
        }

        sb.Append("</ServiceResponse>\n");
        return Respond.Text(req.Http, 200, "application/xml", sb.ToString());
    }

    private static void WriteXmlValue(StringBuilder sb, string key, object? value, string indent)
    {
        switch (value)
        {
            case null:
                return;
            case string s when key.Length == 0:
                sb.Append(Xml.Escape(s));
                return;
            case string s:
                sb.Append(indent).Append('<').Append(key).Append('>').Append(Xml.Escape(s)).Append("</").Append(key).Append(">\n");
                return;
            case QpsObject o:
                sb.Append(indent).Append('<').Append(key).Append(">\n");
                foreach (var (k, v) in o)
                {
                    WriteXmlValue(sb, k, v, indent + "  ");
                }

                sb.Append(indent).Append("</").Append(key).Append(">\n");
                return;
            case QpsList list:
                sb.Append(indent).Append('<').Append(key).Append(">\n");
                foreach (var item in list.Items)
                {
                    if (item.Count == 1 && item[0].Key.Length == 0)
                    {
                        sb.Append(indent).Append("  <").Append(list.ItemName).Append('>').Append(Xml.Escape((string?)item[0].Value)).Append("</").Append(list.ItemName).Append(">\n");
                        continue;
                    }

                    WriteXmlValue(sb, list.ItemName, item, indent + "  ");
                }

                sb.Append(indent).Append("</").Append(key).Append(">\n");
                return;
        }
    }

    private static void WriteJsonValue(Utf8JsonWriter w, string key, object? value)
    {
        switch (value)
        {
            case null:
                w.WriteNull(key);
                return;
            case string s:
                w.WriteString(key, s);
                return;
            case QpsObject o:
                w.WriteStartObject(key);
                foreach (var (k, v) in o)
                {
                    WriteJsonValue(w, k, v);
                }

                w.WriteEndObject();
                return;
            case QpsList list:
                w.WriteStartArray(key);
                foreach (var item in list.Items)
                {
                    if (item.Count == 1 && item[0].Key.Length == 0)
                    {
                        w.WriteStartObject();
                        w.WriteString(list.ItemName, (string?)item[0].Value);
                        w.WriteEndObject();
                        continue;
                    }

                    w.WriteStartObject();
                    w.WritePropertyName(list.ItemName);
                    w.WriteStartObject();
                    foreach (var (k, v) in item)
                    {
                        WriteJsonValue(w, k, v);
                    }

                    w.WriteEndObject();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                return;
        }
    }
}
