using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ScanGate.Emulator.Tests;

/// <summary>The transport and HTTP fault kinds the chaos suite drives, each over real HTTP.</summary>
public sealed class FaultKindTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string ListPath = "api/2.0/fo/scan/?action=list";

    private static async Task<byte[]> NormalBodyAsync(EmulatorFixture f)
    {
        using var r = await f.GetAsync(ListPath);
        return await r.Content.ReadAsByteArrayAsync(Ct);
    }

    /// <summary>Reads the body until the transport fails; returns the bytes received and the failure.</summary>
    private static async Task<(int Received, Exception? Error)> ReadUntilFailureAsync(HttpResponseMessage response)
    {
        var stream = await response.Content.ReadAsStreamAsync(Ct);
        var buffer = new byte[4096];
        var received = 0;
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, Ct)) > 0)
            {
                received += n;
            }

            return (received, null);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            return (received, ex);
        }
    }

    private static IEnumerable<Exception> Chain(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    private static async Task SpinUntilAsync(Func<bool> condition, string what)
    {
        var spins = 0;
        while (!condition())
        {
            (++spins).ShouldBeLessThan(5_000_000, what);
            await Task.Yield();
        }
    }

    [Fact]
    public async Task Hang_NeverSendsHeadersUntilTheClientGivesUp()
    {
        await using var f = await EmulatorFixture.StartAsync();
        f.State.AddFault(new FaultRule { Phase = "connection_check", Kind = "hang", Calls = [1] });
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var call = f.Client.GetAsync("msp/about.php", HttpCompletionOption.ResponseHeadersRead, giveUp.Token);

        await SpinUntilAsync(() => Volatile.Read(ref f.State.HangingInFlight) == 1, "the hang never started");
        call.IsCompleted.ShouldBeFalse();
        await giveUp.CancelAsync();

        await Should.ThrowAsync<TaskCanceledException>(() => call);
        await SpinUntilAsync(() => Volatile.Read(ref f.State.HangingInFlight) == 0, "the hang never ended");
        (await f.GetAsync("msp/about.php")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Hang_EmulatorStop_EndsItForAClientThatNeverGivesUp()
    {
        var f = await EmulatorFixture.StartAsync();
        f.State.AddFault(new FaultRule { Phase = "poll", Kind = "hang" });
        var call = f.GetAsync(ListPath);
        await SpinUntilAsync(() => Volatile.Read(ref f.State.HangingInFlight) == 1, "the hang never started");

        await f.Emulator.StopAsync(Ct);

        await Should.ThrowAsync<HttpRequestException>(() => call);
        await f.DisposeAsync();
    }

    [Fact]
    public async Task StallBody_SendsTheHeadersAndOffsetBytesThenNothing()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var full = await NormalBodyAsync(f);
        f.State.AddFault(new FaultRule { Phase = "poll", Kind = "stall_body", ByteOffset = 100 });

        using var response = await f.Client.GetAsync(ListPath, HttpCompletionOption.ResponseHeadersRead, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentLength.ShouldBe(full.Length);
        var stream = await response.Content.ReadAsStreamAsync(Ct);
        var received = new byte[100];
        await stream.ReadExactlyAsync(received, Ct);
        received.ShouldBe(full[..100]);

        await SpinUntilAsync(() => Volatile.Read(ref f.State.HangingInFlight) == 1, "the stall never started");
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var next = stream.ReadAsync(new byte[1], giveUp.Token).AsTask();
        next.IsCompleted.ShouldBeFalse();
        await giveUp.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => next);
    }

    [Theory]
    [InlineData("truncated_body", 321, false)]
    [InlineData("reset_mid_body", 200, true)]
    public async Task PartialBody_AtByteOffset_PromisesTheWholeBodyThenEnds(string kind, int offset, bool reset)
    {
        await using var f = await EmulatorFixture.StartAsync();
        var full = await NormalBodyAsync(f);
        f.State.AddFault(new FaultRule { Phase = "poll", Kind = kind, ByteOffset = offset });

        using var response = await f.Client.GetAsync(ListPath, HttpCompletionOption.ResponseHeadersRead, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentLength.ShouldBe(full.Length);
        var (received, error) = await ReadUntilFailureAsync(response);
        received.ShouldBe(offset);
        error.ShouldNotBeNull();
        // truncated_body ends with a FIN (the body ends early), reset_mid_body with a TCP reset.
        Chain(error).OfType<SocketException>().Any(e => e.SocketErrorCode == SocketError.ConnectionReset).ShouldBe(reset);
    }

    [Fact]
    public async Task ConnectionReset_BeforeTheAnswer_IsATcpReset()
    {
        await using var f = await EmulatorFixture.StartAsync();
        f.State.AddFault(new FaultRule { Phase = "cancel", Kind = "connection_reset" });
        var scanRef = await f.LaunchAsync();
        var error = await Should.ThrowAsync<HttpRequestException>(() => f.PostAsync($"api/2.0/fo/scan/?action=cancel&scan_ref={scanRef}"));
        Chain(error).OfType<SocketException>().ShouldContain(e => e.SocketErrorCode == SocketError.ConnectionReset);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(57)]
    [InlineData(400)]
    public async Task CutBody_IsACompleteHttpAnswerWhoseDocumentStopsAtTheOffset(int offset)
    {
        await using var f = await EmulatorFixture.StartAsync();
        var full = await NormalBodyAsync(f);
        f.State.AddFault(new FaultRule { Phase = "poll", Kind = "cut_body", ByteOffset = offset });

        using var response = await f.GetAsync(ListPath);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = await response.Content.ReadAsByteArrayAsync(Ct);
        body.ShouldBe(full[..offset]);
        Should.Throw<System.Xml.XmlException>(() => EmulatorFixture.ParseXml(Encoding.UTF8.GetString(body)));
    }

    [Fact]
    public async Task MalformedBody_AtByteOffset_CutsThereAndAppendsGarbage()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var full = await NormalBodyAsync(f);
        f.State.AddFault(new FaultRule { Phase = "poll", Kind = "malformed_body", ByteOffset = 150 });
        using var response = await f.GetAsync(ListPath);
        var body = await response.Content.ReadAsByteArrayAsync(Ct);
        body.ShouldBe([.. full[..150], .. "<{\n"u8.ToArray()]);
    }

    [Fact]
    public async Task MalformedBody_OnAFetch_IsBrokenJson()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var scanRef = await f.LaunchAsync();
        f.Advance(600);
        f.State.AddFault(new FaultRule { Phase = "fetch", Kind = "malformed_body" });
        using var response = await f.GetAsync($"api/2.0/fo/scan/?action=fetch&scan_ref={scanRef}&output_format=json_extended");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var text = await response.Content.ReadAsStringAsync(Ct);
        text.ShouldStartWith("[{");
        Should.Throw<System.Text.Json.JsonException>(() => System.Text.Json.JsonDocument.Parse(text));
    }

    [Theory]
    [InlineData(null, "text/plain;charset=UTF-8")]
    [InlineData("application/octet-stream", "application/octet-stream")]
    public async Task WrongContentType_KeepsTheBodyUnderAnotherType(string? configured, string expected)
    {
        await using var f = await EmulatorFixture.StartAsync();
        var full = await NormalBodyAsync(f);
        f.State.AddFault(new FaultRule { Phase = "poll", Kind = "wrong_content_type", ContentType = configured });
        using var response = await f.GetAsync(ListPath);
        response.Content.Headers.NonValidated["Content-Type"].ToString().ShouldBe(expected);
        (await response.Content.ReadAsByteArrayAsync(Ct)).ShouldBe(full);
    }

    private static async Task<HttpResponseMessage> GetGzipAsync(EmulatorFixture f, string path, bool acceptGzip)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptGzip)
        {
            request.Headers.AcceptEncoding.ParseAdd("gzip");
        }

        return await f.Client.SendAsync(request, Ct);
    }

    private static (byte[] Output, Exception? Error) Gunzip(byte[] compressed)
    {
        using var output = new MemoryStream();
        try
        {
            using var gzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
            gzip.CopyTo(output);
            return (output.ToArray(), null);
        }
        catch (InvalidDataException ex)
        {
            return (output.ToArray(), ex);
        }
    }

    [Fact]
    public async Task GzipCorrupt_WhenGzipIsAccepted_IsAGzipBodyThatDoesNotDecode()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var full = await NormalBodyAsync(f);
        f.State.AddFault(new FaultRule { Phase = "poll", Kind = "gzip_corrupt" });

        using var response = await GetGzipAsync(f, ListPath, acceptGzip: true);
        response.Content.Headers.ContentEncoding.ShouldBe(["gzip"]);
        var compressed = await response.Content.ReadAsByteArrayAsync(Ct);
        response.Content.Headers.ContentLength.ShouldBe(compressed.Length);
        compressed[..2].ShouldBe(new byte[] { 0x1F, 0x8B });
        var (output, error) = Gunzip(compressed);
        (error is not null || !output.SequenceEqual(full)).ShouldBeTrue("a corrupt gzip body must not decode to the document");
    }

    [Fact]
    public async Task GzipTruncated_IsACompleteHttpAnswerWithACutGzipStream()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var full = await NormalBodyAsync(f);
        f.State.AddFault(new FaultRule { Phase = "poll", Kind = "gzip_truncated", ByteOffset = 120 });

        using var response = await GetGzipAsync(f, ListPath, acceptGzip: true);
        response.Content.Headers.ContentEncoding.ShouldBe(["gzip"]);
        var compressed = await response.Content.ReadAsByteArrayAsync(Ct);
        compressed.Length.ShouldBe(120);
        var (output, _) = Gunzip(compressed);
        output.Length.ShouldBeLessThan(full.Length);
        full.AsSpan().StartsWith(output).ShouldBeTrue();
    }

    [Fact]
    public async Task GzipFault_WithoutAcceptEncodingGzip_AnswersNormally()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var full = await NormalBodyAsync(f);
        f.State.AddFault(new FaultRule { Phase = "poll", Kind = "gzip_corrupt" });
        using var response = await GetGzipAsync(f, ListPath, acceptGzip: false);
        response.Content.Headers.ContentEncoding.ShouldBeEmpty();
        (await response.Content.ReadAsByteArrayAsync(Ct)).ShouldBe(full);
    }

    public static TheoryData<string> AllCodes() => [.. ErrorCodes.Codes];

    [Theory]
    [MemberData(nameof(AllCodes))]
    public async Task SimpleReturn_EachDocumentedCode_HasItsStatusAndShape(string code)
    {
        await using var f = await EmulatorFixture.StartAsync();
        f.State.AddFault(new FaultRule { Phase = "launch", Kind = "simple_return", Code = code });
        using var response = await f.PostAsync("api/2.0/fo/scan/?action=launch&option_title=Initial+Options&ip=192.0.2.10");
        var expected = ErrorCodes.Get(code);

        ((int)response.StatusCode).ShouldBe(expected.Status);
        // Read the raw header before the body: reading the content normalises it to "text/xml; charset=UTF-8".
        response.Content.Headers.NonValidated["Content-Type"].ToString()
            .ShouldBe(expected.IsAccountError ? "text/xml;charset=UTF-8" : "application/xml");
        var body = await response.Content.ReadAsStringAsync(Ct);
        if (expected.Status == 400)
        {
            body.ShouldStartWith("<!DOCTYPE SIMPLE_RETURN");
        }
        else
        {
            body.ShouldStartWith("<?xml version=\"1.0\" encoding=\"UTF-8\" ?>");
        }

        var doc = EmulatorFixture.ParseXml(body);
        doc.Descendants("CODE").Single().Value.ShouldBe(code);
        doc.Descendants("TEXT").Single().Value.ShouldNotBeNullOrWhiteSpace();
        f.State.Requests.ShouldHaveSingleItem();
        using var list = await f.GetAsync(ListPath);
        (await EmulatorFixture.ReadXmlAsync(list)).Descendants("SCAN").ShouldBeEmpty("the faulted launch must not create a scan");
    }

    [Fact]
    public async Task SimpleReturn_MessageAndStatus_OverrideTheTable()
    {
        await using var f = await EmulatorFixture.StartAsync();
        f.State.AddFault(new FaultRule { Phase = "launch", Kind = "simple_return", Code = "999", Message = "One or more IPs are not approved for this account", Status = 400 });
        using var response = await f.PostAsync("api/2.0/fo/scan/?action=launch&option_title=Initial+Options&ip=192.0.2.10");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await EmulatorFixture.ReadXmlAsync(response)).Descendants("TEXT").Single().Value.ShouldBe("One or more IPs are not approved for this account");
    }

    [Theory]
    [InlineData("conflict_1960", "1960")]
    [InlineData("conflict_1965", "1965")]
    public async Task ConflictStorm_WithoutCalls_NeverEnds(string kind, string code)
    {
        await using var f = await EmulatorFixture.StartAsync();
        f.State.AddFault(new FaultRule { Phase = "poll", Kind = kind, DelaySeconds = 45 });
        for (var i = 0; i < 40; i++)
        {
            using var r = await f.GetAsync(ListPath);
            r.StatusCode.ShouldBe(HttpStatusCode.Conflict);
            (await EmulatorFixture.ReadXmlAsync(r)).Descendants("CODE").Single().Value.ShouldBe(code);
            if (code == "1965")
            {
                r.Headers.GetValues("X-RateLimit-ToWait-Sec").Single().ShouldBe("45");
            }
            else
            {
                r.Headers.Contains("X-RateLimit-ToWait-Sec").ShouldBeFalse();
            }

            f.Advance(3600);
        }

        // Other phases are untouched.
        (await f.GetAsync("msp/about.php")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
