using System.Net;

namespace ScanGate.Emulator.Tests;

public sealed class ScanLifecycleTests
{
    [Fact]
    public async Task List_OnFakeClock_WalksSubmittedQueuedRunningLoadingFinished()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var scanRef = await f.LaunchAsync();
        scanRef.ShouldMatch(@"^scan/\d+\.\d{5}$");

        (await f.StateAsync(scanRef)).ShouldBe("Submitted");
        (await f.ScanAsync(scanRef))!.Element("DURATION")!.Value.ShouldBe("Pending");
        f.Advance(3);
        (await f.StateAsync(scanRef)).ShouldBe("Queued");
        f.Advance(10);
        (await f.StateAsync(scanRef)).ShouldBe("Running");
        f.Advance(60);
        (await f.StateAsync(scanRef)).ShouldBe("Loading");
        f.Advance(5);
        var scan = (await f.ScanAsync(scanRef))!;
        scan.Element("STATUS")!.Element("STATE")!.Value.ShouldBe("Finished");
        scan.Element("PROCESSED")!.Value.ShouldBe("0");
        scan.Element("DURATION")!.Value.ShouldBe("00:01:05");
        f.Advance(5);
        (await f.ScanAsync(scanRef))!.Element("PROCESSED")!.Value.ShouldBe("1");
    }

    [Fact]
    public async Task PauseResume_WhileRunning_FreezesProgressUntilResumed()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var scanRef = await f.LaunchAsync();
        f.Advance(20);
        (await f.StateAsync(scanRef)).ShouldBe("Running");
        (await f.PostAsync($"api/2.0/fo/scan/?action=pause&scan_ref={scanRef}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        f.Advance(3600);
        (await f.StateAsync(scanRef)).ShouldBe("Paused");
        (await f.PostAsync($"api/2.0/fo/scan/?action=resume&scan_ref={scanRef}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await f.StateAsync(scanRef)).ShouldBe("Running");
        f.Advance(70);
        (await f.StateAsync(scanRef)).ShouldBe("Finished");
    }

    [Fact]
    public async Task Cancel_RunningScan_EndsCanceledAndFinishedScanCannotBeCanceled()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var scanRef = await f.LaunchAsync();
        f.Advance(20);
        using (var cancel = await f.PostAsync($"api/2.0/fo/scan/?action=cancel&scan_ref={scanRef}"))
        {
            var doc = await EmulatorFixture.ReadXmlAsync(cancel);
            doc.Descendants("CODE").ShouldBeEmpty();
            doc.Descendants("VALUE").Select(v => v.Value).ShouldContain(v => v == scanRef);
        }

        f.Advance(600);
        (await f.StateAsync(scanRef)).ShouldBe("Canceled");

        var other = await f.LaunchAsync();
        f.Advance(600);
        using var again = await f.PostAsync($"api/2.0/fo/scan/?action=cancel&scan_ref={other}");
        again.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await EmulatorFixture.ReadXmlAsync(again)).Descendants("CODE").Single().Value.ShouldBe("1905");
    }

    [Fact]
    public async Task Delete_FinishedScan_DisappearsFromListWhichThenHasNoScanList()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var scanRef = await f.LaunchAsync();
        f.Advance(600);
        (await f.PostAsync($"api/2.0/fo/scan/?action=delete&scan_ref={scanRef}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var list = await f.GetAsync($"api/2.0/fo/scan/?action=list&scan_ref={scanRef}");
        var doc = await EmulatorFixture.ReadXmlAsync(list);
        doc.Root!.Name.LocalName.ShouldBe("SCAN_LIST_OUTPUT");
        doc.Root.Element("RESPONSE")!.Elements().Select(e => e.Name.LocalName).ShouldBe(["DATETIME"]);
    }

    [Fact]
    public async Task SubState_DeadHostAndCleanHost_AreNoHostAndNoVuln()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var dead = await f.LaunchAsync("192.0.2.99");
        var clean = await f.LaunchAsync("192.0.2.11");
        var vulnerable = await f.LaunchAsync("192.0.2.10");
        f.Advance(600);
        (await f.ScanAsync(dead))!.Descendants("SUB_STATE").Single().Value.ShouldBe("No_Host");
        (await f.ScanAsync(clean))!.Descendants("SUB_STATE").Single().Value.ShouldBe("No_Vuln");
        (await f.ScanAsync(vulnerable))!.Descendants("SUB_STATE").ShouldBeEmpty();
    }

    [Fact]
    public async Task ClockAdvance_ControlApi_MovesScansForward()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var scanRef = await f.LaunchAsync();
        using var advance = await f.PostAsync("_emulator/clock/advance?seconds=600");
        advance.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await f.StateAsync(scanRef)).ShouldBe("Finished");
        using var bad = await f.PostAsync("_emulator/clock/advance?seconds=-5");
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("seconds");
    }

    [Fact]
    public async Task Speed_Ten_RunsVirtualClockTenTimesFaster()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        await using var emulator = await QualysEmulator.StartAsync(new EmulatorOptions { Time = time, Speed = 10 }, TestContext.Current.CancellationToken);
        var before = emulator.State.Clock.Now;
        time.Advance(TimeSpan.FromSeconds(6));
        (emulator.State.Clock.Now - before).ShouldBe(TimeSpan.FromSeconds(60));
    }
}
