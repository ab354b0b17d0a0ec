using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ScanGate.Qualys;

namespace ScanGate.Core.Tests.Qualys;

/// <summary>
/// The run's deadline, stalled and broken bodies, corrupt compression, names that do not resolve: every wait of the
/// client is bounded and every failure typed. All on fake time.
/// </summary>
public sealed class QualysDeadlineTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Result = "[{\"scan_report_template_title\":\"Scan Results\"},{\"reference\":\"scan/1.1\",\"status\":\"Finished\"}," +
                                  "{\"ip\":\"10.0.0.5\",\"qid\":38170,\"type\":\"Vuln\",\"severity\":\"5\",\"title\":\"t\"}]";

    private static Func<CapturedRequest, HttpResponseMessage> Conflict1960 =>
        Respond.Error(HttpStatusCode.Conflict, 1960, "This API cannot be run again until 1 currently running API instance has finished.");

    /// <summary>Moves fake time over every back-off (not over the 2-minute request limit) until the call ends.</summary>
    private static async Task<List<TimeSpan>> DriveAsync(ObservedTime time, Task task)
    {
        var waits = new List<TimeSpan>();
        while (!task.IsCompleted)
        {
            try
            {
                var due = await time.NextTimerAsync(d => d != TimeSpan.FromMinutes(2) && d != TimeSpan.FromMinutes(10) && d != TimeSpan.FromSeconds(60), task);
                waits.Add(due);
                time.Advance(due);
            }
            catch (InvalidOperationException)
            {
                break;
            }
        }

        return waits;
    }

    [Fact]
    public async Task ListScans_ConcurrencyStormPastTheDeadline_StopsBeforeTheDeadlineWithTheLastError()
    {
        var time = new ObservedTime();
        var handler = new FakeQualysHandler(time).On("/fo/scan/", "list", Conflict1960);
        using var client = TestClients.Create(handler, time);
        client.Deadline = time.GetUtcNow().AddSeconds(90);

        var task = client.Scans.ListAsync(new ScanListQuery(), Ct);
        await DriveAsync(time, task);
        var ex = await Should.ThrowAsync<QualysApiException>(() => task);

        // Jitter 0.5: 35 s per back-off; a third would end at 105 s, after the 90 s deadline.
        ex.Code.ShouldBe(1960);
        ex.StoppedByDeadline.ShouldBeTrue();
        ex.Message.ShouldContain("deadline");
        handler.Requests.Count.ShouldBe(3);
        time.Elapsed.ShouldBe(TimeSpan.FromSeconds(70));
    }

    [Fact]
    public async Task ListScans_MaintenanceBackOffPastTheDeadline_IsNotStarted()
    {
        var time = new ObservedTime();
        var handler = new FakeQualysHandler(time).On("/fo/scan/", "list", Respond.Error(HttpStatusCode.ServiceUnavailable, 1999, "We are performing scheduled maintenance on our System."));
        using var client = TestClients.Create(handler, time);
        client.Deadline = time.GetUtcNow().AddSeconds(5);

        var task = client.Scans.ListAsync(new ScanListQuery(), Ct);
        await DriveAsync(time, task);
        var ex = await Should.ThrowAsync<QualysApiException>(() => task);

        // Back-offs of 1.5 s and 3 s fit; the 6 s one would end after the deadline.
        ex.StoppedByDeadline.ShouldBeTrue();
        time.Elapsed.ShouldBeLessThanOrEqualTo(TimeSpan.FromSeconds(5));
        handler.Requests.Count.ShouldBe(3);
    }

    [Fact]
    public async Task ListScans_HungServerAndCallerDeadlineToken_EndsAtTheDeadlineNotAfterTheRequestTimeout()
    {
        var time = new ObservedTime();
        var handler = new FakeQualysHandler(time).On("/fo/scan/", "list", Respond.Hang());
        using var client = TestClients.Create(handler, time);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20), time);

        var task = client.Scans.ListAsync(new ScanListQuery(), deadline.Token);
        await time.NextTimerAsync(d => d == TimeSpan.FromMinutes(2), task);
        time.Advance(TimeSpan.FromSeconds(20));

        await Should.ThrowAsync<OperationCanceledException>(() => task);
        handler.Requests.Count.ShouldBe(1);
        time.Elapsed.ShouldBe(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task TestConnection_HostNameDoesNotResolve_FailsAtOnceNamingTheHost()
    {
        var time = new ObservedTime();
        var handler = new FakeQualysHandler(time).On("/auth",
            Respond.Throw(new HttpRequestException(HttpRequestError.NameResolutionError, "Name or service not known (gateway.qg1.apps.qualys.com:443)", new SocketException((int)SocketError.HostNotFound))));
        using var client = TestClients.Create(handler, time);

        var ex = await Should.ThrowAsync<QualysConnectionException>(() => client.TestConnectionAsync(Ct));

        ex.Failure.ShouldBe(QualysConnectionFailure.Dns);
        ex.Message.ShouldContain("'gateway.qg1.apps.qualys.com' does not resolve");
        ex.Attempts.ShouldBe(1);
        handler.Requests.Count.ShouldBe(1);
        time.Elapsed.ShouldBe(TimeSpan.Zero);
    }

    [Fact]
    public async Task DownloadScanResult_BodyStallsTwice_IsFetchedAgainOnceThenFailsAsAStall()
    {
        var time = new ObservedTime();
        using var stalled = new SemaphoreSlim(0);
        var handler = new FakeQualysHandler(time).On("/fo/scan/", _ => Stalling(Result, Result.Length / 2, stalled));
        using var client = TestClients.Create(handler, time);
        using var destination = new MemoryStream();

        var task = client.Scans.DownloadResultAsync("scan/1.1", destination, Ct);
        for (var stall = 0; stall < 2; stall++)
        {
            await stalled.WaitAsync(Ct);
            time.Advance(TimeSpan.FromSeconds(60));
        }

        var ex = await Should.ThrowAsync<QualysConnectionException>(() => task);
        ex.Failure.ShouldBe(QualysConnectionFailure.Timeout);
        ex.Message.ShouldContain("stalled");
        ex.Attempts.ShouldBe(2);
        handler.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task DownloadScanResult_BodyStallsOnce_IsFetchedAgainAndCompletes()
    {
        var time = new ObservedTime();
        using var stalled = new SemaphoreSlim(0);
        var handler = new FakeQualysHandler(time).On("/fo/scan/", _ => Stalling(Result, 10, stalled), _ => Stalling(Result, int.MaxValue, stalled));
        using var client = TestClients.Create(handler, time);
        using var destination = new MemoryStream();

        var task = client.Scans.DownloadResultAsync("scan/1.1", destination, Ct);
        await stalled.WaitAsync(Ct);
        time.Advance(TimeSpan.FromSeconds(60));

        (await task).ShouldBe(Result.Length);
        Encoding.UTF8.GetString(destination.ToArray()).ShouldBe(Result);
        handler.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task DownloadScanResult_ConnectionResetMidBodyTwice_RestartsOnlyOnce()
    {
        var body = Encoding.UTF8.GetBytes(Result);
        var handler = new FakeQualysHandler().On("/fo/scan/", _ => Response(new QualysFetchTests.BreakingStream(body, body.Length / 2)));
        using var client = TestClients.Create(handler);

        var ex = await Should.ThrowAsync<QualysConnectionException>(() => client.Scans.DownloadResultAsync("scan/1.1", new MemoryStream(), Ct));

        ex.Failure.ShouldBe(QualysConnectionFailure.Reset);
        ex.Attempts.ShouldBe(2);
        handler.Requests.Count.ShouldBe(2);
    }

    [Theory]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public async Task DownloadScanResult_CorruptGzip_IsAFormatErrorNotACrash(double corruptAt)
    {
        var gzip = Gzip(Encoding.UTF8.GetBytes(Result));
        var at = (int)(gzip.Length * corruptAt);
        for (var i = at; i < Math.Min(at + 8, gzip.Length); i++)
        {
            gzip[i] ^= 0x5A;
        }

        // What SocketsHttpHandler's automatic decompression hands over: a GZipStream over the wire bytes.
        var handler = new FakeQualysHandler().On("/fo/scan/", _ => Response(new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress)));
        using var client = TestClients.Create(handler);

        var ex = await Should.ThrowAsync<QualysException>(() => client.Scans.DownloadResultAsync("scan/1.1", new MemoryStream(), Ct));

        ex.ShouldBeAssignableTo<QualysResponseFormatException>();
        handler.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task DownloadScanResult_TruncatedGzip_IsAFormatError()
    {
        var gzip = Gzip(Encoding.UTF8.GetBytes(Result));
        var handler = new FakeQualysHandler().On("/fo/scan/", _ => Response(new GZipStream(new MemoryStream(gzip[..(gzip.Length / 2)]), CompressionMode.Decompress)));
        using var client = TestClients.Create(handler);

        await Should.ThrowAsync<QualysResponseFormatException>(() => client.Scans.DownloadResultAsync("scan/1.1", new MemoryStream(), Ct));
    }

    [Theory]
    [InlineData("parameter option_title has invalid value: Initial options", "option_title")]
    [InlineData("parameter iscanner_name has invalid value: dmz (no such scanner)", "iscanner_name")]
    [InlineData("Parameter ip_network_id has invalid value: 99", "ip_network_id")]
    public async Task LaunchScan_1905_NamesTheRefusedParameter(string text, string parameter)
    {
        var handler = new FakeQualysHandler().On("/api/2.0/fo/scan/", "launch", Respond.Error(HttpStatusCode.BadRequest, 1905, text));
        using var client = TestClients.Create(handler);

        var ex = await Should.ThrowAsync<QualysApiException>(() => client.Scans.LaunchAsync(
            new ScanLaunchRequest { Title = "t_2026", OptionProfile = "Initial options", ScannerName = "External", Ip = "10.0.0.5" }, Ct));

        ex.InvalidParameter.ShouldBe(parameter);
        handler.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task LaunchScan_ReferenceThatIsNotOne_IsSettledByTheLookupAndNeverUsed()
    {
        var handler = new FakeQualysHandler()
            .On("/api/2.0/fo/scan/", "launch", Respond.Xml(Respond.LaunchOk.Replace("scan/1358285558.36992", "../../etc/passwd", StringComparison.Ordinal)))
            .On("/fo/scan/", "list", Respond.Xml(Respond.ScanList()));
        using var client = TestClients.Create(handler);

        var ex = await Should.ThrowAsync<QualysApiException>(() => client.Scans.LaunchAsync(
            new ScanLaunchRequest { Title = "t_2026", OptionProfile = "Initial Options", ScannerName = "External", Ip = "10.0.0.5" }, Ct));

        ex.Message.ShouldContain("not launching again");
        handler.RequestsTo("/fo/scan/", "launch").Count.ShouldBe(1);
        handler.RequestsTo("/fo/scan/", "list").Count.ShouldBe(1);
    }

    [Theory]
    [InlineData("US9", "unknown platform 'US9'")]
    [InlineData("ftp://qualys.example/", "not an absolute http(s) URL")]
    [InlineData("http://qualysapi.example.com/", "plain http")]
    public void Resolve_BadPlatform_MessageNamesTheValueWithoutAParameterName(string value, string expected)
    {
        var ex = Should.Throw<QualysSettingException>(() => QualysPlatform.Resolve(value));

        ex.Message.ShouldContain(expected);
        ex.Message.ShouldNotContain("(Parameter");
    }

    [Fact]
    public void ScanReference_Invalid_MessageHasNoParameterName()
    {
        var handler = new FakeQualysHandler();
        using var client = TestClients.Create(handler);

        var ex = Should.Throw<QualysSettingException>(() => client.Scans.CancelAsync("not a ref", Ct));

        ex.Message.ShouldContain("'not a ref' is not a Qualys scan reference");
        ex.Message.ShouldNotContain("(Parameter");
    }

    private static HttpResponseMessage Response(Stream body) =>
        new(HttpStatusCode.OK) { Content = new StreamContent(body) { Headers = { { "Content-Type", "application/json" } } } };

    private static HttpResponseMessage Stalling(string body, int sendFirst, SemaphoreSlim stalled) => Response(new StallingBody(Encoding.UTF8.GetBytes(body), sendFirst, stalled));

    private static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return buffer.ToArray();
    }

    /// <summary>Sends the first bytes, then nothing until the reader gives up (and says when it stalls).</summary>
    private sealed class StallingBody(byte[] data, int sendFirst, SemaphoreSlim stalled) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var limit = Math.Min(data.Length, sendFirst);
            if (_position >= limit)
            {
                if (_position >= data.Length)
                {
                    return 0;
                }

                stalled.Release();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            var n = Math.Min(buffer.Length, limit - _position);
            data.AsSpan(_position, n).CopyTo(buffer.Span);
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
