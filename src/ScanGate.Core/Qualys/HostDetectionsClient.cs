using System.Globalization;
using System.Runtime.CompilerServices;

namespace ScanGate.Qualys;

/// <summary>Host list detections (<c>/api/5.0/fo/asset/host/vm/detection/</c>): the latest state per host and QID.</summary>
public sealed class HostDetectionsClient
{
    internal const string DetectionPath = "api/5.0/fo/asset/host/vm/detection/";

    private readonly QualysConnection _connection;

    internal HostDetectionsClient(QualysConnection connection) => _connection = connection;

    /// <summary>Host detections (one item per host), following the 1980 truncation URLs verbatim.</summary>
    public async IAsyncEnumerable<HostDetections> ListAsync(HostDetectionQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var url = _connection.Api($"{DetectionPath}?{QualysConnection.Query(
            ("action", "list"),
            ("ips", query.Ips.Count == 0 ? null : string.Join(',', query.Ips)),
            ("ids", query.HostIds.Count == 0 ? null : string.Join(',', query.HostIds.Select(i => i.ToString(CultureInfo.InvariantCulture)))),
            ("qids", query.Qids.Count == 0 ? null : string.Join(',', query.Qids.Select(i => i.ToString(CultureInfo.InvariantCulture)))),
            ("status", query.Statuses.Count == 0 ? null : string.Join(',', query.Statuses)),
            ("show_igs", query.ShowIgs ? "1" : null),
            ("show_results", query.ShowResults ? "1" : "0"),
            ("vm_scan_since", query.VmScanSince?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
            ("truncation_limit", query.TruncationLimit?.ToString(CultureInfo.InvariantCulture)))}");
        var call = new QualysRequest("host detection list", HttpMethod.Get, url, CallKind.Idempotent);
        await foreach (var (page, response) in _connection.PagesAsync(call, "HOST_LIST_VM_DETECTION_OUTPUT", cancellationToken).ConfigureAwait(false))
        {
            foreach (var h in response?.Element("HOST_LIST")?.Elements("HOST") ?? [])
            {
                yield return new HostDetections
                {
                    HostId = h.Long("ID"),
                    Ip = h.Text("IP"),
                    Dns = h.Text("DNS"),
                    Os = h.Text("OS"),
                    TrackingMethod = h.Text("TRACKING_METHOD"),
                    LastScan = h.Date("LAST_SCAN_DATETIME"),
                    Detections =
                    [
                        .. (h.Element("DETECTION_LIST")?.Elements("DETECTION") ?? []).Select(d => new HostDetection
                        {
                            Qid = d.Long("QID") ?? throw new QualysResponseFormatException(page.Operation, "a DETECTION has no numeric QID"),
                            Type = d.Text("TYPE"),
                            Severity = d.Int("SEVERITY"),
                            Port = d.Text("PORT"),
                            Protocol = d.Text("PROTOCOL"),
                            Ssl = d.Flag("SSL"),
                            Status = d.Text("STATUS"),
                            Results = d.Text("RESULTS"),
                            FirstFound = d.Date("FIRST_FOUND_DATETIME"),
                            LastFound = d.Date("LAST_FOUND_DATETIME"),
                        }),
                    ],
                };
            }

        }
    }
}
