using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using ScanGate.Results;

namespace ScanGate.Qualys;

/// <summary>
/// VM scans (<c>/api/2.0/fo/scan/</c>, the list at <c>/api/3.0/</c>): launch with the lost-launch recovery, list and
/// status, the streamed <c>json_extended</c> result, cancel/pause/resume.
/// </summary>
public sealed partial class ScansClient
{
    internal const string ScanPath = "api/2.0/fo/scan/";
    internal const string ScanListPath = "api/3.0/fo/scan/";

    private static readonly Regex ScanRefPattern = new("^[A-Za-z]+/[0-9]+(?:\\.[0-9]+)?$", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, TimeSpan.FromSeconds(1));

    private readonly QualysConnection _connection;

    internal ScansClient(QualysConnection connection) => _connection = connection;

    // ---- launch ---------------------------------------------------------------------------------------------------

    /// <summary>
    /// Launches a scan. This is the one place a lost launch is settled: when a response is lost or unreadable (reset,
    /// timeout, 5xx, 1981, a cut or malformed body) the next attempt first looks for a scan with the same title launched since just before this call and
    /// returns it if found; when the retries run out, one last look runs; when that finds nothing either, the call
    /// fails without launching again. So one call never creates two scans, and never abandons one it created.
    /// </summary>
    public async Task<ScanLaunchResult> LaunchAsync(ScanLaunchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var call = new QualysRequest("scan launch", HttpMethod.Post, _connection.Api(ScanPath), CallKind.Launch) { Form = BuildLaunchForm(request) };
        var since = _connection.Time.GetUtcNow() - _connection.Options.LaunchLookupSkew;
        var uncertain = false;
        try
        {
            return await _connection.ExecuteAsync(call.Operation, CallKind.Launch, async ct =>
            {
                if (uncertain)
                {
                    if (await RecoverLaunchAsync(call.Operation, request.Title, since, ct).ConfigureAwait(false) is { } recovered)
                    {
                        return recovered;
                    }

                    uncertain = false;
                }

                try
                {
                    return ParseLaunch(call.Operation, _connection.Interpret(call, await _connection.SendOnceAsync(call, ct).ConfigureAwait(false)));
                }
                catch (QualysException ex) when (ex.Transience is Transience.Transient or Transience.Processing || ex is QualysResponseFormatException)
                {
                    // The launch may have been carried out: a lost, broken or unreadable answer (a format error is not
                    // retried, but it is settled by the lookup below like the others).
                    uncertain = true;
                    throw;
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (QualysException last) when (uncertain)
        {
            // Out of retries with the last outcome unknown: one last look so the caller never abandons a live scan.
            if (await RecoverLaunchAsync(call.Operation, request.Title, since, cancellationToken).ConfigureAwait(false) is { } recovered)
            {
                return recovered;
            }

            throw new QualysApiException(call.Operation, 0, null,
                $"the launch response was lost ({last.Message}) and no scan titled '{request.Title}' exists; not launching again, so one build never makes two scans",
                hint: $"If a scan titled '{request.Title}' shows up in Qualys later, cancel it there", inner: last)
            {
                Attempts = last.Attempts,
                StoppedByDeadline = last.StoppedByDeadline,
            };
        }
    }

    private async Task<ScanLaunchResult?> RecoverLaunchAsync(string operation, string title, DateTimeOffset since, CancellationToken cancellationToken)
    {
        LogLaunchLookup(_connection.Logger, operation, title);
        IReadOnlyList<QualysScan> found;
        try
        {
            found = await FindByTitleAsync(title, since, cancellationToken).ConfigureAwait(false);
        }
        catch (QualysException ex)
        {
            throw new QualysApiException(operation, 0, null,
                $"the launch response was lost and the scan list could not be checked ({ex.Message})",
                hint: $"Not relaunching, to avoid a duplicate scan: look for a scan titled '{title}' in Qualys", inner: ex);
        }

        if (found.Count == 0)
        {
            return null;
        }

        var scan = found.OrderBy(s => s.LaunchedAt ?? DateTimeOffset.MaxValue).First();
        LogLaunchRecovered(_connection.Logger, operation, scan.Ref);
        return new ScanLaunchResult { ScanRef = scan.Ref, ScanId = scan.Id, RecoveredByTitle = true };
    }

    private static List<KeyValuePair<string, string>> BuildLaunchForm(ScanLaunchRequest r)
    {
        if (string.IsNullOrWhiteSpace(r.Title))
        {
            throw new QualysSettingException("scan title", "scan title: required (and unique: a lost launch is recovered by its title).");
        }

        if (r.Title.Trim().Length > 2000)
        {
            throw new QualysSettingException("scan title", $"scan title: at most 2000 characters, got {r.Title.Trim().Length}.");
        }

        if (string.IsNullOrWhiteSpace(r.OptionProfile))
        {
            throw new QualysSettingException("option profile", "option profile: required to launch a scan.");
        }

        var hasIp = !string.IsNullOrWhiteSpace(r.Ip);
        var hasEc2 = !string.IsNullOrWhiteSpace(r.Ec2InstanceId);
        if (hasIp == hasEc2)
        {
            throw new QualysSettingException("target", "target: give exactly one of a host IP or an EC2 instance ID.");
        }

        if (hasEc2 && (string.IsNullOrWhiteSpace(r.ConnectorName) || string.IsNullOrWhiteSpace(r.Ec2Endpoint)))
        {
            throw new QualysSettingException("ec2", "ec2: an EC2 scan needs the connector name and the instance region (ec2_endpoint).");
        }

        if (r.ScannersInNetwork && string.IsNullOrWhiteSpace(r.NetworkId))
        {
            throw new QualysSettingException("scanner", "scanner: 'all scanners in network' needs a network ID.");
        }

        if (r.Priority is < 0 or > 9)
        {
            throw new QualysSettingException("priority", $"priority: must be 0..9, got {r.Priority}.");
        }

        var form = new List<KeyValuePair<string, string>>
        {
            new("action", "launch"),
            new("scan_title", r.Title.Trim()),
            new("option_title", r.OptionProfile.Trim()),
        };
        if (r.ScannersInNetwork)
        {
            form.Add(new("scanners_in_network", "1"));
        }
        else if (!string.IsNullOrWhiteSpace(r.ScannerName))
        {
            form.Add(new("iscanner_name", r.ScannerName.Trim()));
        }

        if (hasIp)
        {
            form.Add(new("ip", r.Ip!.Trim()));
            if (!string.IsNullOrWhiteSpace(r.NetworkId))
            {
                form.Add(new("ip_network_id", r.NetworkId.Trim()));
            }
        }
        else
        {
            form.Add(new("ec2_instance_ids", r.Ec2InstanceId!.Trim()));
            form.Add(new("connector_name", r.ConnectorName!.Trim()));
            form.Add(new("ec2_endpoint", r.Ec2Endpoint!.Trim()));
        }

        if (r.Priority is { } p)
        {
            form.Add(new("priority", p.ToString(CultureInfo.InvariantCulture)));
        }

        return form;
    }

    private static ScanLaunchResult ParseLaunch(string operation, XDocument doc)
    {
        QualysConnection.ExpectRoot(operation, doc, "SIMPLE_RETURN");
        var reference = QualysXml.Item(doc, "REFERENCE");
        if (string.IsNullOrEmpty(reference))
        {
            throw new QualysResponseFormatException(operation, $"no scan REFERENCE in the launch response ({doc.Root!.Element("RESPONSE").Text("TEXT") ?? "no TEXT"})");
        }

        if (!ScanRefPattern.IsMatch(reference))
        {
            throw new QualysResponseFormatException(operation, "the launch response's REFERENCE is not a scan reference");
        }

        return new ScanLaunchResult
        {
            ScanRef = reference,
            ScanId = long.TryParse(QualysXml.Item(doc, "ID"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? id : null,
        };
    }

    // ---- list -----------------------------------------------------------------------------------------------------

    /// <summary>The scan with this reference, or null when the list does not contain it.</summary>
    public async Task<QualysScan?> GetAsync(string scanRef, CancellationToken cancellationToken)
    {
        ValidateScanRef(scanRef);
        var scans = await ListAsync(new ScanListQuery { ScanRef = scanRef }, cancellationToken).ConfigureAwait(false);
        return scans.FirstOrDefault(s => string.Equals(s.Ref, scanRef, StringComparison.Ordinal));
    }

    /// <summary>Scans whose title is exactly <paramref name="title"/> launched after <paramref name="launchedAfter"/>.</summary>
    public async Task<IReadOnlyList<QualysScan>> FindByTitleAsync(string title, DateTimeOffset launchedAfter, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        var scans = await ListAsync(new ScanListQuery { LaunchedAfter = launchedAfter }, cancellationToken).ConfigureAwait(false);
        return [.. scans.Where(s => string.Equals(s.Title, title.Trim(), StringComparison.Ordinal))];
    }

    /// <summary>The scan list (<c>action=list</c>).</summary>
    public async Task<IReadOnlyList<QualysScan>> ListAsync(ScanListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.ScanRef is not null)
        {
            ValidateScanRef(query.ScanRef);
        }

        var url = _connection.Api($"{ScanListPath}?{QualysConnection.Query(
            ("action", "list"),
            ("scan_ref", query.ScanRef),
            ("state", query.States.Count == 0 ? null : string.Join(',', query.States)),
            ("launched_after_datetime", query.LaunchedAfter?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)))}");
        var call = new QualysRequest("scan list", HttpMethod.Get, url, CallKind.Idempotent);
        var doc = await _connection.GetXmlAsync(call, cancellationToken).ConfigureAwait(false);
        QualysConnection.ExpectRoot(call.Operation, doc, "SCAN_LIST_OUTPUT");
        var list = new List<QualysScan>();
        foreach (var s in doc.Root!.Element("RESPONSE")?.Element("SCAN_LIST")?.Elements("SCAN") ?? [])
        {
            var reference = s.Text("REF");
            if (string.IsNullOrEmpty(reference) || !ScanRefPattern.IsMatch(reference))
            {
                throw new QualysResponseFormatException(call.Operation, "a SCAN has no REF, or one that is not a scan reference");
            }

            var status = s.Element("STATUS");
            list.Add(new QualysScan
            {
                Ref = reference,
                Id = s.Long("ID"),
                Title = s.Text("TITLE"),
                Type = s.Text("TYPE"),
                State = status.Text("STATE"),
                SubState = string.IsNullOrEmpty(status.Text("SUB_STATE")) ? null : status.Text("SUB_STATE"),
                Processed = s.Flag("PROCESSED"),
                LaunchedAt = s.Date("LAUNCH_DATETIME"),
                Duration = s.Text("DURATION"),
                Target = s.Text("TARGET"),
                UserLogin = s.Text("USER_LOGIN"),
            });
        }

        return list;
    }

    // ---- cancel, pause, resume ------------------------------------------------------------------------------------

    /// <summary>Cancels a running or queued scan.</summary>
    public Task<ScanActionResult> CancelAsync(string scanRef, CancellationToken cancellationToken) => ActionAsync("cancel", scanRef, cancellationToken);

    public Task<ScanActionResult> PauseAsync(string scanRef, CancellationToken cancellationToken) => ActionAsync("pause", scanRef, cancellationToken);

    public Task<ScanActionResult> ResumeAsync(string scanRef, CancellationToken cancellationToken) => ActionAsync("resume", scanRef, cancellationToken);

    private async Task<ScanActionResult> ActionAsync(string action, string scanRef, CancellationToken cancellationToken)
    {
        ValidateScanRef(scanRef);
        var call = new QualysRequest($"scan {action}", HttpMethod.Post, _connection.Api(ScanPath), CallKind.NonIdempotent)
        {
            Form = [new("action", action), new("scan_ref", scanRef)],
        };
        var doc = await _connection.GetXmlAsync(call, cancellationToken).ConfigureAwait(false);
        QualysConnection.ExpectRoot(call.Operation, doc, "SIMPLE_RETURN");
        return new ScanActionResult(scanRef, doc.Root!.Element("RESPONSE").Text("TEXT"));
    }

    internal static void ValidateScanRef(string scanRef)
    {
        if (string.IsNullOrWhiteSpace(scanRef) || !ScanRefPattern.IsMatch(scanRef))
        {
            throw new QualysSettingException("scan reference", $"scan reference: '{scanRef}' is not a Qualys scan reference like scan/1358285558.36992.");
        }
    }

    // ---- the result (json_extended, streamed) ---------------------------------------------------------------------

    /// <summary>
    /// Opens the <c>json_extended</c> result of a scan as a stream (headers read, body not). Checks the status and the
    /// content type (application/json, or the text/html; charset=UTF-8 Qualys sometimes sends) and looks at the first
    /// byte: an XML <c>SIMPLE_RETURN</c> in place of JSON (scan not finished, deleted ...) throws
    /// <see cref="QualysApiException"/>. Opening is retried like any read; the body is guarded against stalls and
    /// corrupt compression; the caller disposes the stream.
    /// </summary>
    public Task<Stream> OpenResultAsync(string scanRef, CancellationToken cancellationToken)
    {
        var call = FetchCall(scanRef);
        return _connection.ExecuteAsync(call.Operation, call.Kind, ct => OpenOnceAsync(call, ct), cancellationToken);
    }

    /// <summary>
    /// Copies the result into <paramref name="destination"/> while validating it with <see cref="ScanResultReader"/>:
    /// a truncated or malformed body, or XML in place of JSON, throws instead of leaving a shorter file that looks
    /// complete. When <paramref name="destination"/> is seekable, a body that breaks off (reset, stall) is fetched
    /// again once from the destination's start. Returns the number of bytes written.
    /// </summary>
    public Task<long> DownloadResultAsync(string scanRef, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var call = FetchCall(scanRef);
        var start = destination.CanSeek ? destination.Position : 0;
        return _connection.ExecuteAsync(call.Operation, call.Kind, async ct =>
        {
            if (destination.CanSeek)
            {
                destination.SetLength(start);
                destination.Position = start;
            }

            var body = await OpenOnceAsync(call, ct).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                var tee = new TeeStream(body, destination);
                try
                {
                    var reader = new ScanResultReader(tee, leaveOpen: true);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(ct).ConfigureAwait(false))
                        {
                        }
                    }

                    // Whatever follows the closing bracket (a newline) belongs in the copy too; the reader rejects other text.
                    await tee.DrainAsync(ct).ConfigureAwait(false);
                    await destination.FlushAsync(ct).ConfigureAwait(false);
                    return tee.BytesCopied;
                }
                catch (ScanResultFormatException ex)
                {
                    throw new QualysResponseFormatException(call.Operation, $"the scan result is incomplete or malformed: {ex.Message}", ex);
                }
                catch (QualysConnectionException ex) when (ex.Transience == Transience.BodyBroken && !destination.CanSeek)
                {
                    // Only a seekable destination can be rewound for another attempt.
                    throw new QualysConnectionException(call.Operation, call.Url.Host, ex.Failure, "the connection broke during the download, and the destination cannot be rewound to fetch it again", ex);
                }
            }
        }, cancellationToken);
    }

    private QualysRequest FetchCall(string scanRef)
    {
        ValidateScanRef(scanRef);
        return new QualysRequest("scan fetch", HttpMethod.Get,
            _connection.Api($"{ScanPath}?{QualysConnection.Query(("action", "fetch"), ("scan_ref", scanRef), ("output_format", "json_extended"))}"), CallKind.Idempotent)
        {
            Accept = "application/json",
        };
    }

    private async Task<Stream> OpenOnceAsync(QualysRequest call, CancellationToken cancellationToken)
    {
        // The headers wait is bounded by FetchTimeout, the body by the stall limit; the caller's token bounds both.
        var response = await _connection.SendForStreamAsync(call, _connection.Options.FetchTimeout, cancellationToken).ConfigureAwait(false);
        try
        {
            var status = (int)response.StatusCode;
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            var charset = response.Content.Headers.ContentType?.CharSet;
            var stream = await _connection.OpenBodyAsync(call, response, cancellationToken).ConfigureAwait(false);
            try
            {
                if (status != 200 || IsXmlMediaType(mediaType))
                {
                    using var error = new MemoryStream();
                    await QualysConnection.CopyBoundedAsync(stream, error, cancellationToken).ConfigureAwait(false);
                    var body = error.ToArray();
                    _connection.Interpret(call, new QualysResponse(status, response.Headers, mediaType, body));
                    throw status == 200
                        ? new QualysResponseFormatException(call.Operation, "XML came back instead of the JSON result")
                        : new QualysApiException(call.Operation, status, null, QualysConnection.Snippet(body));
                }

                if (!IsJsonMediaType(mediaType, charset))
                {
                    throw new QualysResponseFormatException(call.Operation, $"content type '{response.Content.Headers.ContentType}' is not a JSON result");
                }

                var prefix = new byte[256];
                var count = await ReadSomeNonWhitespaceAsync(stream, prefix, cancellationToken).ConfigureAwait(false);
                var first = FirstNonWhitespace(prefix.AsSpan(0, count));
                if (first == 0)
                {
                    throw new QualysResponseFormatException(call.Operation, "the result body is empty");
                }

                if (first == (byte)'<')
                {
                    // An XML SIMPLE_RETURN (or an HTML page) in place of JSON: read it whole (bounded) and report it.
                    using var rest = new MemoryStream();
                    rest.Write(prefix, 0, count);
                    await QualysConnection.CopyBoundedAsync(stream, rest, cancellationToken).ConfigureAwait(false);
                    _connection.Interpret(call, new QualysResponse(status, response.Headers, mediaType, rest.ToArray()));
                    throw new QualysResponseFormatException(call.Operation, "XML came back instead of the JSON result");
                }

                if (first is not ((byte)'[' or (byte)'{'))
                {
                    throw new QualysResponseFormatException(call.Operation, "the result body does not start like JSON");
                }

                var result = new ResponseStream(response, stream, prefix, count);
                stream = null;
                response = null;
                return result;
            }
            finally
            {
                if (stream is not null)
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            response?.Dispose();
        }
    }

    private static bool IsXmlMediaType(string? mediaType) =>
        mediaType is not null && (mediaType.Equals("application/xml", StringComparison.OrdinalIgnoreCase) || mediaType.Equals("text/xml", StringComparison.OrdinalIgnoreCase));

    private static bool IsJsonMediaType(string? mediaType, string? charset)
    {
        var utf8 = charset is null || charset.Trim('"').Equals("utf-8", StringComparison.OrdinalIgnoreCase);
        return mediaType is not null && utf8 &&
            (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
             (mediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase) && charset is not null));
    }

    private static byte FirstNonWhitespace(ReadOnlySpan<byte> span)
    {
        var i = span.Length >= 3 && span[0] == 0xEF && span[1] == 0xBB && span[2] == 0xBF ? 3 : 0;
        for (; i < span.Length; i++)
        {
            if (span[i] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return span[i];
            }
        }

        return 0;
    }

    /// <summary>Reads until at least one non-whitespace byte is in the buffer (or the buffer is full, or the end).</summary>
    private static async Task<int> ReadSomeNonWhitespaceAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
            if (FirstNonWhitespace(buffer.AsSpan(0, total)) != 0)
            {
                break;
            }
        }

        return total;
    }

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Qualys {Operation}: the launch response was lost; looking for scan titled '{Title}' before relaunching")]
    private static partial void LogLaunchLookup(ILogger logger, string operation, string title);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Qualys {Operation}: found scan {ScanRef} launched by the lost request; not launching again")]
    private static partial void LogLaunchRecovered(ILogger logger, string operation, string scanRef);

    /// <summary>The response body with the peeked prefix put back; disposing it disposes the response.</summary>
    private sealed class ResponseStream(HttpResponseMessage response, Stream inner, byte[] prefix, int prefixCount) : ReadOnlyBodyStream
    {
        private int _prefixOffset;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefixOffset < prefixCount)
            {
                var n = Math.Min(buffer.Length, prefixCount - _prefixOffset);
                prefix.AsSpan(_prefixOffset, n).CopyTo(buffer);
                _prefixOffset += n;
                return n;
            }

            return inner.Read(buffer);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_prefixOffset < prefixCount)
            {
                var n = Math.Min(buffer.Length, prefixCount - _prefixOffset);
                prefix.AsSpan(_prefixOffset, n).CopyTo(buffer.Span);
                _prefixOffset += n;
                return ValueTask.FromResult(n);
            }

            return inner.ReadAsync(buffer, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                response.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            response.Dispose();
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A read-only stream that writes every byte read through it to a copy.</summary>
    private sealed class TeeStream(Stream source, Stream copy) : ReadOnlyBodyStream
    {
        public long BytesCopied { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = source.Read(buffer, offset, count);
            copy.Write(buffer, offset, n);
            BytesCopied += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(buffer[..n], cancellationToken).ConfigureAwait(false);
            BytesCopied += n;
            return n;
        }

        public async Task DrainAsync(CancellationToken cancellationToken)
        {
            var chunk = new byte[8192];
            while (await ReadAsync(chunk, cancellationToken).ConfigureAwait(false) > 0)
            {
            }
        }
    }
}

/// <summary>Filters for the scan list.</summary>
public sealed record ScanListQuery
{
    public string? ScanRef { get; init; }

    public DateTimeOffset? LaunchedAfter { get; init; }

    /// <summary>Running, Paused, Canceled, Finished, Error, Queued, Loading.</summary>
    public IReadOnlyList<string> States { get; init; } = [];
}
