using System.Net;
using System.Text;
using System.Text.Json;

namespace ScanGate.Emulator.Tests;

/// <summary>Scan states (unknown ones included) and the incomplete or inconsistent fetch results of issue 11.</summary>
public sealed class ResultFaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(string ScanRef, byte[] Body)> FetchAsync(EmulatorFixture f, FaultRule? fault, string ip = "192.0.2.10,192.0.2.99")
    {
        var scanRef = await f.LaunchAsync(ip);
        f.Advance(600);
        if (fault is not null)
        {
            f.State.AddFault(fault);
        }

        using var r = await f.GetAsync($"api/2.0/fo/scan/?action=fetch&scan_ref={scanRef}&output_format=json_extended");
        r.StatusCode.ShouldBe(HttpStatusCode.OK);
        return (scanRef, await r.Content.ReadAsByteArrayAsync(Ct));
    }

    private static List<JsonElement> Elements(byte[] body)
    {
        using var doc = JsonDocument.Parse(body);
        return [.. doc.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    private static bool IsRow(JsonElement e) => e.TryGetProperty("ip_status", out _);

    [Theory]
    [InlineData("Interrupted", null)]
    [InlineData("Canceling", "Canceling")]
    [InlineData("Bogus-State", null)]
    [InlineData("Finished", "Interrupted")]
    public async Task ScanState_OnLaunch_IsTheScansStateFromRunningOn(string stateText, string? subState)
    {
        await using var f = await EmulatorFixture.StartAsync();
        f.State.AddFault(new FaultRule { Phase = "launch", Kind = "scan_state", State = stateText, SubState = subState, Calls = [1] });
        var faulted = await f.LaunchAsync();
        var normal = await f.LaunchAsync();
        (await f.StateAsync(faulted)).ShouldBe("Submitted");
        f.Advance(30);
        (await f.StateAsync(faulted)).ShouldBe(stateText);
        (await f.StateAsync(normal)).ShouldBe("Running");
        f.Advance(86_400);
        var scan = (await f.ScanAsync(faulted))!;
        scan.Element("STATUS")!.Element("STATE")!.Value.ShouldBe(stateText);
        (scan.Element("STATUS")!.Element("SUB_STATE")?.Value).ShouldBe(subState);
        (await f.StateAsync(normal)).ShouldBe("Finished");
    }

    [Fact]
    public async Task ScanState_SubStateOnly_KeepsTheLifecycle()
    {
        await using var f = await EmulatorFixture.StartAsync();
        f.State.AddFault(new FaultRule { Phase = "launch", Kind = "scan_state", SubState = "No_Vuln" });
        var scanRef = await f.LaunchAsync();
        f.Advance(600);
        var scan = (await f.ScanAsync(scanRef))!;
        scan.Element("STATUS")!.Element("STATE")!.Value.ShouldBe("Finished");
        scan.Element("STATUS")!.Element("SUB_STATE")!.Value.ShouldBe("No_Vuln");
    }

    [Fact]
    public async Task ScanState_OnAListCall_ChangesOnlyThatAnswer()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var scanRef = await f.LaunchAsync();
        f.Advance(30);
        f.State.AddFault(new FaultRule { Phase = "poll", Kind = "scan_state", State = "Unheard-Of", Calls = [2] });
        (await f.StateAsync(scanRef)).ShouldBe("Running");
        (await f.StateAsync(scanRef)).ShouldBe("Unheard-Of");
        (await f.StateAsync(scanRef)).ShouldBe("Running");
    }

    [Theory]
    [InlineData("Canceled")]
    [InlineData("Error")]
    [InlineData("Running")]
    public async Task ResultStatus_SummarySaysSoWhileRowsLookComplete(string status)
    {
        await using var f = await EmulatorFixture.StartAsync();
        var (_, body) = await FetchAsync(f, new FaultRule { Phase = "fetch", Kind = "result_status", State = status });
        var items = Elements(body);
        items[1].GetProperty("status").GetString().ShouldBe(status);
        items.Count(IsRow).ShouldBeGreaterThan(5);
    }

    public static TheoryData<string> NotScannedKeys() => [.. FaultRule.NotScannedKeys];

    [Theory]
    [MemberData(nameof(NotScannedKeys))]
    public async Task ResultNotScanned_EachReasonKey_NamesATargetHost(string key)
    {
        await using var f = await EmulatorFixture.StartAsync();
        var (_, body) = await FetchAsync(f, new FaultRule { Phase = "fetch", Kind = "result_not_scanned", Key = key }, "192.0.2.10");
        var items = Elements(body);
        var appendix = items.Single(e => e.TryGetProperty(key, out _));
        appendix.GetProperty(key).GetString().ShouldBe(key.EndsWith("_netbios", StringComparison.Ordinal) ? "WEB01" : "192.0.2.10");
        items.Count(IsRow).ShouldBeGreaterThan(5, "rows stay: some rows and an appendix naming a target host");
        items[^1].TryGetProperty("target_distribution_across_scanner_appliances", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task ResultEmpty_IsHeaderAndSummaryOnly()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var (scanRef, body) = await FetchAsync(f, new FaultRule { Phase = "fetch", Kind = "result_empty" });
        var items = Elements(body);
        items.Count.ShouldBe(2);
        items[0].GetProperty("scan_report_template_title").GetString().ShouldBe("Scan Results");
        items[1].GetProperty("reference").GetString().ShouldBe(scanRef);
    }

    [Fact]
    public async Task ResultOtherReference_SummaryNamesAnotherScan()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var (scanRef, body) = await FetchAsync(f, new FaultRule { Phase = "fetch", Kind = "result_other_reference" });
        var shown = Elements(body)[1].GetProperty("reference").GetString()!;
        shown.ShouldNotBe(scanRef);
        shown.ShouldMatch(@"^scan/\d+\.\d{5}$");

        await using var g = await EmulatorFixture.StartAsync();
        var (_, chosen) = await FetchAsync(g, new FaultRule { Phase = "fetch", Kind = "result_other_reference", Message = "scan/1700000000.00001" });
        Elements(chosen)[1].GetProperty("reference").GetString().ShouldBe("scan/1700000000.00001");
    }

    [Theory]
    [InlineData("qid")]
    [InlineData("type")]
    [InlineData("severity")]
    [InlineData("qid,title")]
    public async Task ResultMissingField_FirstRowLacksIt(string field)
    {
        await using var f = await EmulatorFixture.StartAsync();
        var (_, body) = await FetchAsync(f, new FaultRule { Phase = "fetch", Kind = "result_missing_field", Field = field });
        var rows = Elements(body).Where(IsRow).ToList();
        foreach (var name in field.Split(','))
        {
            rows[0].TryGetProperty(name, out _).ShouldBeFalse();
            rows.Skip(1).Count(r => !r.TryGetProperty(name, out _)).ShouldBe(0);
        }
    }

    [Fact]
    public async Task ResultDuplicateKey_FirstRowHasSeverityTwiceWithDifferentValues()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var (_, body) = await FetchAsync(f, new FaultRule { Phase = "fetch", Kind = "result_duplicate_key" });
        var firstRow = Encoding.UTF8.GetString(body).Split('\n')[2];
        var values = new List<string>();
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(firstRow.TrimEnd(',')));
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("severity"))
            {
                reader.Read();
                values.Add(reader.GetString()!);
            }
        }

        values.Count.ShouldBe(2);
        values.Distinct().Count().ShouldBe(2);
        values[0].ShouldBe("5");
    }

    [Fact]
    public async Task ResultInvalidUtf8_InTheThreatOfTheFirstRow_IsNotUtf8()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var (_, body) = await FetchAsync(f, new FaultRule { Phase = "fetch", Kind = "result_invalid_utf8" });
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        Should.Throw<DecoderFallbackException>(() => strict.GetString(body));
        body.AsSpan().IndexOf([(byte)0xFF, (byte)0xFE]).ShouldBeGreaterThan(0);
        var line = Encoding.Latin1.GetString(body).Split('\n');
        line[2].ShouldContain("\"threat\":\"");
        line[2].IndexOf('\u00FF', StringComparison.Ordinal).ShouldBeGreaterThan(line[2].IndexOf("\"threat\":\"", StringComparison.Ordinal));
        line.Skip(3).ShouldAllBe(l => !l.Contains('\u00FF', StringComparison.Ordinal));
    }

    [Fact]
    public async Task ResultNoHeaderAndNoSummary_DropThoseObjects()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var (_, noHeader) = await FetchAsync(f, new FaultRule { Phase = "fetch", Kind = "result_no_header" });
        Elements(noHeader)[0].TryGetProperty("reference", out _).ShouldBeTrue("the summary comes first");

        await using var g = await EmulatorFixture.StartAsync();
        var (_, noSummary) = await FetchAsync(g, new FaultRule { Phase = "fetch", Kind = "result_no_summary" });
        var items = Elements(noSummary);
        items[0].TryGetProperty("scan_report_template_title", out _).ShouldBeTrue();
        IsRow(items[1]).ShouldBeTrue();
        items.Count(e => e.TryGetProperty("reference", out _)).ShouldBe(0);
    }

    [Fact]
    public async Task ResultFaults_FireOnTheListedFetchCallsOnly()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var (scanRef, first) = await FetchAsync(f, new FaultRule { Phase = "fetch", Kind = "result_empty", Calls = [1] });
        Elements(first).Count.ShouldBe(2);
        using var again = await f.GetAsync($"api/2.0/fo/scan/?action=fetch&scan_ref={scanRef}&output_format=json_extended");
        Elements(await again.Content.ReadAsByteArrayAsync(Ct)).Count(IsRow).ShouldBeGreaterThan(5);
    }
}
