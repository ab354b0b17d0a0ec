using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using ScanGate.Qualys;
using ScanGate.Results;

namespace ScanGate.Core.Tests.Qualys;

// The flat-memory test samples the process-wide managed heap: it must not run while other tests allocate.
[Collection(nameof(MeasuresProcessMemory))]
public sealed class QualysFetchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Header = "{\"scan_report_template_title\":\"Scan Results\",\"result_date\":\"01/28/2019 12:16:42\",\"company\":\"X\",\"username\":\"u\",\"role\":\"Manager\"}";

    private const string Summary = "{\"status\":\"Finished\",\"network\":\"Global Default Network\",\"reference\":\"scan/1533110666.07264\",\"ips\":\"1.1.1.1\",\"launch_date\":\"08/01/2018 08:04:26\"," +
                                   "\"option_profile\":\"Initial Options\",\"total_hosts\":\"1\",\"scan_title\":\"My first scan\",\"duration\":\"00:06:20\",\"excluded_ips\":\"\",\"asset_groups\":null,\"type\":\"API\",\"active_hosts\":\"1\"}";

    private static string Detection(long qid) =>
        $"{{\"protocol\":\"tcp\",\"qid\":{qid.ToString(CultureInfo.InvariantCulture)},\"results\":\"Server Version\\tServer Banner\\ncloudflare-nginx\",\"solution\":\"N/A\",\"ip_status\":\"host scanned, found vuln\",\"port\":\"80\"," +
        "\"category\":\"Web server\",\"severity\":\"3\",\"title\":\"Web Server Version <script>\",\"instance\":null,\"dns\":\"one.one.one.one\",\"ip\":\"1.1.1.1\",\"type\":\"Vuln\",\"vendor_reference\":null," +
        "\"cve_id\":\"CVE-2020-3403, CVE-2021-1\",\"ssl\":\"no\",\"netbios\":null,\"associated_malware\":null,\"pci_vuln\":\"yes\",\"impact\":\"N/A\",\"fqdn\":\"\",\"bugtraq_id\":null,\"threat\":\"N/A\",\"os\":\"Linux 3.13\",\"exploitability\":null,\"cvss_base\":\"7.5 (AV:N/AC:L/Au:N/C:P/I:P/A:P)\"}";

    private const string Appendix = "{\"target_distribution_across_scanner_appliances\":\"External : 1.1.1.1\"}";

    private static string Result(int detections) =>
        "[" + string.Join(",\n", new[] { Header, Summary }.Concat(Enumerable.Range(0, detections).Select(i => Detection(86000 + i))).Append(Appendix)) + "]\n";

    private static Func<CapturedRequest, HttpResponseMessage> Json(string body, string contentType = "application/json", HttpStatusCode status = HttpStatusCode.OK) =>
        Respond.Xml(status, body, contentType);

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=UTF-8")]
    [InlineData("text/html; charset=UTF-8")]
    public async Task OpenScanResult_AcceptedContentTypes_StreamTheWholeBody(string contentType)
    {
        var body = Result(2);
        var handler = new FakeQualysHandler().On("/api/2.0/fo/scan/", "fetch", Json(body, contentType));
        using var client = TestClients.Create(handler);

        await using var stream = await client.Scans.OpenResultAsync("scan/1533110666.07264", Ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);

        (await reader.ReadToEndAsync(Ct)).ShouldBe(body);
        var r = handler.Requests.Single();
        (r.Method, r.Query("scan_ref"), r.Query("output_format")).ShouldBe((HttpMethod.Get, "scan/1533110666.07264", "json_extended"));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("text/html")]
    [InlineData("application/json; charset=ISO-8859-1")]
    public async Task OpenScanResult_OtherContentType_IsRefused(string contentType)
    {
        var handler = new FakeQualysHandler().On("/fo/scan/", Json(Result(1), contentType));
        using var client = TestClients.Create(handler);

        var ex = await Should.ThrowAsync<QualysResponseFormatException>(() => client.Scans.OpenResultAsync("scan/1.1", Ct));

        ex.Message.ShouldContain("content type");
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/xml")]
    [InlineData("text/html; charset=UTF-8")]
    public async Task OpenScanResult_XmlSimpleReturnInPlaceOfJson_IsQualysApiException(string contentType)
    {
        var xml = "\n<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<!DOCTYPE SIMPLE_RETURN SYSTEM \"https://qualysapi.qualys.com/api/2.0/simple_return.dtd\">\n" +
                  "<SIMPLE_RETURN><RESPONSE><DATETIME>2025-01-01T00:00:00Z</DATETIME><CODE>1905</CODE><TEXT>parameter scan_ref has invalid value: scan is not finished</TEXT></RESPONSE></SIMPLE_RETURN>";
        var handler = new FakeQualysHandler().On("/fo/scan/", Json(xml, contentType));
        using var client = TestClients.Create(handler);

        var ex = await Should.ThrowAsync<QualysApiException>(() => client.Scans.OpenResultAsync("scan/1.1", Ct));

        (ex.Code, ex.HttpStatus).ShouldBe((1905, 200));
        ex.Text!.ShouldContain("not finished");
    }

    [Fact]
    public async Task OpenScanResult_ErrorStatus_IsQualysApiException()
    {
        var handler = new FakeQualysHandler().On("/fo/scan/", Respond.Error(HttpStatusCode.BadRequest, 1905, "parameter scan_ref has invalid value: scan/9.9"));
        using var client = TestClients.Create(handler);

        var ex = await Should.ThrowAsync<QualysApiException>(() => client.Scans.OpenResultAsync("scan/9.9", Ct));

        (ex.Code, ex.HttpStatus).ShouldBe((1905, 400));
    }

    [Fact]
    public async Task OpenScanResult_EmptyBody_IsAFormatError()
    {
        var handler = new FakeQualysHandler().On("/fo/scan/", Json("  \n"));
        using var client = TestClients.Create(handler);

        (await Should.ThrowAsync<QualysResponseFormatException>(() => client.Scans.OpenResultAsync("scan/1.1", Ct))).Message.ShouldContain("empty");
    }

    [Fact]
    public async Task DownloadScanResult_ValidBody_CopiesEveryByte()
    {
        var body = Result(3);
        var handler = new FakeQualysHandler().On("/fo/scan/", Json(body));
        using var client = TestClients.Create(handler);
        using var destination = new MemoryStream();

        var bytes = await client.Scans.DownloadResultAsync("scan/1.1", destination, Ct);

        bytes.ShouldBe(Encoding.UTF8.GetByteCount(body));
        Encoding.UTF8.GetString(destination.ToArray()).ShouldBe(body);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.97)]
    public async Task DownloadScanResult_TruncatedBody_FailsInsteadOfAShorterList(double keep)
    {
        var body = Result(50);
        var handler = new FakeQualysHandler().On("/fo/scan/", Json(body[..(int)(body.Length * keep)]));
        using var client = TestClients.Create(handler);
        using var destination = new MemoryStream();

        var ex = await Should.ThrowAsync<QualysResponseFormatException>(() => client.Scans.DownloadResultAsync("scan/1.1", destination, Ct));

        ex.Message.ShouldContain("incomplete or malformed");
        ex.InnerException.ShouldBeOfType<ScanResultFormatException>();
    }

    [Fact]
    public async Task DownloadScanResult_BodyEndsAfterACompleteElement_FailsToo()
    {
        // Cut exactly at an element boundary: every element parses, only the closing bracket is missing.
        var body = Result(5);
        var cut = body.LastIndexOf(",\n", StringComparison.Ordinal);
        var handler = new FakeQualysHandler().On("/fo/scan/", Json(body[..cut]));
        using var client = TestClients.Create(handler);

        await Should.ThrowAsync<QualysResponseFormatException>(() => client.Scans.DownloadResultAsync("scan/1.1", new MemoryStream(), Ct));
    }

    [Fact]
    public async Task DownloadScanResult_ConnectionResetMidBody_RestartsSeekableDestinationFromScratch()
    {
        var body = Result(20);
        var time = new ObservedTime();
        var handler = new FakeQualysHandler(time).On("/fo/scan/",
            _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new BreakingStream(Encoding.UTF8.GetBytes(body), body.Length / 2)) { Headers = { { "Content-Type", "application/json" } } } },
            Json(body));
        using var client = TestClients.Create(handler, time);
        using var destination = new MemoryStream();

        var task = client.Scans.DownloadResultAsync("scan/1.1", destination, Ct);
        while (!task.IsCompleted)
        {
            try
            {
                time.Advance(await time.NextTimerAsync(d => d < TimeSpan.FromMinutes(1), task));
            }
            catch (InvalidOperationException)
            {
                break;
            }
        }

        (await task).ShouldBe(Encoding.UTF8.GetByteCount(body));
        Encoding.UTF8.GetString(destination.ToArray()).ShouldBe(body);
        handler.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task DownloadScanResult_ConnectionResetIntoUnseekableDestination_FailsWithoutRetry()
    {
        var body = Result(20);
        var handler = new FakeQualysHandler().On("/fo/scan/",
            _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new BreakingStream(Encoding.UTF8.GetBytes(body), body.Length / 2)) { Headers = { { "Content-Type", "application/json" } } } });
        using var client = TestClients.Create(handler);

        var ex = await Should.ThrowAsync<QualysConnectionException>(() => client.Scans.DownloadResultAsync("scan/1.1", new UnseekableStream(), Ct));

        ex.Failure.ShouldBe(QualysConnectionFailure.Reset);
        ex.Message.ShouldContain("lost the connection to");
        ex.Message.ShouldContain("broke during the download");
        handler.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task DownloadScanResult_100000Detections_StreamsWithFlatMemory()
    {
        var small = await MeasureAsync(10_000);
        var large = await MeasureAsync(100_000);

        // Ten times the data must not need (anywhere near) ten times the memory: the body is never held.
        large.Bytes.ShouldBeGreaterThan(small.Bytes * 9);
        large.PeakHeapGrowth.ShouldBeLessThan(Math.Max(small.PeakHeapGrowth * 2, 0) + (16L << 20));
        large.PeakHeapGrowth.ShouldBeLessThan(large.Bytes / 4);
        var line = $"fetch {large.Detections} detections: {large.Bytes / 1048576.0:0.0} MiB in {large.Elapsed.TotalMilliseconds:0} ms, peak managed heap growth {large.PeakHeapGrowth / 1048576.0:0.0} MiB " +
                   $"(10,000: {small.Bytes / 1048576.0:0.0} MiB, {small.Elapsed.TotalMilliseconds:0} ms, {small.PeakHeapGrowth / 1048576.0:0.0} MiB)";
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        if (Environment.GetEnvironmentVariable("SCANGATE_BENCH_OUT") is { Length: > 0 } path)
        {
            await File.AppendAllTextAsync(path, line + "\n", Ct);
        }
    }

    private sealed record Measurement(int Detections, long Bytes, long PeakHeapGrowth, TimeSpan Elapsed);

    private static async Task<Measurement> MeasureAsync(int detections)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var generator = new GeneratedResult(detections, baseline);
        var handler = new FakeQualysHandler().On("/fo/scan/", _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(generator, 64 * 1024) { Headers = { { "Content-Type", "application/json" } } } });
        using var client = TestClients.Create(handler);
        var sink = new CountingStream();
        var watch = Stopwatch.StartNew();

        var bytes = await client.Scans.DownloadResultAsync("scan/1533110666.07264", sink, Ct);

        watch.Stop();
        bytes.ShouldBe(generator.Produced);
        sink.Count.ShouldBe(generator.Produced);
        return new Measurement(detections, bytes, generator.PeakHeap - baseline, watch.Elapsed);
    }

    /// <summary>Produces a json_extended result on the fly (never in memory whole) and samples the live managed heap every 4 MiB.</summary>
    private sealed class GeneratedResult(int detections, long baseline) : Stream
    {
        private readonly Queue<byte[]> _pending = new();
        private int _next = -2;
        private byte[] _current = [];
        private int _offset;
        private long _nextSample = 1 << 20;

        public long Produced { get; private set; }

        public long PeakHeap { get; private set; } = baseline;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Produced; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (Produced >= _nextSample)
            {
                // Live objects only (a full collection), so uncollected garbage does not read as retained memory.
                PeakHeap = Math.Max(PeakHeap, GC.GetTotalMemory(forceFullCollection: true));
                _nextSample += 4 << 20;
            }

            if (_offset == _current.Length && !Refill())
            {
                return 0;
            }

            var n = Math.Min(count, _current.Length - _offset);
            Array.Copy(_current, _offset, buffer, offset, n);
            _offset += n;
            Produced += n;
            return n;
        }

        private bool Refill()
        {
            if (_next > detections + 1)
            {
                return false;
            }

            var sb = new StringBuilder();
            for (var i = 0; i < 200 && _next <= detections + 1; i++, _next++)
            {
                sb.Append(_next switch
                {
                    -2 => "[" + Header,
                    -1 => ",\n" + Summary,
                    _ when _next == detections => ",\n" + Appendix,
                    _ when _next == detections + 1 => "]\n",
                    _ => ",\n" + Detection(86000 + _next),
                });
            }

            _current = Encoding.UTF8.GetBytes(sb.ToString());
            _offset = 0;
            return _current.Length > 0;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class CountingStream : Stream
    {
        public long Count { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Count;

        public override long Position { get => Count; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Count += count;
    }

    private sealed class UnseekableStream : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
        }
    }

    /// <summary>Serves the first <c>breakAt</c> bytes, then fails like a reset connection.</summary>
    /// <summary>Sends the first bytes, then fails like a reset connection (also used by the deadline tests).</summary>
    internal sealed class BreakingStream(byte[] data, int breakAt) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= breakAt)
            {
                throw new IOException("Unable to read data from the transport connection: Connection reset by peer.");
            }

            var n = Math.Min(count, Math.Min(breakAt, data.Length) - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
