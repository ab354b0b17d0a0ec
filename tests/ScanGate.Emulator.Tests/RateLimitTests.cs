using System.Net;

namespace ScanGate.Emulator.Tests;

public sealed class RateLimitTests
{
    private const string Scenario = """
        users: [{ username: demo, password: demo }]
        subscription: { ips: [192.0.2.0/24] }
        option_profiles: [{ id: 1, title: Initial Options }]
        limits:
          default: { limit: 300, window: 3600, concurrency: 2 }
          paths:
            /api/2.0/fo/scan/: { limit: 3, window: 60, concurrency: 1 }
        """;

    private static string Header(HttpResponseMessage r, string name) => r.Headers.TryGetValues(name, out var v) ? v.Single() : "<absent>";

    [Fact]
    public async Task Burst_PastRateLimit_GivesExactly409s1965WithWaitHeadersThenRecovers()
    {
        await using var f = await EmulatorFixture.StartAsync(Scenario);
        var statuses = new List<HttpStatusCode>();
        var remaining = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            using var r = await f.GetAsync("api/2.0/fo/scan/?action=list");
            statuses.Add(r.StatusCode);
            remaining.Add(Header(r, "X-RateLimit-Remaining"));
            Header(r, "X-RateLimit-Limit").ShouldBe("3");
            Header(r, "X-RateLimit-Window-Sec").ShouldBe("60");
            Header(r, "X-Concurrency-Limit-Limit").ShouldBe("1");
            if (i >= 3)
            {
                Header(r, "X-RateLimit-ToWait-Sec").ShouldBe("60");
                var doc = await EmulatorFixture.ReadXmlAsync(r);
                doc.Descendants("CODE").Single().Value.ShouldBe("1965");
                doc.Descendants("TEXT").Single().Value.ShouldBe("This API cannot be run again for another 1 minutes and 0 seconds.");
                doc.Descendants("KEY").Single().Value.ShouldBe("SECONDS_TO_WAIT");
            }
            else
            {
                Header(r, "X-RateLimit-ToWait-Sec").ShouldBe("0");
            }
        }

        statuses.ShouldBe([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Conflict, HttpStatusCode.Conflict]);
        remaining.ShouldBe(["2", "1", "0", "0", "0"]);

        // Other APIs have their own budget.
        using (var kb = await f.GetAsync("api/2.0/fo/knowledge_base/vuln/?action=list&ids=6"))
        {
            kb.StatusCode.ShouldBe(HttpStatusCode.OK);
            Header(kb, "X-RateLimit-Remaining").ShouldBe("299");
        }

        f.Advance(61);
        using var again = await f.GetAsync("api/2.0/fo/scan/?action=list");
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        Header(again, "X-RateLimit-Remaining").ShouldBe("2");
    }

    [Fact]
    public async Task Concurrency_SecondCallWhileFirstRuns_Gets1960WithoutWaitOrRemainingHeaders()
    {
        await using var f = await EmulatorFixture.StartAsync(Scenario);
        f.State.AddFault(new FaultRule { Path = "/api/2.0/fo/scan/", Kind = "slow", Calls = [1], DelaySeconds = 30 });
        var first = f.GetAsync("api/2.0/fo/scan/?action=list");
        await WaitForSlowAsync(f);

        using (var second = await f.GetAsync("api/2.0/fo/scan/?action=list"))
        {
            second.StatusCode.ShouldBe(HttpStatusCode.Conflict);
            Header(second, "X-Concurrency-Limit-Limit").ShouldBe("1");
            Header(second, "X-Concurrency-Limit-Running").ShouldBe("1");
            second.Headers.Contains("X-RateLimit-ToWait-Sec").ShouldBeFalse();
            second.Headers.Contains("X-RateLimit-Remaining").ShouldBeFalse();
            var doc = await EmulatorFixture.ReadXmlAsync(second);
            doc.Descendants("CODE").Single().Value.ShouldBe("1960");
            doc.Descendants("TEXT").Single().Value.ShouldStartWith("This API cannot be run again until 1 currently running API instance has finished.");
        }

        f.Advance(30);
        using var done = await first;
        done.StatusCode.ShouldBe(HttpStatusCode.OK);
        // Recorded real traffic: 0 on a lone call (the other calls in flight, not counting this one).
        Header(done, "X-Concurrency-Limit-Running").ShouldBe("0");
    }

    [Fact]
    public async Task Concurrency_IsCheckedBeforeRate()
    {
        await using var f = await EmulatorFixture.StartAsync(Scenario);
        for (var i = 0; i < 2; i++)
        {
            (await f.GetAsync("api/2.0/fo/scan/?action=list")).Dispose();
        }

        // Third call uses the last of the rate budget and holds the only concurrency slot.
        f.State.AddFault(new FaultRule { Path = "/api/2.0/fo/scan/", Kind = "slow", Calls = [1], DelaySeconds = 10 });
        var third = f.GetAsync("api/2.0/fo/scan/?action=list");
        await WaitForSlowAsync(f);

        // Both limits are now exceeded: the concurrency error wins.
        using (var fourth = await f.GetAsync("api/2.0/fo/scan/?action=list"))
        {
            (await EmulatorFixture.ReadXmlAsync(fourth)).Descendants("CODE").Single().Value.ShouldBe("1960");
        }

        f.Advance(10);
        (await third).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var fifth = await f.GetAsync("api/2.0/fo/scan/?action=list");
        (await EmulatorFixture.ReadXmlAsync(fifth)).Descendants("CODE").Single().Value.ShouldBe("1965");
    }

    private static async Task WaitForSlowAsync(EmulatorFixture f)
    {
        // The slow call holds its slot until the fake clock moves; yield until the emulator is inside that delay.
        var spins = 0;
        while (Volatile.Read(ref f.State.SlowInFlight) == 0)
        {
            (++spins).ShouldBeLessThan(5_000_000, "the slow request never reached the emulator");
            await Task.Yield();
        }
    }

    [Fact]
    public async Task SessionAndQps_CarryNoRateHeaders()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var qps = await f.PostAsync("qps/rest/2.0/search/am/awsassetdataconnector/");
        qps.Headers.Contains("X-RateLimit-Limit").ShouldBeFalse();
        qps.Headers.Contains("X-Concurrency-Limit-Limit").ShouldBeFalse();
        using var fo = await f.GetAsync("api/2.0/fo/network/?action=list");
        fo.Headers.Select(h => h.Key).Where(k => k.StartsWith("X-", StringComparison.Ordinal)).ShouldBe(
        [
            "X-RateLimit-Limit", "X-RateLimit-Window-Sec", "X-Concurrency-Limit-Limit", "X-Concurrency-Limit-Running",
            "X-RateLimit-ToWait-Sec", "X-RateLimit-Remaining",
        ]);
    }
}
