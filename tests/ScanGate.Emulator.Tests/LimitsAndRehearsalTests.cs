using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace ScanGate.Emulator.Tests;

/// <summary>Limits set at startup (the load benchmark's Standard subscription), the call statistics, and the rehearsal hint.</summary>
public sealed class LimitsAndRehearsalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Header(HttpResponseMessage r, string name) => r.Headers.TryGetValues(name, out var v) ? v.Single() : "<absent>";

    private static async Task<(QualysEmulator Emulator, HttpClient Client)> StartAsync(LimitSpec? limits, string? yaml = null)
    {
        var emulator = await QualysEmulator.StartAsync(new EmulatorOptions
        {
            Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero)),
            Limits = limits,
            ScenarioYaml = yaml,
        }, Ct);
        var client = new HttpClient { BaseAddress = emulator.BaseUrl };
        client.DefaultRequestHeaders.Authorization = EmulatorFixture.Basic("demo", "demo");
        client.DefaultRequestHeaders.Add("X-Requested-With", "tests");
        return (emulator, client);
    }

    [Fact]
    public async Task StartupLimits_ReplaceTheScenarios_OnEveryApi()
    {
        const string yaml = """
            users: [{ username: demo, password: demo }]
            limits:
              default: { limit: 1000, window: 60, concurrency: 9 }
              paths:
                /api/2.0/fo/scan/: { limit: 1, window: 60, concurrency: 1 }
            """;
        var (emulator, client) = await StartAsync(new LimitSpec { Limit = 300, Window = 3600, Concurrency = 2 }, yaml);
        await using var _ = emulator;
        using var __ = client;
        foreach (var path in new[] { "api/2.0/fo/scan/?action=list", "api/2.0/fo/scan/?action=list", "api/2.0/fo/network/?action=list" })
        {
            using var r = await client.GetAsync(path, Ct);
            r.StatusCode.ShouldBe(HttpStatusCode.OK);
            (Header(r, "X-RateLimit-Limit"), Header(r, "X-RateLimit-Window-Sec"), Header(r, "X-Concurrency-Limit-Limit")).ShouldBe(("300", "3600", "2"));
        }

        emulator.State.DefaultLimits.Limit.ShouldBe(300);
    }

    [Fact]
    public async Task StartupLimits_300PerHour_Exhausted_Gives1965WithTheExactHeaders()
    {
        var (emulator, client) = await StartAsync(new LimitSpec { Limit = 3, Window = 3600, Concurrency = 2 });
        await using var _ = emulator;
        using var __ = client;
        for (var i = 0; i < 3; i++)
        {
            (await client.GetAsync("api/2.0/fo/scan/?action=list", Ct)).Dispose();
        }

        using var refused = await client.GetAsync("api/2.0/fo/scan/?action=list", Ct);
        refused.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        refused.Headers.Where(h => h.Key.StartsWith("X-", StringComparison.Ordinal)).Select(h => $"{h.Key}: {h.Value.Single()}").ShouldBe(
        [
            "X-RateLimit-Limit: 3", "X-RateLimit-Window-Sec: 3600", "X-Concurrency-Limit-Limit: 2", "X-Concurrency-Limit-Running: 0",
            "X-RateLimit-ToWait-Sec: 3600", "X-RateLimit-Remaining: 0",
        ]);
    }

    [Theory]
    [InlineData(0, 3600, 2)]
    [InlineData(300, 0, 2)]
    [InlineData(300, 3600, 0)]
    public async Task StartupLimits_BelowOne_AreRefused(int limit, int window, int concurrency)
    {
        var ex = await Should.ThrowAsync<ScenarioException>(() => QualysEmulator.StartAsync(
            new EmulatorOptions { Limits = new LimitSpec { Limit = limit, Window = window, Concurrency = concurrency } }, Ct));
        ex.Message.ShouldContain("at least 1");
    }

    [Fact]
    public async Task Stats_CountEveryAnswerByPathActionAndStatus_409sIncluded()
    {
        await using var f = await EmulatorFixture.StartAsync();
        f.State.AddFault(new FaultRule { Phase = "poll", Kind = "conflict_1960", Calls = [2, 3] });
        for (var i = 0; i < 4; i++)
        {
            (await f.GetAsync("api/2.0/fo/scan/?action=list")).Dispose();
        }

        (await f.GetAsync("msp/about.php")).Dispose();
        using var doc = JsonDocument.Parse(await f.Client.GetStringAsync("_emulator/stats", Ct));
        doc.RootElement.GetProperty("total").GetInt64().ShouldBe(5);
        doc.RootElement.GetProperty("by_status").GetProperty("409").GetInt64().ShouldBe(2);
        doc.RootElement.GetProperty("by_status").GetProperty("200").GetInt64().ShouldBe(3);
        doc.RootElement.GetProperty("calls").EnumerateArray()
            .Single(c => c.GetProperty("path").GetString() == "/api/2.0/fo/scan/" && c.GetProperty("status").GetInt32() == 409)
            .GetProperty("action").GetString().ShouldBe("list");

        (await f.PostAsync("_emulator/reset")).Dispose();
        using var reset = JsonDocument.Parse(await f.Client.GetStringAsync("_emulator/stats", Ct));
        reset.RootElement.GetProperty("total").GetInt64().ShouldBe(0);
    }

    [Theory]
    [InlineData(10, "12s")]
    [InlineData(4, "30s")]
    [InlineData(7, "17s")]
    [InlineData(1.5, "1m20s")]
    [InlineData(12, "10s")]
    [InlineData(20, "10s")]
    [InlineData(1000, "10s")]
    public void PollInterval_IsTwoVirtualMinutesNeverBelowTheMinimum(double speed, string expected) =>
        RehearsalHint.Duration(RehearsalHint.PollInterval(speed, TimeSpan.FromSeconds(10))).ShouldBe(expected);

    [Fact]
    public void Lines_AtSpeedTen_GiveTheScanFlags()
    {
        var lines = RehearsalHint.Lines(new Uri("http://127.0.0.1:18080/"), "demo", "192.0.2.10", 10, TimeSpan.FromSeconds(10), "demo");
        lines[1].ShouldBe("  scangate scan --api-url http://127.0.0.1:18080 --username demo --host 192.0.2.10 --poll-interval 12s");
        lines[2].ShouldBe("  (password: QUALYS_PASSWORD=demo)");
        lines.Count.ShouldBe(3);
        string.Join("\n", lines).ShouldContain("x10");
    }

    [Fact]
    public void Lines_FasterThanTheMinimumAllows_SayWhy_AndNeverShowAScenarioPassword()
    {
        var lines = RehearsalHint.Lines(new Uri("http://127.0.0.1:5/"), "ci-user", null, 50, TimeSpan.FromSeconds(10), password: null);
        lines[1].ShouldBe("  scangate scan --api-url http://127.0.0.1:5 --username ci-user --poll-interval 10s");
        lines[2].ShouldContain("the password of 'ci-user' in the scenario");
        lines[3].ShouldContain("10s is the shortest poll interval scan accepts");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0.5)]
    public void Lines_AtRealTimeOrSlower_AreNone(double speed) =>
        RehearsalHint.Lines(new Uri("http://127.0.0.1:5/"), "demo", "192.0.2.10", speed, TimeSpan.FromSeconds(10), "demo").ShouldBeEmpty();
}
