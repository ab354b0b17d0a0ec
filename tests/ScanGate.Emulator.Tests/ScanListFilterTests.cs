using System.Globalization;
using System.Net;
using System.Xml.Linq;

namespace ScanGate.Emulator.Tests;

/// <summary>The scan-list filters one poll for many scans uses (qualys-api.md §3.2).</summary>
public sealed class ScanListFilterTests
{
    private static async Task<List<XElement>> ListAsync(EmulatorFixture f, string query)
    {
        using var r = await f.GetAsync($"api/3.0/fo/scan/?action=list&{query}");
        r.StatusCode.ShouldBe(HttpStatusCode.OK, await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return [.. (await EmulatorFixture.ReadXmlAsync(r)).Descendants("SCAN")];
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    [Fact]
    public async Task ScanRef_CommaSeparatedList_ReturnsExactlyThoseScans()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var a = await f.LaunchAsync();
        var b = await f.LaunchAsync("192.0.2.11");
        var c = await f.LaunchAsync("192.0.2.99");
        var scans = await ListAsync(f, $"scan_ref={a},{c}");
        scans.Select(s => s.Element("REF")!.Value).ShouldBe([c, a], ignoreOrder: true);
        (await ListAsync(f, $"scan_ref={b}")).Single().Element("REF")!.Value.ShouldBe(b);
        (await ListAsync(f, "scan_ref=scan/1.00001")).ShouldBeEmpty();
    }

    [Fact]
    public async Task State_And_LaunchedWindow_SelectTheActiveScansOfOnePoll()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var old = await f.LaunchAsync();
        f.Advance(600);
        var from = f.State.Clock.Now;
        var running = await f.LaunchAsync();
        var clean = await f.LaunchAsync("192.0.2.11");
        f.State.AddFault(new FaultRule { Phase = "launch", Kind = "scan_stuck_queued", Calls = [1] });
        var stuck = await f.LaunchAsync("192.0.2.99");
        f.Advance(30);

        (await ListAsync(f, "state=Finished")).Select(s => s.Element("REF")!.Value).ShouldBe([old]);
        (await ListAsync(f, $"state=Running,Queued&launched_after_datetime={Time(from)}")).Select(s => s.Element("REF")!.Value)
            .ShouldBe([running, clean, stuck], ignoreOrder: true);
        (await ListAsync(f, "state=Queued")).Select(s => s.Element("REF")!.Value).ShouldBe([stuck]);
        (await ListAsync(f, $"launched_before_datetime={Time(from.AddSeconds(-1))}")).Select(s => s.Element("REF")!.Value).ShouldBe([old]);
        (await ListAsync(f, "processed=1")).Select(s => s.Element("REF")!.Value).ShouldBe([old]);
        (await ListAsync(f, "state=Running&type=Scheduled")).ShouldBeEmpty();
        (await ListAsync(f, "target=192.0.2.11")).Select(s => s.Element("REF")!.Value).ShouldBe([clean]);
    }

    [Fact]
    public async Task ShowStatus_ShowLast_IgnoreTarget_ShapeEachScan()
    {
        await using var f = await EmulatorFixture.StartAsync();
        await f.LaunchAsync();
        f.Advance(1);
        var latest = await f.LaunchAsync("192.0.2.11");

        (await ListAsync(f, "show_status=1")).ShouldAllBe(s => s.Element("STATUS") != null);
        (await ListAsync(f, "show_status=0")).ShouldAllBe(s => s.Element("STATUS") == null);
        (await ListAsync(f, "show_last=1")).Single().Element("REF")!.Value.ShouldBe(latest);
        (await ListAsync(f, "ignore_target=1")).ShouldAllBe(s => s.Element("TARGET") == null);
        (await ListAsync(f, "show_op=1")).ShouldAllBe(s => s.Element("OPTION_PROFILE")!.Element("TITLE")!.Value.Trim() == "Initial Options");
    }

    [Theory]
    [InlineData("scan_id=5", "1901", "scan_id")]
    [InlineData("show_status=yes", "1905", "show_status")]
    [InlineData("state=Sleeping", "1905", "Sleeping")]
    [InlineData("type=Manual", "1905", "Manual")]
    [InlineData("scan_ref=12345", "1905", "12345")]
    [InlineData("launched_after_datetime=yesterday", "1905", "yesterday")]
    public async Task BadParameters_AreRefusedNamingThem(string query, string code, string named)
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var r = await f.GetAsync($"api/2.0/fo/scan/?action=list&{query}");
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var doc = await EmulatorFixture.ReadXmlAsync(r);
        doc.Descendants("CODE").Single().Value.ShouldBe(code);
        doc.Descendants("TEXT").Single().Value.ShouldContain(named);
    }
}
