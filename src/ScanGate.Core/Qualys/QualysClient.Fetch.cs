using ScanGate.Results;

namespace ScanGate.Qualys;

public sealed partial class QualysClient
{
    private const int MaxErrorBody = 1 << 20;

    /// <summary>
    /// Opens the <c>json_extended</c> result of a scan as a stream (headers read, body not). Checks the status and the
    /// content type (application/json, or the text/html; charset=UTF-8 Qualys sometimes sends) and looks at the first
    /// byte: an XML <c>SIMPLE_RETURN</c> in place of JSON (scan not finished, deleted ...) throws
    /// <see cref="QualysApiException"/>. Opening is retried like any read; the caller disposes the stream.
    /// </summary>
    public Task<Stream> OpenScanResultAsync(string scanRef, CancellationToken cancellationToken)
    {
        var call = FetchCall(scanRef);
        return ExecuteAsync(call.Operation, call.Kind, ct => OpenOnceAsync(call, ct), cancellationToken);
    }

    /// <summary>
    /// Copies the result into <paramref name="destination"/> while validating it with <see cref="ScanResultReader"/>:
    /// a truncated or malformed body, or XML in place of JSON, throws instead of leaving a shorter file that looks
    /// complete. When <paramref name="destination"/> is seekable a broken download is restarted from its start.
    /// Returns the number of bytes written.
    /// </summary>
    public Task<long> DownloadScanResultAsync(string scanRef, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var call = FetchCall(scanRef);
        var start = destination.CanSeek ? destination.Position : 0;
        return ExecuteAsync(call.Operation, call.Kind, async ct =>
        {
            if (destination.CanSeek)
            {
                destination.SetLength(start);
                destination.Position = start;
            }

            await using var body = await OpenOnceAsync(call, ct);
            var tee = new TeeStream(body, destination);
            try
            {
                await using (var reader = new ScanResultReader(tee, leaveOpen: true))
                {
                    while (await reader.ReadAsync(ct))
                    {
                    }
                }

                // Whatever follows the closing bracket (a newline) belongs in the copy too; the reader rejects other text.
                await tee.DrainAsync(ct);
                await destination.FlushAsync(ct);
                return tee.BytesCopied;
            }
            catch (ScanResultFormatException ex)
            {
                throw new QualysResponseFormatException(call.Operation, $"the scan result is incomplete or malformed: {ex.Message}", ex);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException && !ct.IsCancellationRequested)
            {
                var failure = MapTransportFailure(call.Operation, call.Url, ex, timedOut: false);

                // Only a seekable destination can be rewound for another attempt.
                throw destination.CanSeek ? failure : new QualysConnectionException(call.Operation, call.Url.Host, QualysConnectionFailure.Reset, "the connection broke during the download", ex);
            }
        }, cancellationToken);
    }

    private Call FetchCall(string scanRef)
    {
        ValidateScanRef(scanRef);
        return new Call("scan fetch", HttpMethod.Get, Api($"{ScanPath}?{Query(("action", "fetch"), ("scan_ref", scanRef), ("output_format", "json_extended"))}"), CallKind.Idempotent)
        {
            Accept = "application/json",
        };
    }

    private async Task<Stream> OpenOnceAsync(Call call, CancellationToken cancellationToken)
    {
        // The timeout covers the wait for the headers and the first bytes only: the body streams at its own pace.
        using var timeout = new CancellationTokenSource(_options.FetchTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = BuildRequest(call);
        HttpResponseMessage? response = null;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var status = (int)response.StatusCode;
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            var charset = response.Content.Headers.ContentType?.CharSet;
            if (status != 200 || IsXmlMediaType(mediaType))
            {
                var body = await ReadBoundedAsync(response, linked.Token);
                var raw = new RawResponse(status, response.Headers, mediaType, body);
                Interpret(call, raw);
                throw status == 200
                    ? new QualysResponseFormatException(call.Operation, "XML came back instead of the JSON result")
                    : new QualysApiException(call.Operation, status, null, Snippet(body));
            }

            if (!IsJsonMediaType(mediaType, charset))
            {
                throw new QualysResponseFormatException(call.Operation, $"content type '{response.Content.Headers.ContentType}' is not a JSON result");
            }

            var stream = await response.Content.ReadAsStreamAsync(linked.Token);
            var prefix = new byte[256];
            var count = await ReadSomeNonWhitespaceAsync(stream, prefix, linked.Token);
            if (FirstNonWhitespace(prefix.AsSpan(0, count)) == 0)
            {
                throw new QualysResponseFormatException(call.Operation, "the result body is empty");
            }

            var first = FirstNonWhitespace(prefix.AsSpan(0, count));
            if (first == (byte)'<')
            {
                // An XML SIMPLE_RETURN (or an HTML page) in place of JSON: read it whole (bounded) and report it.
                using var rest = new MemoryStream();
                rest.Write(prefix, 0, count);
                await CopyBoundedAsync(stream, rest, linked.Token);
                Interpret(call, new RawResponse(status, response.Headers, mediaType, rest.ToArray()));
                throw new QualysResponseFormatException(call.Operation, "XML came back instead of the JSON result");
            }

            if (first is not ((byte)'[' or (byte)'{'))
            {
                throw new QualysResponseFormatException(call.Operation, "the result body does not start like JSON");
            }

            var result = new ResponseStream(response, stream, prefix, count);
            response = null;
            return result;
        }
        catch (Exception ex) when (ex is not QualysException && !cancellationToken.IsCancellationRequested)
        {
            throw MapTransportFailure(call.Operation, call.Url, ex, timeout.IsCancellationRequested);
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
            var n = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken);
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

    private static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        await CopyBoundedAsync(stream, buffer, cancellationToken);
        return buffer.ToArray();
    }

    private static async Task CopyBoundedAsync(Stream source, MemoryStream target, CancellationToken cancellationToken)
    {
        var chunk = new byte[16 * 1024];
        int n;
        while (target.Length < MaxErrorBody && (n = await source.ReadAsync(chunk, cancellationToken)) > 0)
        {
            target.Write(chunk, 0, n);
        }
    }

    /// <summary>The response body with the peeked prefix put back; disposing it disposes the response.</summary>
    private sealed class ResponseStream(HttpResponseMessage response, Stream inner, byte[] prefix, int prefixCount) : Stream
    {
        private int _prefixOffset;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

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

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

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
            await inner.DisposeAsync();
            response.Dispose();
            await base.DisposeAsync();
        }
    }

    /// <summary>A read-only stream that writes every byte read through it to a copy.</summary>
    private sealed class TeeStream(Stream source, Stream copy) : Stream
    {
        public long BytesCopied { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => BytesCopied; set => throw new NotSupportedException(); }

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
            var n = await source.ReadAsync(buffer, cancellationToken);
            await copy.WriteAsync(buffer[..n], cancellationToken);
            BytesCopied += n;
            return n;
        }

        public async Task DrainAsync(CancellationToken cancellationToken)
        {
            var chunk = new byte[8192];
            while (await ReadAsync(chunk, cancellationToken) > 0)
            {
            }
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
